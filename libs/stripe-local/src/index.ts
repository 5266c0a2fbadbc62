export { startStripeLocal, DEFAULT_API_VERSION, HOLD_MS } from './server.js';
export type { StripeLocal, StripeLocalOptions, LocalClock, RequestLogEntry } from './server.js';
export { Faults } from './faults.js';
export type { FailOptions, TimeoutOptions, RequestMatch, WebhookFaults } from './faults.js';
export { signatureHeader } from './webhooks.js';
export type { Delivery, DeliveryAttempt, RetryPolicy } from './webhooks.js';
export { TEST_CARDS } from './cards.js';
export type { Json, JsonObject } from './errors.js';
