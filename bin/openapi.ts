import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openApiDocument } from '../lambdas/api/openapi/spec';
import { parseCli } from '../scripts/cli';

// `npm run openapi`: writes docs/openapi.json from the zod schemas (docs/architecture.md, "API reference").
// A unit test fails while the committed file differs from what this writes.

const COMMAND = 'npm run openapi --';
parseCli({
  command: COMMAND,
  usage: `Usage: ${COMMAND}

Writes docs/openapi.json, the OpenAPI 3.1 document the API serves at GET /openapi.json.
  -h, --help    this text`,
  options: {},
});

export const OPENAPI_FILE = resolve(import.meta.dirname, '..', 'docs', 'openapi.json');
await writeFile(OPENAPI_FILE, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
process.stdout.write(`Wrote ${OPENAPI_FILE}\n`);
