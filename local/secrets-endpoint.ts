import { type AwsJsonService, AwsServiceError, requireString } from './aws-json';

// The slice of the Secrets Manager JSON 1.1 protocol the functions use: GetSecretValue at cold start.
// Serves the secrets the local runtime holds, by ARN (local/cloud-assembly.ts names them).

export function secretsManagerService(secrets: ReadonlyMap<string, string>): AwsJsonService {
  return {
    targetPrefix: 'secretsmanager',
    contentType: 'application/x-amz-json-1.1',
    errorNamespace: 'com.amazonaws.secretsmanager',
    operations: {
      GetSecretValue: async (input) => {
        const id = requireString(input, 'SecretId');
        const value = secrets.get(id);
        if (value === undefined) {
          throw new AwsServiceError(
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret.",
          );
        }
        return {
          ARN: id,
          Name: id.split(':').at(-1),
          SecretString: value,
          VersionId: 'local',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 0,
        };
      },
    },
  };
}
