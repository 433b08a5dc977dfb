import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig } from '../aws-client-config';
import type { ObjectStore } from './parquet-exports';

/** The exports bucket in AWS. A PUT replaces the object atomically; the bucket keeps the previous versions. */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = new S3Client(awsClientConfig),
  ) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/vnd.apache.parquet',
      }),
    );
  }
}

/** A directory standing in for the bucket locally: written aside, then renamed, so a reader never sees half a file. */
export class FileObjectStore implements ObjectStore {
  constructor(private readonly dir: string) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    const file = join(this.dir, key);
    await mkdir(dirname(file), { recursive: true });
    const partial = `${file}.${randomUUID()}.partial`;
    await writeFile(partial, body);
    await rename(partial, file);
  }
}
