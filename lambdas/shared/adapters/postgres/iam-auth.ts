import { Signer } from '@aws-sdk/rds-signer';

// RDS IAM authentication (docs/architecture.md, "Database roles"): the password is a token signed with the
// function's own credentials, valid 15 minutes, which RDS Proxy checks against `rds-db:connect` for this
// user. Signing is local (no network call), so a token per new connection costs nothing worth caching.

export interface IamAuthTarget {
  hostname: string;
  port: number;
  username: string;
}

/** A fresh IAM authentication token for `target`, used as the connection's password. */
export function iamAuthToken(target: IamAuthTarget): Promise<string> {
  return new Signer(target).getAuthToken();
}
