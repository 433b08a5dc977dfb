import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { RequestError } from './errors';

// `GET /docs`: Swagger UI from the swagger-ui-dist package, every asset served by the API itself (no CDN)
// (docs/architecture.md, "API reference"). The assets are files read on request, not bundled code, so the
// function's bundle and cold start do not grow: in AWS they are copied next to the handler at bundling
// (lib/constructs/docs-assets.ts), locally they are read from node_modules.

/** The directory next to the bundled handler that holds the assets in AWS. */
export const DOCS_ASSETS_DIR = 'docs-assets';

const TYPES = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const;

/** The files of swagger-ui-dist the page loads, with their content types. */
export const DOCS_ASSETS: Record<string, string> = {
  'swagger-ui-bundle.js': TYPES.js,
  'swagger-ui.css': TYPES.css,
};

// URLs relative to the page, so the viewer works under an API Gateway stage prefix (/prod/docs) too.
const INIT = `window.ui = SwaggerUIBundle({
  url: new URL('openapi.json', window.location.href).href,
  dom_id: '#swagger-ui',
  persistAuthorization: true,
  tryItOutEnabled: true,
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Payments platform API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

function assetsDir(): string {
  const bundled = join(dirname(fileURLToPath(import.meta.url)), DOCS_ASSETS_DIR);
  if (existsSync(bundled)) return bundled;
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

const cache = new Map<string, string>();

/** The page, or one of its assets; anything else is a 404. */
export function docsAnswer(asset?: string): APIGatewayProxyResult {
  const headers = (type: string) => ({ 'Content-Type': type, 'Cache-Control': 'public, max-age=300' });
  if (asset === undefined)
    return { statusCode: 200, headers: headers('text/html; charset=utf-8'), body: PAGE };
  if (asset === 'init.js') return { statusCode: 200, headers: headers(TYPES.js), body: INIT };
  // Own keys only: `constructor` or `toString` must not pass for a file name.
  const type = Object.hasOwn(DOCS_ASSETS, asset) ? DOCS_ASSETS[asset] : undefined;
  if (!type) throw new RequestError('not_found', 'No such file');
  let body = cache.get(asset);
  if (body === undefined) {
    body = readFileSync(join(assetsDir(), asset), 'utf8');
    cache.set(asset, body);
  }
  return { statusCode: 200, headers: headers(type), body };
}
