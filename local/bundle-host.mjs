// One function's bundle in a process of its own, as Lambda's Node.js runtime runs it: only the
// environment given at spawn (the template's, resolved), the handler imported once (init), then
// invocations one message each. Plain JavaScript on purpose: it runs on `node` alone, without the
// TypeScript loader the rest of the local runtime uses. The parent is local/bundle-process.ts.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, handlerSpec] = process.argv.slice(2);
const dot = handlerSpec.lastIndexOf('.');
const file = handlerSpec.slice(0, dot);
const exportName = handlerSpec.slice(dot + 1);

const describe = (error) => ({
  name: error?.name ?? 'Error',
  message: error?.message ?? String(error),
  stack: error?.stack,
});

let handler;
try {
  const module = await import(pathToFileURL(join(dir, `${file}.mjs`)).href);
  handler = module[exportName];
  if (typeof handler !== 'function') throw new Error(`${handlerSpec} is not a function`);
} catch (error) {
  process.send({ type: 'init-error', error: describe(error) });
  process.disconnect();
  process.exit(1);
}

const unsupported = () => {
  throw new Error('Callback-style completion is not supported: return a promise');
};

process.on('message', async (message) => {
  const { id, event, context, deadline } = message;
  const lambdaContext = {
    ...context,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
  try {
    const result = await handler(event, lambdaContext);
    process.send({ type: 'result', id, result });
  } catch (error) {
    process.send({ type: 'error', id, error: describe(error) });
  }
});
// The runtime that started us is gone (stopped, or killed): so are we, as a Lambda sandbox would be.
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
