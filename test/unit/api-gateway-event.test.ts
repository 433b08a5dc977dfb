import { toProxyEvent } from '../../local/api-gateway-event';

const route = { method: 'GET' as const, path: '/events', function: 'api', authorized: true };

function eventOf(query: string, rawHeaders: string[] = []) {
  return toProxyEvent(
    {
      method: 'GET',
      path: '/events',
      query: new URLSearchParams(query),
      rawHeaders,
      body: '',
      sourceIp: '127.0.0.1',
      requestId: 'r-1',
    },
    { route, pathParameters: null },
    null,
  );
}

describe('toProxyEvent (the local API Gateway event)', () => {
  it('keeps the last value in the single map and every value in the multi map', () => {
    const event = eventOf('a=1&a=2&b=3', ['X-Test', 'x', 'X-Test', 'y']);
    expect(event.queryStringParameters).toEqual({ a: '2', b: '3' });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'], b: ['3'] });
    expect(event.headers).toEqual({ 'X-Test': 'y' });
    expect(event.multiValueHeaders).toEqual({ 'X-Test': ['x', 'y'] });
  });

  it('takes names an object inherits as plain names (a crash was a 502)', () => {
    const names = ['constructor', 'valueOf', 'toString', 'hasOwnProperty', '__proto__'];
    const event = eventOf(names.map((n) => `${n}=v-${n}`).join('&'), ['constructor', 'h']);
    for (const name of names) {
      expect(Object.hasOwn(event.queryStringParameters!, name)).toBe(true);
      expect(event.queryStringParameters![name]).toBe(`v-${name}`);
      expect(event.multiValueQueryStringParameters![name]).toEqual([`v-${name}`]);
    }
    expect(Object.keys(event.queryStringParameters!)).toEqual(names);
    expect(event.multiValueHeaders.constructor).toEqual(['h']);
  });

  it('gives null maps for no query and no headers, as API Gateway does', () => {
    const event = eventOf('');
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
  });
});
