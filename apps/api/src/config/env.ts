/**
 * The environment, as one validated schema. A bad or missing setting stops the process with a message
 * naming it. Secrets never have production defaults: with NODE_ENV=production they must be set; in
 * development a random secret is generated once and kept in the data folder so restarts keep sessions.
 */
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RulesProfileName } from '@fapai/domain';

const toBool = ({ value }: { value: unknown }): unknown =>
  value === undefined || value === '' ? undefined : value === true || value === 'true' || value === '1' ? true : value === false || value === 'false' || value === '0' ? false : value;
const toInt = ({ value }: { value: unknown }): unknown => (value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value);

export class EnvSchema {
  @IsIn(['development', 'production', 'test']) NODE_ENV: 'development' | 'production' | 'test' = 'development';
  @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  @IsOptional() @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' }) DATABASE_URL?: string;
  @IsIn(['statutory', 'sandbox']) RULES_PROFILE: RulesProfileName = 'statutory';
  @IsEmail() ADMIN_EMAIL = 'admin@fapai.local';
  @IsOptional() @IsString() @MinLength(10) ADMIN_PASSWORD?: string;
  @IsOptional() @IsString() @MinLength(32) JWT_SECRET?: string;
  @IsOptional() @IsString() @MinLength(32) IDENTITY_HASH_KEY?: string;
  @Transform(toInt) @IsInt() @Min(60) @Max(86400) JWT_TTL_SECONDS = 900;
  @IsString() DATA_DIR = '.data';
  @IsOptional() @IsString() UPLOAD_DIR?: string;
  @Transform(toInt) @IsInt() @Min(1024) UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
  @Transform(toBool) @IsBoolean() MIGRATIONS_RUN = true;
  @IsOptional() @Transform(toBool) @IsBoolean() SEED_DEMO?: boolean;
  @IsOptional() @Matches(/^sk_(test|live)_[A-Za-z0-9]+$/, { message: 'STRIPE_SECRET_KEY must look like sk_test_… or sk_live_…' }) STRIPE_SECRET_KEY?: string;
  @IsOptional() @Matches(/^whsec_[A-Za-z0-9]+$/, { message: 'STRIPE_WEBHOOK_SECRET must look like whsec_…' }) STRIPE_WEBHOOK_SECRET?: string;
  @Transform(toBool) @IsBoolean() STRIPE_ALLOW_LIVE = false;
  @IsOptional() @IsString() STRIPE_PUBLISHABLE_KEY?: string;
  @IsOptional() @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' }) REDIS_URL?: string;
  @IsString() CORS_ORIGINS = '';
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'silent']) LOG_LEVEL = 'info';
  @Transform(toBool) @IsBoolean() BACKGROUND_JOBS = true;
  @IsOptional() @IsString() WEB_DIST?: string;
  @IsOptional() @IsString() PUBLIC_URL?: string;
  @IsOptional() @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' }) SMTP_URL?: string;
  @IsEmail() MAIL_FROM = 'noreply@fapai.local';
  @IsOptional() @IsString() LOG_FILE?: string;
  @IsOptional() @Matches(/^(true|false|\d+|[0-9a-f.:/, ]+|loopback|uniquelocal|linklocal)$/i, { message: 'TRUST_PROXY must be true, a hop count, or addresses/subnets' }) TRUST_PROXY?: string;
  @Transform(toBool) @IsBoolean() RATE_LIMITS = true;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_LOGIN_PER_MINUTE = 10;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_REGISTER_PER_MINUTE = 10;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_BIDS_PER_SECOND = 20;
  @Transform(toInt) @IsInt() @Min(1) @Max(16) PASSWORD_HASH_CONCURRENCY = 1;
  @Transform(toInt) @IsInt() @Min(0) @Max(10_000) PASSWORD_HASH_QUEUE = 64;
  @Transform(toInt) @IsInt() @Min(3600) REFRESH_TTL_SECONDS = 14 * 86400;
  /** A used refresh token presented again this soon is a race of the same client (two tabs, a retry), not a theft. */
  @Transform(toInt) @IsInt() @Min(0) @Max(60) REFRESH_REUSE_GRACE_SECONDS = 10;
  /**
   * The Engine.IO heartbeat: the server pings every socket this often and drops one that has not answered
   * within the timeout after a ping, so a phone that lost its network leaves its rooms within their sum.
   * Shorter finds dead phones sooner; every ping is a write and an answer per socket.
   */
  @Transform(toInt) @IsInt() @Min(1000) @Max(300_000) SOCKET_PING_INTERVAL_MS = 10_000;
  @Transform(toInt) @IsInt() @Min(1000) @Max(300_000) SOCKET_PING_TIMEOUT_MS = 8_000;
  /**
   * Connection state recovery: a socket that comes back within this time gets the events it missed
   * replayed. Each instance keeps every event it broadcast for this long (2–3 times it without REDIS_URL,
   * since the in-memory store is pruned once a minute), so at high bid rates this is memory.
   */
  @Transform(toInt) @IsInt() @Min(10) @Max(3600) SOCKET_RECOVERY_SECONDS = 120;
  /** Database connections of one instance: its database concurrency (more clients on one hot row only adds contention). */
  @Transform(toInt) @IsInt() @Min(2) @Max(1000) DB_POOL_SIZE = 20;
  /**
   * Group commit of bids (bidding/group-commit.ts): the most one-statement bids that commit together (1: each
   * alone), how many such transactions may be at the database at once (each holds a pool connection: fewer
   * than DB_POOL_SIZE, checked, and best well under it), and how long one of several bids waits for a row lock
   * before it is split.
   */
  @Transform(toInt) @IsInt() @Min(1) @Max(256) BID_GROUP_COMMIT_SIZE = 32;
  @Transform(toInt) @IsInt() @Min(1) @Max(64) BID_GROUP_COMMITS = 4;
  @Transform(toInt) @IsInt() @Min(1) @Max(10_000) BID_GROUP_COMMIT_LOCK_WAIT_MS = 100;
  /** Readiness fails when queries have waited this long for a pool client with none coming back (observability/pool-stall.ts). */
  @Transform(toInt) @IsInt() @Min(1) @Max(3600) DB_POOL_STALL_SECONDS = 10;
}

