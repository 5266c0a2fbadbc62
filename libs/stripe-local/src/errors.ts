/** Stripe's v1 error shape: `{ error: { type, code?, decline_code?, message, param?, doc_url?, … } }`. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type ErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export class StripeApiError extends Error {
  /**
   * @param stored whether the idempotency layer keeps this result. Stripe keeps results only once an
   *   endpoint has begun to execute: parameter and lookup failures are not kept, state and card errors are.
   */
  constructor(
    readonly status: number,
    readonly error: JsonObject,
    readonly stored: boolean,
  ) {
    super(String(error['message']));
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

export function stripeError(
  status: number,
  type: ErrorType,
  message: string,
  extra: { code?: string; param?: string; stored?: boolean; fields?: JsonObject } = {},
): StripeApiError {
  const error: JsonObject = {};
  if (extra.code) {
    error['code'] = extra.code;
    error['doc_url'] = docUrl(extra.code);
  }
  error['message'] = message;
  if (extra.param) error['param'] = extra.param;
  Object.assign(error, extra.fields ?? {});
  error['type'] = type;
  return new StripeApiError(status, error, extra.stored ?? false);
}

/** A parameter failed validation: 400, never kept by the idempotency layer. */
export function invalidParam(message: string, param?: string, code?: string): StripeApiError {
  return stripeError(400, 'invalid_request_error', message, { param, code });
}

export const missingParam = (param: string) =>
  invalidParam(`Missing required param: ${param}.`, param, 'parameter_missing');

export const unknownParam = (param: string) =>
  invalidParam(`Received unknown parameter: ${param}`, param, 'parameter_unknown');

/** An object named in the path that does not exist: 404. */
export function resourceMissing(kind: string, id: string, param: string): StripeApiError {
  return stripeError(404, 'invalid_request_error', `No such ${kind}: '${id}'`, { code: 'resource_missing', param });
}

/** An object named by a request parameter that does not exist: Stripe answers 400, not 404. */
export function paramResourceMissing(kind: string, id: string, param: string): StripeApiError {
  return stripeError(400, 'invalid_request_error', `No such ${kind}: '${id}'`, { code: 'resource_missing', param });
}

/** The object is in the wrong state for the operation: 400, kept by the idempotency layer. */
export function unexpectedState(message: string, paymentIntent?: JsonObject): StripeApiError {
  return stripeError(400, 'invalid_request_error', message, {
    code: 'payment_intent_unexpected_state',
    stored: true,
    fields: paymentIntent ? { payment_intent: paymentIntent } : {},
  });
}
