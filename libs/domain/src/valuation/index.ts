/**
 * Valuation (财产处置参考价, RPR 2018): the pure rules of the reference-price procedure — method order,
 * negotiation, directed and online inquiry, appraisal with a verifiable lottery, service and objections,
 * averaging, fees and validity.
 */
export * from './codes.js';
export * from './model.js';
export * from './events.js';
export * from './order.js';
export * from './procedure.js';
export * from './online-inquiry.js';
export * from './appraisal.js';
export * from './validity.js';
export * from './lottery.js';
export * from './sha256.js';
