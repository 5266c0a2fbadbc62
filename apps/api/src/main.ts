import { ConfigError, loadConfig } from './config/env.js';
import { startPlatform } from './platform.js';

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
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping…\n`);
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
