import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The layering rules of docs/architecture.md, "Layering": no module imports itself through others,
// and the use cases and the domain import no AWS SDK, no Lambda types, no adapter and no HTTP edge.

const ROOT = resolve(import.meta.dirname, '..', '..');
const FOLDERS = ['bin', 'lib', 'lambdas', 'local', 'scripts', 'bench', 'test'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;
const ANY_IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of FOLDERS.flatMap((f) => sourceFiles(join(ROOT, f)))) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(IMPORT)]
      .map((m) => resolveImport(file, (m[1] ?? m[2])!))
      .filter((t): t is string => t !== undefined);
    edges.set(file, targets);
  }
  return edges;
}

function cycles(edges: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)).concat(next));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return found.map((c) => c.map((f) => relative(ROOT, f)));
}

describe('import graph', () => {
  it('reads the repository (the check would pass vacuously otherwise)', () => {
    const edges = graph();
    expect(edges.size).toBeGreaterThan(150);
    expect(edges.get(join(ROOT, 'local/runtime.ts'))).toContain(join(ROOT, 'local/functions.ts'));
  });

  it('finds a cycle when there is one', () => {
    const a = join(ROOT, 'a.ts');
    const b = join(ROOT, 'b.ts');
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph())).toEqual([]);
  });
});

describe('layers', () => {
  const inner = ['lambdas/shared/use-cases', 'lambdas/shared/domain', 'lambdas/shared/events'];
  const forbidden = [
    /^@aws-sdk\//,
    /^@aws-lambda-powertools\//,
    /^aws-lambda$/,
    /^@middy\//,
    /^postgres$/,
    /\/adapters\//,
    /\/api\//,
    /\/sqs-worker\//,
    /\/local\//,
  ];

  it('keep the use cases and the domain free of AWS, Lambda, adapters and the HTTP edge', () => {
    const offending = inner
      .flatMap((folder) => sourceFiles(join(ROOT, folder)))
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(ANY_IMPORT)]
          .map((m) => (m[1] ?? m[2])!)
          .filter((specifier) => forbidden.some((f) => f.test(specifier)))
          .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
      );
    expect(offending).toEqual([]);
  });

  it('would see such an import', () => {
    const specifiers = [..."import { SQSClient } from '@aws-sdk/client-sqs';".matchAll(ANY_IMPORT)];
    expect(specifiers.map((m) => m[1])).toEqual(['@aws-sdk/client-sqs']);
  });
});
