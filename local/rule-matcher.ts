// EventBridge event patterns, limited on purpose to the operators lib/topology.ts uses: a top-level
// envelope field matched against an array of exact string values. Anything else fails at start-up,
// so a new operator in the topology cannot be silently mis-routed on a laptop.

export interface CompiledRule {
  name: string;
  queue: string;
  matches(event: Record<string, unknown>): boolean;
}

export class UnsupportedPatternError extends Error {
  override name = 'UnsupportedPatternError';
}

export function compileRule(name: string, rule: { pattern: object; queue: string }): CompiledRule {
  const fields = Object.entries(rule.pattern);
  if (fields.length === 0) throw new UnsupportedPatternError(`Rule ${name}: empty event pattern`);
  const checks = fields.map(([field, values]) => {
    const exact =
      Array.isArray(values) && values.length > 0 && values.every((v): v is string => typeof v === 'string');
    if (!exact) {
      throw new UnsupportedPatternError(
        `Rule ${name}: field "${field}" uses an operator the local runtime does not implement ` +
          '(only arrays of exact string values are supported)',
      );
    }
    const allowed = new Set(values);
    return (event: Record<string, unknown>) => {
      const value = event[field];
      return typeof value === 'string' && allowed.has(value);
    };
  });
  return { name, queue: rule.queue, matches: (event) => checks.every((check) => check(event)) };
}

/** Compiles every rule or throws on the first unsupported one. */
export function compileRules(rules: Record<string, { pattern: object; queue: string }>): CompiledRule[] {
  return Object.entries(rules).map(([name, rule]) => compileRule(name, rule));
}
