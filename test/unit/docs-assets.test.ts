import { DOCS_ASSETS, docsAnswer } from '../../lambdas/api/docs';
import { RequestError } from '../../lambdas/api/errors';

// GET /docs/{asset} serves the viewer's own files and nothing else (docs/architecture.md, "API reference").

describe('docsAnswer', () => {
  it('serves the page and each of its assets', () => {
    expect(docsAnswer().statusCode).toBe(200);
    for (const asset of [...Object.keys(DOCS_ASSETS), 'init.js']) {
      const answer = docsAnswer(asset);
      expect({ asset, status: answer.statusCode }).toEqual({ asset, status: 200 });
      expect(answer.body.length).toBeGreaterThan(10);
    }
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'secrets.txt', '../package.json', ''])(
    'answers 404 for %j, never reads it',
    (asset) => {
      let thrown: unknown;
      try {
        docsAnswer(asset);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(RequestError);
      expect((thrown as RequestError).code).toBe('not_found');
    },
  );
});
