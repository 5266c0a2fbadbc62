/**
 * Errors that carry a stable code. Each module defines its own error class with a code union and an
 * exhaustive message switch; services throw those, never HTTP exceptions. The transport filters
 * (`http-exception.filter.ts`, and the socket ack mapping) turn them into the shape of `shared/api.md`.
 */
export type ErrorKind = 'bad_input' | 'unauthenticated' | 'payment_required' | 'forbidden' | 'not_found' | 'conflict' | 'state' | 'rate_limited' | 'too_large' | 'unavailable';

export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  bad_input: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  state: 422,
  rate_limited: 429,
  too_large: 413,
  unavailable: 503,
};

export abstract class AppError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    readonly kind: ErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    // A refusal is an answer, not a fault: nobody reads its stack, and capturing one is most of the cost of
    // refusing a stale bid when hundreds arrive at once.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
  get status(): number {
    return STATUS_OF_KIND[this.kind];
  }
}

export type CommonErrorCode = 'VALIDATION_FAILED' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INTERNAL' | 'DATABASE_UNAVAILABLE' | 'PAYLOAD_TOO_LARGE' | 'FILE_TOO_LARGE' | 'UPLOAD_MALFORMED' | 'INVALID_JSON';

export class CommonError extends AppError<CommonErrorCode> {
  static notFound(what: string, id?: string): CommonError {
    return new CommonError('NOT_FOUND', 'not_found', `${what} not found`, id ? { id } : undefined);
  }
  static forbidden(message = 'this action is not allowed for your role or organisation'): CommonError {
    return new CommonError('FORBIDDEN', 'forbidden', message);
  }
  static unauthenticated(message = 'a valid bearer token is required'): CommonError {
    return new CommonError('UNAUTHENTICATED', 'unauthenticated', message);
  }
  /** The body is not JSON, or is JSON but not an object or array ("null", "42"): one rule covers both. */
  static invalidJson(parser: string): CommonError {
    const rule = 'the request body must be a JSON object';
    return new CommonError('INVALID_JSON', 'bad_input', rule, { fields: [{ field: 'body', rules: { jsonObject: rule } }], parser });
  }
  static badInput(field: string, rule: string, message: string): CommonError {
    return new CommonError('VALIDATION_FAILED', 'bad_input', message, { fields: [{ field, rules: { [rule]: message } }] });
  }
}
