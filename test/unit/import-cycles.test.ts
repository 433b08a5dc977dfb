import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// No module imports itself through others: every import graph of the repository is acyclic
// (docs/architecture.md, "Layering"). Relative imports only; packages cannot import us back.

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
