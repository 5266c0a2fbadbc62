import { ConfigError, loadConfig } from './config/env.js';
import { isPgBossBookkeepingRejection } from './jobs/pg-boss-guard.js';
import { startPlatform } from './platform.js';

// Node's default for an unhandled rejection is to exit; kept, except for pg-boss's own un-awaited
// bookkeeping writes when the database is briefly away (see pg-boss-guard.ts).
process.on('unhandledRejection', (reason: unknown) => {
  if (isPgBossBookkeepingRejection(reason)) {
    const message = reason instanceof Error ? reason.message : String(reason);
    process.stderr.write(`${JSON.stringify({ level: 'warn', time: new Date().toISOString(), service: 'fapai-api', context: 'Jobs', msg: `pg-boss could not record a job's outcome (it will expire and be retried): ${message}` })}\n`);
    return;
  }
  process.stderr.write(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`);
  process.exit(1);
});

/**
 * What the process itself says (started, stopping). A person at a terminal reads text; anything else (a
 * container's log collector, systemd) reads the JSON lines of the logger, so there it is one JSON line each,
 * in the logger's shape, instead of text lines mixed into the JSON.
 */
function say(lines: string[]): void {
  if (process.stdout.isTTY) process.stdout.write(`${lines.join('\n')}\n`);
  else for (const msg of lines) process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'fapai-api', context: 'Main', msg: msg.trim() })}\n`);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const platform = await startPlatform(config);
  const lines = [
    `fapai is running at ${platform.url} (rules profile: ${config.rulesProfile}${config.databaseUrl ? '' : ', embedded PostgreSQL'})`,
    `  API docs: ${platform.url}/api/docs`,
    `  operator: ${config.adminEmail}${process.env.ADMIN_PASSWORD ? '' : ' / fapai-admin-demo (set ADMIN_PASSWORD to change)'}`,
  ];
  if (platform.demoLogins?.length) {
    lines.push('  demo logins (password in brackets):');
    for (const login of platform.demoLogins) lines.push(`    ${login.role.padEnd(12)} ${login.email} (${login.password})`);
  }
  say(lines);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    say([`${signal}: stopping…`]);
    platform.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`fapai failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
