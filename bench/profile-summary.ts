import { readFile } from 'node:fs/promises';

// `tsx bench/profile-summary.ts <file.cpuprofile> [by=url|function] [top]`: self time per script (or per
// function), to read a `node --cpu-prof` profile without a browser.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, by = 'url', top = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [url|function] [top]');
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id)!;
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const f = node.callFrame;
  const url = f.url.replace(/^.*node_modules\//, 'nm:').replace(/^file:\/\/.*\/work\/main\//, '');
  const key =
    by === 'function' ? `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber}` : url || f.functionName;
  selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
});
const rows = [...selfUs.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(top));
process.stdout.write(`total ${(total / 1000).toFixed(0)} ms\n`);
for (const [key, us] of rows) process.stdout.write(`${(us / 1000).toFixed(1).padStart(8)} ms  ${key}\n`);
