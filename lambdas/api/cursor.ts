import { createHash } from 'node:crypto';
import { RequestError } from './errors';

// The cursor of a keyset page (docs/architecture.md, "Wire contract"): opaque to clients, base64url of
// the last row's position and a hash of the query's filters, so a cursor made for one query is refused
// by another instead of silently paging the wrong list. Not secret: it only positions a list the caller
// may read anyway.

export interface KeysetPosition {
  createdAt: string;
  id: string;
}

/** Everything of a parsed listing query but its page size and position: what a cursor is bound to. */
function filtersOf(query: Record<string, unknown>): string {
  const entries = Object.entries(query)
    .filter(([k, v]) => k !== 'limit' && k !== 'after' && k !== 'cursor' && v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(entries)).digest('base64url').slice(0, 16);
}

export function encodeCursor(position: KeysetPosition, query: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id, filtersOf(query)])).toString(
    'base64url',
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The position in `cursor`, if it was made for this query's filters; otherwise a 400 naming `cursor`. */
export function decodeCursor(
  cursor: string | undefined,
  query: Record<string, unknown>,
): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const [createdAt, id, filters] = Array.isArray(decoded) ? decoded : [];
  const wellFormed =
    typeof createdAt === 'string' &&
    !Number.isNaN(Date.parse(createdAt)) &&
    typeof id === 'string' &&
    UUID.test(id);
  if (!wellFormed) {
    throw new RequestError('validation_error', 'Invalid cursor', [
      { field: 'cursor', issue: 'not a cursor from this API' },
    ]);
  }
  if (filters !== filtersOf(query)) {
    throw new RequestError('validation_error', 'Invalid cursor', [
      { field: 'cursor', issue: 'made for another query: keep the filters of the page it came from' },
    ]);
  }
  return { createdAt, id };
}
