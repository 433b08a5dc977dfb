import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

// Comments cite docs/architecture.md by section name: every cited section must exist.

const ROOT = resolve(import.meta.dirname, '..', '..');
const CITATION = /docs\/architecture\.md, "([^"]+)"/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return ['node_modules', '.git', 'cdk.out'].includes(name) ? [] : files(path);
    return /\.(ts|sql|md)$/.test(name) ? [path] : [];
  });
}

describe('citations of docs/architecture.md', () => {
  const sections = new Set(
    [...readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8').matchAll(/^## (.+)$/gm)].map((m) => m[1]),
  );
  const sources = [
    'bin',
    'lib',
    'lambdas',
    'local',
    'scripts',
    'bench',
    'migrations',
    'test',
    'docs',
  ].flatMap((folder) => files(join(ROOT, folder)));
  const citations = sources.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(CITATION)].map((m) => ({
      file: relative(ROOT, file),
      section: m[1],
    })),
  );

  it('are found (the check would pass vacuously otherwise)', () => {
    expect(citations.length).toBeGreaterThan(10);
  });

  it('name sections that exist', () => {
    expect(citations.filter((c) => !sections.has(c.section))).toEqual([]);
  });

  it('never point at a design file outside the repository', () => {
    const outside = sources.filter(
      (file) => /DESIGN\.md/.test(readFileSync(file, 'utf8')) && !file.endsWith('doc-citations.test.ts'),
    );
    expect(outside.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
