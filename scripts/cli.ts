import { type ParseArgsConfig, parseArgs } from 'node:util';

// The one way every command-line tool (bin/*, bench/run.ts) reads its arguments: `--help` prints the
// usage and exits 0; wrong usage prints one line and exits 2, never a stack trace.

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CliSpec<O extends Options> {
  /** As the user types it, e.g. `npm run token --`. */
  command: string;
  /** The whole usage text (--help prints it). */
  usage: string;
  options: O;
  allowPositionals?: boolean;
  args?: readonly string[];
}

/** Prints `message` as the one line of a usage error, and exits with status 2. */
export function usageError(command: string, message: string): never {
  process.stderr.write(`${command}: ${message.split('\n')[0]} (see: ${command} --help)\n`);
  process.exit(2);
}

/** Node's own parse errors carry their code; their first sentence is the message a user needs. */
export function isArgumentError(error: unknown): error is Error {
  return String((error as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS');
}

export function parseCli<O extends Options>(spec: CliSpec<O>) {
  try {
    const parsed = parseArgs({
      args: spec.args ? [...spec.args] : undefined,
      allowPositionals: spec.allowPositionals ?? false,
      strict: true,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
    });
    if ((parsed.values as { help?: boolean }).help) {
      process.stdout.write(spec.usage.endsWith('\n') ? spec.usage : `${spec.usage}\n`);
      process.exit(0);
    }
    return parsed;
  } catch (error) {
    if (isArgumentError(error)) usageError(spec.command, error.message);
    throw error;
  }
}

/** `raw` as a number from `min` to `max`, or a usage error naming `--name`. */
export function numberOption(command: string, name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    usageError(command, `--${name} must be a number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return n;
}
