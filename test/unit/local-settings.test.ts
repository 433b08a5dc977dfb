import { parseLocalSettings, SettingsError } from '../../local/settings';

// `npm start` checks every setting before it touches anything, naming the wrong one (local/settings.ts).

describe('local runtime settings', () => {
  it('defaults: port 3000, consumers on', () => {
    expect(parseLocalSettings({})).toMatchObject({ PORT: 3000, LOCAL_CONSUMERS: 'on' });
  });

  it('reads and normalises valid settings', () => {
    const settings = parseLocalSettings({
      PORT: '0',
      LOG_LEVEL: 'info',
      LOCAL_CONSUMERS: 'OFF',
      HOST: '0.0.0.0',
    });
    expect(settings).toMatchObject({ PORT: 0, LOG_LEVEL: 'INFO', LOCAL_CONSUMERS: 'off', HOST: '0.0.0.0' });
  });

  it('the console (GET /) is on unless LOCAL_CONSOLE=off; any other value is refused', () => {
    expect(parseLocalSettings({}).LOCAL_CONSOLE).toBe('on');
    expect(parseLocalSettings({ LOCAL_CONSOLE: ' OFF ' }).LOCAL_CONSOLE).toBe('off');
    expect(() => parseLocalSettings({ LOCAL_CONSOLE: 'no' })).toThrow(
      /LOCAL_CONSOLE="no": must be on or off/,
    );
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid setting PORT="abc": must be a port number/],
    [{ PORT: '70000' }, /^Invalid setting PORT="70000"/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid setting LOG_LEVEL="loud": must be one of TRACE, DEBUG/],
    [{ LOCAL_CONSUMERS: 'maybe' }, /^Invalid setting LOCAL_CONSUMERS="maybe": must be on or off/],
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid setting DATABASE_URL="mysql:\/\/x"/],
    [{ LOCAL_BUNDLES: '/no/such/cdk.out' }, /^Invalid setting LOCAL_BUNDLES=.*no such directory/],
  ])('%j is refused with a message naming it', (env, message) => {
    expect(() => parseLocalSettings(env)).toThrow(SettingsError);
    expect(() => parseLocalSettings(env)).toThrow(message);
  });

  it('rate limits: WAF defaults, 60 s window, 0 switches a rule off', () => {
    expect(parseLocalSettings({})).toMatchObject({
      RATE_LIMIT_PER_TOKEN_PER_MINUTE: 6000,
      RATE_LIMIT_PER_IP_PER_MINUTE: 12_000,
      RATE_LIMIT_WINDOW_SECONDS: 60,
    });
    expect(
      parseLocalSettings({ RATE_LIMIT_PER_TOKEN_PER_MINUTE: '0', RATE_LIMIT_PER_IP_PER_MINUTE: ' 25 ' }),
    ).toMatchObject({ RATE_LIMIT_PER_TOKEN_PER_MINUTE: 0, RATE_LIMIT_PER_IP_PER_MINUTE: 25 });
  });

  it.each([
    [
      { RATE_LIMIT_PER_TOKEN_PER_MINUTE: '-1' },
      /RATE_LIMIT_PER_TOKEN_PER_MINUTE="-1": must be a whole number from 0/,
    ],
    [{ RATE_LIMIT_PER_IP_PER_MINUTE: '1.5' }, /RATE_LIMIT_PER_IP_PER_MINUTE="1.5": must be a whole number/],
    [{ RATE_LIMIT_WINDOW_SECONDS: '0' }, /RATE_LIMIT_WINDOW_SECONDS="0": must be a whole number from 1/],
  ])('rate limit %j is refused with a message naming it', (env, message) => {
    expect(() => parseLocalSettings(env)).toThrow(message);
  });

  it('names every wrong setting at once', () => {
    expect(() => parseLocalSettings({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT="x".*; LOG_LEVEL="y"/);
  });
});