export interface AppConfig {
  env: EnvSchema['NODE_ENV'];
  port: number;
  databaseUrl?: string;
  rulesProfile: RulesProfileName;
  adminEmail: string;
  adminPassword: string;
  jwtSecret: string;
  jwtTtlSeconds: number;
  identityHashKey: string;
  dataDir: string;
  uploadDir: string;
  uploadMaxBytes: number;
  migrationsRun: boolean;
  seedDemo: boolean;
  stripe: { secretKey?: string; webhookSecret?: string; allowLive: boolean; publishableKey?: string };
  redisUrl?: string;
  corsOrigins: string[];
  logLevel: string;
  backgroundJobs: boolean;
  webDist?: string;
  publicUrl?: string;
  smtpUrl?: string;
  mailFrom: string;
  rateLimits: boolean;
  logFile?: string;
  trustProxy?: string;
  rateLimit: { loginPerMinute: number; registerPerMinute: number; bidsPerSecond: number };
  refreshTtlSeconds: number;
  refreshReuseGraceSeconds: number;
  /** Password hashes at once, and how many may wait (accounts/password.ts). */
  passwordHashing: { concurrency: number; queue: number };
  /** socket.io's heartbeat and connection state recovery window (realtime/io.adapter.ts). */
  realtime: RealtimeOptions;
  /** Database connections of this instance (DB_POOL_SIZE). */
  dbPoolSize: number;
  /** Group commit of one-statement bids (bidding/group-commit.ts). */
  bidGroupCommit: { maxBatch: number; maxInFlight: number; lockWaitMs: number };
  /** Readiness fails once the pool has not moved for this long while queries wait (observability/pool-stall.ts). */
  poolStallMs: number;
}

export interface RealtimeOptions {
  pingIntervalMs: number;
  pingTimeoutMs: number;
  recoveryMs: number;
}

export class ConfigError extends Error {}

