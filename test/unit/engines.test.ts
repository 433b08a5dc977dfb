import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import semver from 'semver';

// The Node.js versions the project supports locally (package.json `engines`, README "Node.js") are ones
// every locked dependency supports too: a dependency that drops one fails here, not on a newcomer's
// `npm ci` (npm only warns, EBADENGINE) or at run time.

const ROOT = resolve(import.meta.dirname, '..', '..');
const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

const supported: string = read('package.json').engines.node;
const lock: { packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }> } =
  read('package-lock.json');
/** The lowest of each supported major line, the floors of 20.19+, 22.13+ and 24. */
const floors = ['20.19.0', '22.13.0', '24.0.0'].filter((v) => semver.satisfies(v, supported));

describe('Node.js versions', () => {
  it('the project supports Node 20.19+, 22.13+ and 24', () => {
    expect(floors).toEqual(['20.19.0', '22.13.0', '24.0.0']);
  });

  it('every locked dependency supports each of them', () => {
    const refusing = Object.entries(lock.packages).flatMap(([path, p]) => {
      const node = !Array.isArray(p.engines) ? p.engines?.node : undefined;
      if (!path || !node) return [];
      return floors.filter((v) => !semver.satisfies(v, node)).map((v) => `${path} (${node}) refuses ${v}`);
    });
    expect(refusing).toEqual([]);
  });
});
