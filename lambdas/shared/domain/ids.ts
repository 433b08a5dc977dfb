// Ids are compared in one canonical form everywhere (docs/architecture.md, "Wire contract"): a UUID in
// lower case, whatever case it arrived in. Other ids (an identity provider's `sub`) may be case-sensitive
// and are kept as they are.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function canonicalId(id: string): string {
  return UUID.test(id) ? id.toLowerCase() : id;
}
