// The analytics exports' tables as plain data (docs/architecture.md, "Analytics"): the Parquet writer and the
// Glue tables Athena reads are both built from these lists, so a column cannot drift between the two.

/** A column's type, as the export writes it; lib/constructs/analytics-exports.ts maps each to Glue's. */
export type ExportColumnType = 'string' | 'int' | 'bigint' | 'double' | 'timestamp';

export interface ExportColumn {
  name: string;
  type: ExportColumnType;
}

/** The two exported tables, each under `<table>/dt=YYYY-MM-DD/` (the day of creation, UTC). */
export const EXPORT_TABLES = {
  payment_facts: [
    { name: 'payment_id', type: 'string' },
    { name: 'user_id', type: 'string' },
    { name: 'currency', type: 'string' },
    { name: 'amount', type: 'bigint' },
    { name: 'status', type: 'string' },
    { name: 'failure_code', type: 'string' },
    { name: 'risk_score', type: 'int' },
    { name: 'risk_level', type: 'string' },
    { name: 'risk_outcome', type: 'string' },
    { name: 'created_at', type: 'timestamp' },
    { name: 'settled_at', type: 'timestamp' },
    { name: 'time_to_terminal_ms', type: 'bigint' },
    { name: 'notifications_sent', type: 'int' },
  ],
  daily_payment_stats: [
    { name: 'currency', type: 'string' },
    { name: 'payments', type: 'bigint' },
    { name: 'succeeded', type: 'bigint' },
    { name: 'failed', type: 'bigint' },
    { name: 'declined', type: 'bigint' },
    { name: 'blocked', type: 'bigint' },
    { name: 'amount_total', type: 'bigint' },
    { name: 'amount_succeeded', type: 'bigint' },
    { name: 'success_rate', type: 'double' },
    { name: 'decline_rate', type: 'double' },
    { name: 'block_rate', type: 'double' },
    { name: 'p50_time_to_terminal_ms', type: 'double' },
    { name: 'p95_time_to_terminal_ms', type: 'double' },
  ],
} as const satisfies Record<string, readonly ExportColumn[]>;

export type ExportTable = keyof typeof EXPORT_TABLES;

/** The partition column of every exported table. */
export const EXPORT_PARTITION = 'dt';

/** Where one day of one table goes, relative to the export root (a bucket, or a directory). */
export function exportKey(table: ExportTable, day: string): string {
  return `${table}/${EXPORT_PARTITION}=${day}/part-0.parquet`;
}

/** A row of an exported table: column name to value (null where SQL has NULL). */
export type ExportRow = Record<string, string | number | Date | null>;

/** One day x currency of daily_payment_stats, as the report reads it. */
export interface DailyStats {
  day: string;
  currency: string;
  payments: number;
  succeeded: number;
  failed: number;
  declined: number;
  blocked: number;
  amountTotal: number;
  amountSucceeded: number;
  successRate: number;
  declineRate: number;
  blockRate: number;
  p50TimeToTerminalMs: number;
  p95TimeToTerminalMs: number;
}