/** Dev-only secret kept in the data folder (never used with NODE_ENV=production). */
function devSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, 'dev-secrets.json');
  const secrets = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  if (!secrets[name]) {
    secrets[name] = randomBytes(32).toString('base64url');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets[name];
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new EnvSchema());
  const raw: Record<string, unknown> = {};
  for (const key of [...known, 'DATABASE_URL', 'ADMIN_PASSWORD', 'JWT_SECRET', 'IDENTITY_HASH_KEY', 'UPLOAD_DIR', 'SEED_DEMO', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_PUBLISHABLE_KEY', 'REDIS_URL', 'WEB_DIST', 'PUBLIC_URL', 'SMTP_URL', 'LOG_FILE', 'TRUST_PROXY']) {
    if (source[key] !== undefined && source[key] !== '') raw[key] = source[key];
  }
  const env = plainToInstance(EnvSchema, raw);
  const errors = validateSync(env, { whitelist: true });
  const problems = errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`));
  const production = env.NODE_ENV === 'production';
  if (production) {
    for (const secret of ['ADMIN_PASSWORD', 'JWT_SECRET', 'IDENTITY_HASH_KEY'] as const) {
      if (!env[secret]) problems.push(`${secret}: required when NODE_ENV=production (no default for secrets)`);
    }
    if (!env.DATABASE_URL) problems.push('DATABASE_URL: required when NODE_ENV=production (the embedded database is for development)');
  }
  if (env.STRIPE_SECRET_KEY?.startsWith('sk_live_') && !env.STRIPE_ALLOW_LIVE) {
    problems.push('STRIPE_SECRET_KEY: a live key is refused unless STRIPE_ALLOW_LIVE=true');
  }
  if (env.STRIPE_SECRET_KEY && !env.STRIPE_WEBHOOK_SECRET) {
    problems.push('STRIPE_WEBHOOK_SECRET: required with STRIPE_SECRET_KEY (webhook signatures are checked)');
  }
  // Each group commit holds a pool connection; bids split from a batch, refused or in their last minutes, and
  // everything else the instance does, need connections of their own.
  if (typeof env.BID_GROUP_COMMITS === 'number' && typeof env.DB_POOL_SIZE === 'number' && env.BID_GROUP_COMMITS >= env.DB_POOL_SIZE) {
    problems.push(`BID_GROUP_COMMITS: must be less than DB_POOL_SIZE (${env.DB_POOL_SIZE}): each group commit holds one of the pool's connections, and other work needs some`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    rulesProfile: env.RULES_PROFILE,
    adminEmail: env.ADMIN_EMAIL.toLowerCase(),
    adminPassword: env.ADMIN_PASSWORD ?? 'fapai-admin-demo',
    jwtSecret: env.JWT_SECRET ?? devSecret(dataDir, 'JWT_SECRET'),
    jwtTtlSeconds: env.JWT_TTL_SECONDS,
    identityHashKey: env.IDENTITY_HASH_KEY ?? devSecret(dataDir, 'IDENTITY_HASH_KEY'),
    dataDir,
    uploadDir: path.resolve(env.UPLOAD_DIR ?? path.join(dataDir, 'uploads')),
    uploadMaxBytes: env.UPLOAD_MAX_BYTES,
    migrationsRun: env.MIGRATIONS_RUN,
    seedDemo: env.SEED_DEMO ?? !production,
    stripe: { secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET, allowLive: env.STRIPE_ALLOW_LIVE, publishableKey: env.STRIPE_PUBLISHABLE_KEY },
    redisUrl: env.REDIS_URL,
    corsOrigins: env.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: env.LOG_LEVEL,
    backgroundJobs: env.BACKGROUND_JOBS,
    webDist: env.WEB_DIST,
    publicUrl: env.PUBLIC_URL,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    rateLimits: env.RATE_LIMITS,
    logFile: env.LOG_FILE,
    trustProxy: env.TRUST_PROXY,
    rateLimit: { loginPerMinute: env.RATE_LIMIT_LOGIN_PER_MINUTE, registerPerMinute: env.RATE_LIMIT_REGISTER_PER_MINUTE, bidsPerSecond: env.RATE_LIMIT_BIDS_PER_SECOND },
    refreshTtlSeconds: env.REFRESH_TTL_SECONDS,
    refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
    passwordHashing: { concurrency: env.PASSWORD_HASH_CONCURRENCY, queue: env.PASSWORD_HASH_QUEUE },
    dbPoolSize: env.DB_POOL_SIZE,
    bidGroupCommit: { maxBatch: env.BID_GROUP_COMMIT_SIZE, maxInFlight: env.BID_GROUP_COMMITS, lockWaitMs: env.BID_GROUP_COMMIT_LOCK_WAIT_MS },
    poolStallMs: env.DB_POOL_STALL_SECONDS * 1000,
    realtime: { pingIntervalMs: env.SOCKET_PING_INTERVAL_MS, pingTimeoutMs: env.SOCKET_PING_TIMEOUT_MS, recoveryMs: env.SOCKET_RECOVERY_SECONDS * 1000 },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
export const RULES = Symbol('RULES');
