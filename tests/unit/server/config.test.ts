// The new limits of issue 14 read from the environment: defaults, bounds, and the pair Node insists on.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config.js';

describe('config: HTTP limits and reservations', () => {
  it('defaults to limits sized for tablets on slow networks and 3 live reservations per cell', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ headersTimeoutMs: 20_000, requestTimeoutMs: 120_000, maxConnections: 512 });
    expect(config.quotas).toEqual({ maxLiveReservations: 3 });
  });

  it('reads them from the environment', () => {
    const config = loadConfig({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '30000', MAX_CONNECTIONS: '64', QUOTA_MAX_LIVE_RESERVATIONS: '5' });
    expect(config.http).toEqual({ headersTimeoutMs: 5_000, requestTimeoutMs: 30_000, maxConnections: 64 });
    expect(config.quotas.maxLiveReservations).toBe(5);
  });

  it.each([
    [{ HEADERS_TIMEOUT_MS: '60000', REQUEST_TIMEOUT_MS: '30000' }, /must not exceed REQUEST_TIMEOUT_MS/],
    [{ MAX_CONNECTIONS: '0' }, /MAX_CONNECTIONS must be an integer/],
    [{ REQUEST_TIMEOUT_MS: 'soon' }, /REQUEST_TIMEOUT_MS must be an integer/],
    [{ QUOTA_MAX_LIVE_RESERVATIONS: '0' }, /QUOTA_MAX_LIVE_RESERVATIONS must be an integer/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
