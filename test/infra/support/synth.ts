import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { AwsSolutionsChecks } from 'cdk-nag';
import { createApp } from '../../../lib/app';
import { PROJECT_ROOT } from '../../../lib/constructs/bundling';
import { names } from '../../../lib/names';
import type { PaymentsStack } from '../../../lib/payments-stack';

export interface Synthesized {
  app: App;
  stack: PaymentsStack;
  nag: AwsSolutionsChecks;
  template: Template;
}

/** cdk.json's context: the feature flags (and defaults) `cdk synth` passes to the app. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

/**
 * Synthesizes the real app with cdk.json's context, as `cdk synth` would (bundling with the local esbuild, cdk-nag registered) for one target.
 * Seconds per call: call it once per file, in beforeAll.
 */
export function synthesize(
  context: { stage?: 'dev' | 'prod'; target: 'aws' | 'localstack' } & Record<string, string>,
): Synthesized {
  // CDK's built-in CloudFormation spec check only warns and costs ~8 s per synth; `npm run synth` keeps it.
  // Assets bundle as the stack is built; Template.fromStack synthesizes the whole app (a cdk-nag error
  // would throw here with its report).
  return withoutBundlingNotices(() => {
    const { app, stack, nag } = createApp({
      context: { ...CDK_JSON_CONTEXT, stage: 'dev', ...context },
      builtinCloudFormationValidation: false,
    });
    return { app, stack, nag, template: Template.fromStack(stack) };
  });
}

const BUNDLING_NOTICE = /^Bundling asset \S+\.\.\.\n$/;

/**
 * CDK announces each bundle on stderr, unconditionally (6 functions x every synth: dozens of lines per
 * `npm test`). Only those announcements are dropped; esbuild's warnings and errors still show.
 */
export function withoutBundlingNotices<T>(work: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && BUNDLING_NOTICE.test(chunk)
      ? true
      : (write as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest)) as typeof write;
  try {
    return work();
  } finally {
    process.stderr.write = write;
  }
}

/** A prod stage as it must be synthesized: with an OIDC issuer (prod refuses the generated key). */
export const PROD = {
  stage: 'prod',
  target: 'aws',
  jwksUrl: 'https://issuer.example.com/.well-known/jwks.json',
  jwtIssuer: 'https://issuer.example.com/',
} as const;

export type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown };

export function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** The single logical id of the resource of `type` for which `pick` holds. */
export function logicalIdWhere(template: Template, type: string, pick: (r: Resource) => boolean): string {
  const ids = Object.entries(resourcesOfType(template, type))
    .filter(([, r]) => pick(r))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`Expected exactly one ${type}, found ${ids.length}`);
  return ids[0]!;
}

export function environmentOf(r: Resource): Record<string, unknown> {
  return (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
}

/** The Lambda function of topology function `name` (found by its Powertools service name). */
export function functionIdOf(template: Template, name: string): string {
  return logicalIdWhere(
    template,
    'AWS::Lambda::Function',
    (r) => environmentOf(r).POWERTOOLS_SERVICE_NAME === names.service(name),
  );
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
}

/** Every statement of every identity policy (inline, attached or managed) in the template. */
export function identityStatements(template: Template): Array<{ policy: string; statement: Statement }> {
  const out: Array<{ policy: string; statement: Statement }> = [];
  const add = (policy: string, doc: unknown) => {
    for (const statement of (doc as { Statement?: Statement[] })?.Statement ?? [])
      out.push({ policy, statement });
  };
  for (const [id, r] of Object.entries(resourcesOfType(template, 'AWS::IAM::Policy')))
    add(id, r.Properties?.PolicyDocument);
  for (const [id, r] of Object.entries(resourcesOfType(template, 'AWS::IAM::ManagedPolicy'))) {
    add(id, r.Properties?.PolicyDocument);
  }
  for (const [id, r] of Object.entries(resourcesOfType(template, 'AWS::IAM::Role'))) {
    for (const p of (r.Properties?.Policies as Array<{ PolicyDocument: unknown }>) ?? [])
      add(id, p.PolicyDocument);
  }
  return out;
}

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
