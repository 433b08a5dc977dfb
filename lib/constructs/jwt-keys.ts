import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { StageConfig } from '../stage-config';
import type { PlatformFunction } from './platform-function';

/**
 * Where the authorizer's keys come from: an OIDC issuer's JWKS URL (context `jwksUrl`, required in prod),
 * or else (dev, LocalStack) an HS256 secret generated into Secrets Manager. Only the secret's ARN reaches
 * the function.
 */
export class JwtKeys extends Construct {
  readonly secret?: secretsmanager.Secret;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: { config: StageConfig },
  ) {
    super(scope, id);
    if (!props.config.jwt.jwksUrl) {
      this.secret = new secretsmanager.Secret(this, 'SigningSecret', {
        description: 'HS256 key that signs and verifies API bearer tokens',
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        // Never prod (readStageConfig refuses prod without jwksUrl): a throwaway stage's key.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      Validations.of(this.secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotating an HS256 signing key invalidates every issued token at once; this key exists only in dev ' +
          'and LocalStack stages: prod refuses to synthesize without an OIDC issuer (context jwksUrl), whose ' +
          'keys rotate at the issuer.',
      });
    }
  }

  /** Gives a verifier function what it needs to check tokens. */
  configure(fn: PlatformFunction): void {
    const { jwt } = this.props.config;
    fn.addEnvironment({ JWT_ISSUER: jwt.issuer, JWT_AUDIENCE: jwt.audience });
    if (jwt.jwksUrl) {
      fn.addEnvironment({ JWT_JWKS_URL: jwt.jwksUrl });
    } else if (this.secret) {
      this.secret.grantRead(fn.role);
      fn.addEnvironment({ JWT_SECRET_ARN: this.secret.secretArn });
    }
  }
}
