import type { Template } from 'aws-cdk-lib/assertions';
import type * as z from 'zod';
import {
  analyticsConfigSchema,
  databaseConfigSchema,
  loadConfig,
  platformConfigSchema,
  tokenConfigSchema,
} from '../../lambdas/shared/config';
import { topology } from '../../lib/topology';
import { environmentOf, functionIdOf, PROD, resourcesOfType, synthesize } from './support/synth';

// Every function's template environment satisfies the configuration schema its handler loads, so each
// one starts in AWS. References (Ref, Fn::GetAtt) are deploy-time strings: a placeholder stands for each.
// test/e2e/bundles.test.ts runs the bundles themselves with these environments.

/** Which schema each handler loads (lambdas/<function>/handler.ts). */
function schemaOf(name: string): z.ZodType {
  if (name === topology.authorizer) return tokenConfigSchema;
  if (name === 'analytics') return analyticsConfigSchema;
  const spec = topology.functions[name as keyof typeof topology.functions];
  return spec.publishesEvents ? platformConfigSchema : databaseConfigSchema;
}

const resolved = (env: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : `resolved-${k}`]));

describe.each([
  ['dev', { target: 'aws' as const }],
  ['prod', PROD],
  ['localstack', { target: 'localstack' as const }],
])('function environments (%s)', (_label, context) => {
  let template: Template;
  beforeAll(() => {
    template = synthesize(context).template;
  });

  it.each(Object.keys(topology.functions))('%s starts with the environment the template gives it', (name) => {
    const fn = resourcesOfType(template, 'AWS::Lambda::Function')[functionIdOf(template, name)]!;
    expect(() => loadConfig(schemaOf(name), resolved(environmentOf(fn)))).not.toThrow();
  });

  it('would fail a function whose template environment lacks what its code needs', () => {
    const fn = resourcesOfType(template, 'AWS::Lambda::Function')[
      functionIdOf(template, topology.authorizer)
    ]!;
    const { JWT_SECRET_ARN: _secret, JWT_JWKS_URL: _jwks, ...without } = resolved(environmentOf(fn));
    expect(() => loadConfig(schemaOf(topology.authorizer), without)).toThrow(
      /JWT_JWKS_URL or JWT_SECRET_ARN/,
    );
  });
});
