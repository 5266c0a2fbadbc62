/** `npm run db:seed`: writes the demo data into the configured database and prints the demo logins. */
import { loadConfig } from '../config/env.js';
import { startPlatform } from '../platform.js';

const config = { ...loadConfig(), seedDemo: true, backgroundJobs: false };
const platform = await startPlatform(config, { listen: false });
for (const login of platform.demoLogins ?? []) process.stdout.write(`${login.role.padEnd(12)} ${login.email} (${login.password})\n`);
await platform.stop();
