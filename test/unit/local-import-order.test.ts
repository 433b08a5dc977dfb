import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// The local runtime sets the handlers' environment (POWERTOOLS_LOG_LEVEL, metrics and tracing off) before
// their first import, as a Lambda cold start has it (local/runtime.ts). Nothing the runtime imports up
// front may build the Powertools singletons first, or LOG_LEVEL would be ignored (INFO at the default WARN).

const ROOT = resolve(import.meta.dirname, '..', '..');

it('importing the local runtime leaves the handlers’ logger to be built with the runtime’s settings', () => {
  const script = `
    await import('./local/runtime.ts');
    process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
    const { logger } = await import('./lambdas/shared/observability.ts');
    process.stdout.write(logger.getLevelName());`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: '' },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(run.stdout).toBe('WARN');
}, 30_000);
