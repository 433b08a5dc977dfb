import { DOCS_ASSETS, DOCS_ASSETS_DIR } from '../../lambdas/api/docs';

/**
 * Bundling hook of the API function: Swagger UI's files next to its handler, where `GET /docs` reads them
 * (lambdas/api/docs.ts). Copied files, not bundled code: the bundle and its cold start stay as they were.
 */
export const copyDocsAssetsHook = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir: string, outputDir: string) => [
    `mkdir -p "${outputDir}/${DOCS_ASSETS_DIR}"`,
    ...Object.keys(DOCS_ASSETS).map(
      (file) =>
        `cp "${inputDir}/node_modules/swagger-ui-dist/${file}" "${outputDir}/${DOCS_ASSETS_DIR}/${file}"`,
    ),
  ],
};
