import { synthesize, withoutBundlingNotices } from './support/synth';

// `npm test` synthesizes the stack many times; CDK's per-asset "Bundling asset ..." notices are dropped
// there, and nothing else is (an esbuild error must still show).

describe('bundling output in the infra tests', () => {
  let written: string[];
  const realWrite = process.stderr.write;
  beforeEach(() => {
    written = [];
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
  });
  afterEach(() => {
    process.stderr.write = realWrite;
  });

  it('a synth prints no bundling notices', () => {
    const { template } = synthesize({ target: 'aws' });
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).length).toBeGreaterThan(0);
    expect(written.filter((w) => w.includes('Bundling asset'))).toEqual([]);
  }, 120_000);

  it('passes everything else through', () => {
    withoutBundlingNotices(() => {
      process.stderr.write('Bundling asset Payments-dev/Fn-api/Function/Code/Stage...\n');
      process.stderr.write('✘ [ERROR] Could not resolve "nope"\n');
    });
    expect(written).toEqual(['✘ [ERROR] Could not resolve "nope"\n']);
  });
});
