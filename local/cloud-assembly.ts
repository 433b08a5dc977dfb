import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { names } from '../lib/names';
import type { FunctionSpec, Topology } from '../lib/topology';

// What `cdk synth` made, as the local runtime runs it (LOCAL_BUNDLES): each topology function's bundle
// directory, handler and the environment its template gives it, with the values CloudFormation would
// resolve at deploy time (Ref, Fn::GetAtt) mapped to their local equivalents. A value with no local
// equivalent is refused, so a new reference cannot slip through unmapped.

type Resource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> };

export interface BundledFunction {
  /** Its topology key. */
  name: string;
  spec: FunctionSpec;
  /** The unzipped asset: what Lambda mounts as LAMBDA_TASK_ROOT. */
  dir: string;
  /** `file.export`, e.g. `index.handler`. */
  handler: string;
  /** The template's environment, references resolved (see `LocalReferences`). */
  environment: Record<string, string>;
}

/** The local values of what the templates' environments reference. */
export interface LocalReferences {
  /** DATABASE_HOST: the RDS Proxy endpoint. */
  databaseHost: string;
  /** A secret's ARN, by the environment variable that names it (DATABASE_SECRET_ARN, JWT_SECRET_ARN). */
  secretArn(variable: string, logicalId: string): string;
}

export interface CloudAssembly {
  stackName: string;
  /** The stage the stack was synthesized for (the functions' APP_STAGE). */
  stage: string;
  /** The custom bus's name as the stack creates it. */
  busName: string;
  functions(references: LocalReferences): Map<string, BundledFunction>;
}

export function readCloudAssembly(dir: string, topology: Topology): CloudAssembly {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) throw new Error(`${dir}: expected one stack, found ${stacks.length}`);
  const [stackName, artifact] = stacks[0]!;
  const template = JSON.parse(readFileSync(join(dir, artifact.properties!.templateFile!), 'utf8')) as {
    Resources: Record<string, Resource>;
  };
  const resources = template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const buses = ofType('AWS::Events::EventBus');
  if (buses.length !== 1) throw new Error(`${stackName}: expected one event bus, found ${buses.length}`);
  const busName = String(buses[0]![1].Properties?.Name);
  const lambdas = ofType('AWS::Lambda::Function');
  const environmentOf = (r: Resource) =>
    ((r.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {}) as Record<
      string,
      unknown
    >;
  // The platform's functions all carry their stage (CDK's own provider functions carry none).
  const stages = new Set(lambdas.map(([, r]) => environmentOf(r).APP_STAGE).filter((v) => v !== undefined));
  if (stages.size !== 1)
    throw new Error(`${stackName}: expected one APP_STAGE, found ${[...stages].join(', ')}`);
  const stage = String([...stages][0]);

  return {
    stackName,
    stage,
    busName,
    functions: (references) =>
      new Map(
        Object.entries(topology.functions).map(([name, spec]) => {
          const functionName = names.inStage(stage, name);
          const found = lambdas.find(([, r]) => r.Properties?.FunctionName === functionName);
          if (!found) throw new Error(`${stackName} has no function ${functionName}`);
          const [id, resource] = found;
          const asset = resource.Metadata?.['aws:asset:path'];
          if (typeof asset !== 'string')
            throw new Error(`${id}: no aws:asset:path metadata (synth with the CLI)`);
          const environment = Object.fromEntries(
            Object.entries(environmentOf(resource)).map(([variable, value]) => [
              variable,
              resolve(value, variable, resources, references),
            ]),
          );
          const bundled: BundledFunction = {
            name,
            spec,
            dir: join(dir, asset),
            handler: String(resource.Properties?.Handler),
            environment,
          };
          return [name, bundled];
        }),
      ),
  };
}

/** A template value as CloudFormation would resolve it, in local terms. */
function resolve(
  value: unknown,
  variable: string,
  resources: Record<string, Resource>,
  references: LocalReferences,
): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const refused = (what: string) =>
    new Error(`${variable}: ${what} has no local equivalent (local/cloud-assembly.ts maps each one)`);
  if (intrinsic.Ref !== undefined) {
    const type = resources[intrinsic.Ref]?.Type;
    if (type === 'AWS::SecretsManager::Secret' || type === 'AWS::SecretsManager::SecretTargetAttachment') {
      return references.secretArn(variable, intrinsic.Ref);
    }
    if (type === 'AWS::Events::EventBus') return String(resources[intrinsic.Ref]!.Properties?.Name);
    // The analytics bucket: its name only; locally the exports go to a directory (ANALYTICS_EXPORT_DIR).
    if (type === 'AWS::S3::Bucket') return `local-${intrinsic.Ref.toLowerCase()}`;
    throw refused(`Ref to ${type ?? intrinsic.Ref}`);
  }
  if (intrinsic['Fn::GetAtt']) {
    const [id, attribute] = intrinsic['Fn::GetAtt'];
    const type = resources[id]?.Type;
    if (type === 'AWS::RDS::DBProxy' && attribute === 'Endpoint') return references.databaseHost;
    throw refused(`Fn::GetAtt ${type ?? id}.${attribute}`);
  }
  throw refused(JSON.stringify(value));
}
