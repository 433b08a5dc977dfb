import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_ROOT } from '../../lib/constructs/bundling';
import { STACK_OUTPUTS } from '../../lib/names';
import { resourcesOfType, synthesize } from './support/synth';

// The LocalStack target: the same stack against localstack.yml (README "LocalStack").

const compose = readFileSync(join(PROJECT_ROOT, 'localstack.yml'), 'utf8');
const setting = (name: string) => compose.match(new RegExp(`^\\s+${name}:\\s*(\\S+)\\s*$`, 'm'))?.[1];

/** The service (SERVICES spelling) behind a CloudFormation resource type. */
const serviceOf = (type: string) => type.split('::')[1]!.toLowerCase();
/** Resource types whose API LocalStack does not need to offer. */
const NO_SERVICE = (type: string) => type === 'AWS::CDK::Metadata' || type.startsWith('Custom::');

const templates = {} as Record<'localstack' | 'aws', Template>;
beforeAll(() => {
  templates.localstack = synthesize({ stage: 'dev', target: 'localstack' }).template;
  templates.aws = synthesize({ stage: 'dev', target: 'aws' }).template;
});

describe('localstack.yml', () => {
  it('pins the LocalStack image to a release', () => {
    expect(compose).toMatch(/image: localstack\/localstack:\d{4}\.\d{2}\.\d+\s/);
    expect(compose).not.toMatch(/localstack\/localstack:latest/);
  });

  it('starts every service the stack and `cdklocal bootstrap` use', () => {
    const services = new Set(setting('SERVICES')?.split(','));
    const bootstrapTemplate = readFileSync(
      join(PROJECT_ROOT, 'node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml'),
      'utf8',
    );
    const types = [
      ...Object.values(templates.localstack.toJSON().Resources as Record<string, { Type: string }>).map(
        (r) => r.Type,
      ),
      ...[...bootstrapTemplate.matchAll(/Type: (AWS::\w+::\w+)/g)].map((m) => m[1]!),
    ];
    const needed = new Set(['cloudformation', 'sts', ...types.filter((t) => !NO_SERVICE(t)).map(serviceOf)]);
    expect([...needed].filter((s) => !services.has(s)).sort()).toEqual([]);
    expect([...needed]).toEqual(expect.arrayContaining(['ecr', 's3', 'ssm', 'lambda', 'apigateway']));
  });

  it('runs the arm64 functions of the template on any host', () => {
    expect(setting('LAMBDA_IGNORE_ARCHITECTURE')).toMatch(/^["']?1["']?$/);
  });
});

describe('localstack target', () => {
  it('builds the same function architecture as AWS (arm64)', () => {
    for (const template of [templates.localstack, templates.aws]) {
      for (const fn of Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))) {
        if (fn.Properties!.Architectures !== undefined)
          expect(fn.Properties!.Architectures).toEqual(['arm64']);
      }
    }
  });

  it('outputs the API URL LocalStack serves it on', () => {
    // http://localhost:4566/restapis/<api id>/<stage>/_user_request_/ (LocalStack's path form, no DNS needed)
    const apiId = Object.keys(resourcesOfType(templates.localstack, 'AWS::ApiGateway::RestApi'))[0]!;
    const [stageId, stage] = Object.entries(
      resourcesOfType(templates.localstack, 'AWS::ApiGateway::Stage'),
    )[0]!;
    expect(stage.Properties!.StageName).toBe('dev');
    const outputs = templates.localstack.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[STACK_OUTPUTS.apiUrl]!.Value).toEqual({
      'Fn::Join': [
        '',
        ['http://localhost:4566/restapis/', { Ref: apiId }, '/', { Ref: stageId }, '/_user_request_/'],
      ],
    });
    // AWS keeps the execute-api URL.
    const awsOutputs = templates.aws.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(awsOutputs[STACK_OUTPUTS.apiUrl]!.Value)).toContain('.execute-api.');
  });
});
