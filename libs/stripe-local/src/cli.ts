#!/usr/bin/env node
/**
 * node libs/stripe-local/dist/cli.js --port 12111 --webhook-url http://127.0.0.1:3000/api/payments/stripe/webhook \
 *   --webhook-secret whsec_… [--host 127.0.0.1] [--api-key sk_test_…] [--api-version …] [--hold-ms …] [--sync-webhooks] [--state-file F]
 */
import { parseArgs } from 'node:util';
import { startStripeLocal } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '12111' },
    host: { type: 'string', default: '127.0.0.1' },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string' },
    'api-key': { type: 'string' },
    'api-version': { type: 'string' },
    'hold-ms': { type: 'string' },
    'sync-webhooks': { type: 'boolean', default: false },
    'state-file': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(
    'stripe-local: a local Stripe-compatible server for PaymentIntents\n' +
      'options: --port N (0 = any) --host H --webhook-url URL --webhook-secret whsec_… --api-key sk_… --api-version V --hold-ms MS --sync-webhooks --state-file FILE (keep objects across restarts)',
  );
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`stripe-local: --port must be an integer from 0 to 65535, got ${values.port}`);
  process.exit(2);
}

const local = await startStripeLocal({
  port,
  host: values.host,
  webhookUrl: values['webhook-url'],
  // An empty value (compose's `--webhook-secret=${STRIPE_WEBHOOK_SECRET:-}` with the variable unset) is no secret.
  webhookSecret: values['webhook-secret'] || undefined,
  apiKey: values['api-key'],
  apiVersion: values['api-version'],
  holdMs: values['hold-ms'] === undefined ? undefined : Number(values['hold-ms']),
  syncWebhooks: values['sync-webhooks'],
  stateFile: values['state-file'],
});
// A secret the caller gave is not printed (logs are read by more people than secrets should be); one generated
// here is, once, since the API needs it as STRIPE_WEBHOOK_SECRET to accept the webhooks.
const secretShown = values['webhook-secret'] ? '(as given)' : local.webhookSecret;
console.log(JSON.stringify({ msg: 'stripe-local listening', url: local.url, webhookUrl: local.webhookUrl, webhookSecret: secretShown, apiVersion: local.apiVersion }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void local.stop().then(() => process.exit(0));
  });
}
