import { ConfigError, loadConfig } from './env.js';

const dataDir = '/tmp/fapai-env-spec';

describe('environment schema', () => {
  it('has documented defaults for development', () => {
    const c = loadConfig({ DATA_DIR: dataDir });
    expect(c).toMatchObject({ port: 3000, rulesProfile: 'statutory', adminEmail: 'admin@fapai.local', env: 'development', migrationsRun: true, seedDemo: true });
    expect(c.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('stops on a bad setting and names it', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATA_DIR: dataDir, RULES_PROFILE: 'lenient' })).toThrow(/RULES_PROFILE/);
    expect(() => loadConfig({ DATA_DIR: dataDir, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ DATA_DIR: dataDir, ADMIN_EMAIL: 'not-an-email' })).toThrow(ConfigError);
  });

  it('has the socket heartbeat and recovery window as settings, defaults 10 s + 8 s and 2 minutes, within bounds', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).realtime).toEqual({ pingIntervalMs: 10_000, pingTimeoutMs: 8_000, recoveryMs: 120_000 });
    expect(loadConfig({ DATA_DIR: dataDir, SOCKET_PING_INTERVAL_MS: '25000', SOCKET_PING_TIMEOUT_MS: '20000', SOCKET_RECOVERY_SECONDS: '30' }).realtime).toEqual({ pingIntervalMs: 25_000, pingTimeoutMs: 20_000, recoveryMs: 30_000 });
    expect(() => loadConfig({ DATA_DIR: dataDir, SOCKET_PING_INTERVAL_MS: '500' })).toThrow(/SOCKET_PING_INTERVAL_MS: SOCKET_PING_INTERVAL_MS must not be less than 1000/);
    expect(() => loadConfig({ DATA_DIR: dataDir, SOCKET_PING_TIMEOUT_MS: 'soon' })).toThrow(/SOCKET_PING_TIMEOUT_MS/);
    // Recovery cannot be turned off: a brief drop must replay what was missed.
    expect(() => loadConfig({ DATA_DIR: dataDir, SOCKET_RECOVERY_SECONDS: '0' })).toThrow(/SOCKET_RECOVERY_SECONDS: SOCKET_RECOVERY_SECONDS must not be less than 10/);
  });

  it('validates the pool size, and keeps the group commits below it', () => {
    expect(loadConfig({ DATA_DIR: dataDir })).toMatchObject({ dbPoolSize: 20, bidGroupCommit: { maxInFlight: 4 } });
    expect(loadConfig({ DATA_DIR: dataDir, DB_POOL_SIZE: '40', BID_GROUP_COMMITS: '8' })).toMatchObject({ dbPoolSize: 40, bidGroupCommit: { maxInFlight: 8 } });
    expect(() => loadConfig({ DATA_DIR: dataDir, DB_POOL_SIZE: 'twenty' })).toThrow(/DB_POOL_SIZE: DB_POOL_SIZE must be an integer number/);
    expect(() => loadConfig({ DATA_DIR: dataDir, DB_POOL_SIZE: '1' })).toThrow(/DB_POOL_SIZE: DB_POOL_SIZE must not be less than 2/);
    expect(() => loadConfig({ DATA_DIR: dataDir, DB_POOL_SIZE: '4' })).toThrow(/BID_GROUP_COMMITS: must be less than DB_POOL_SIZE \(4\)/);
    expect(loadConfig({ DATA_DIR: dataDir, DB_POOL_SIZE: '4', BID_GROUP_COMMITS: '3' }).bidGroupCommit.maxInFlight).toBe(3);
  });

  it('gives secrets no production default', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y' })).toThrow(/ADMIN_PASSWORD.*\n.*JWT_SECRET.*\n.*IDENTITY_HASH_KEY/s);
    const ok = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y', ADMIN_PASSWORD: 'a-long-password', JWT_SECRET: 'j'.repeat(40), IDENTITY_HASH_KEY: 'k'.repeat(40) });
    expect(ok.seedDemo).toBe(false);
  });

  it('refuses a live Stripe key unless explicitly allowed, and wants the webhook secret with a key', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' })).toThrow(/live key is refused/);
    expect(() => loadConfig({ DATA_DIR: dataDir, STRIPE_SECRET_KEY: 'sk_test_abc' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(loadConfig({ DATA_DIR: dataDir, STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc', STRIPE_ALLOW_LIVE: 'true' }).stripe.allowLive).toBe(true);
  });
});
