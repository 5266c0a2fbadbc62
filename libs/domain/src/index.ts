/**
 * @fapai/domain — the pure rules of the platform: no framework, no I/O, no clock of its own. The API applies
 * them inside its transactions; the web app uses the same functions for what it shows.
 */
export * from './rules-profile.js';
export * from './errors.js';
export * from './money.js';
export * from './resident-id.js';
export * from './lot.js';
export * from './publication.js';
export * from './bidding.js';
export * from './deposit.js';
export * from './countdown.js';
export * from './valuation/index.js';
export * from './settlement.js';
