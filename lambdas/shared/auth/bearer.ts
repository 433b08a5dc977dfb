/**
 * The token of an `Authorization: Bearer <token>` header, or undefined when the header is not that
 * (RFC 6750 / RFC 9110: the scheme name is case-insensitive and one or more spaces follow it). A JWT's
 * shape only: whether it is valid is the verifier's question. One rule for the authorizer and for
 * anything that must agree with it (the fuzz run's judge).
 */
export function bearerToken(header: string | undefined): string | undefined {
  return /^bearer +([\w-]+\.[\w-]*\.[\w-]*)$/i.exec(header ?? '')?.[1];
}
