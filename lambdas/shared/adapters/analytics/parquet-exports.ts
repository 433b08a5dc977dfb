import { parquetWriteBuffer } from 'hyparquet-writer';
import {
  EXPORT_TABLES,
  type ExportColumnType,
  type ExportRow,
  type ExportTable,
  exportKey,
} from '../../domain/analytics';
import type { AnalyticsExports } from '../../use-cases/ports';

/** Where export files go: an S3 bucket, or a directory. `put` replaces the object whole. */
export interface ObjectStore {
  put(key: string, body: Uint8Array): Promise<void>;
}

// The Parquet type of each column type: INT64 takes BigInt values, TIMESTAMP is INT64 milliseconds (UTC).
const PARQUET_TYPES = {
  string: 'STRING',
  int: 'INT32',
  bigint: 'INT64',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP',
} as const satisfies Record<ExportColumnType, string>;

const convert: Record<ExportColumnType, (v: NonNullable<ExportRow[string]>) => unknown> = {
  string: (v) => String(v),
  int: (v) => Number(v),
  bigint: (v) => BigInt(v as number),
  double: (v) => Number(v),
  timestamp: (v) => (v instanceof Date ? v : new Date(v)),
};

/** Encodes one day of a table as Parquet (columns from lambdas/shared/domain/analytics.ts). */
export function encodeParquet(table: ExportTable, rows: ExportRow[]): Uint8Array {
  const columnData = EXPORT_TABLES[table].map((column) => ({
    name: column.name,
    type: PARQUET_TYPES[column.type],
    data: rows.map((row) => {
      const value = row[column.name];
      return value === null || value === undefined ? null : convert[column.type](value);
    }),
  }));
  // biome-ignore lint/suspicious/noExplicitAny: the writer's column data is typed per column type
  return new Uint8Array(parquetWriteBuffer({ columnData: columnData as any }));
}

/** The exports port over an object store: one Parquet file per table and day under `<table>/dt=<day>/`. */
export class ParquetExports implements AnalyticsExports {
  constructor(private readonly store: ObjectStore) {}

  async write(table: ExportTable, day: string, rows: ExportRow[]): Promise<void> {
    await this.store.put(exportKey(table, day), encodeParquet(table, rows));
  }
}
