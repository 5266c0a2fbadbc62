import { HttpException, PayloadTooLargeException } from '@nestjs/common';
import { AccountError } from '../accounts/accounts.errors.js';
import { CommonError } from './app-error.js';
import { isDatabaseUnavailable, reportServerError, toErrorBody } from './http-exception.filter.js';

/** What the pg driver and TypeORM throw while PostgreSQL restarts: each must be a 503 the client may retry. */
describe('database unavailable → 503 DATABASE_UNAVAILABLE', () => {
  const outage: [string, unknown][] = [
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['server shutting down (57P03)', Object.assign(new Error('the database system is shutting down'), { code: '57P03' })],
    ['admin shutdown (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['wrapped by TypeORM', { name: 'QueryFailedError', message: 'query failed', driverError: { code: '57P01', message: 'terminating connection' } }],
    ['connection terminated', new Error('Connection terminated unexpectedly')],
    ['a checked-out client whose connection broke', new Error('Client has encountered a connection error and is not queryable')],
    ['a closed client', new Error('Client was closed and is not queryable')],
    ['pool wait timeout', new Error('timeout exceeded when trying to connect')],
    ['released query runner', Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), { name: 'QueryRunnerAlreadyReleasedError' })],
  ];
  it.each(outage)('%s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(toErrorBody(error)).toMatchObject({ statusCode: 503, code: 'DATABASE_UNAVAILABLE' });
  });

  it('other errors stay 500 INTERNAL and say nothing more', () => {
    for (const error of [new Error('Cannot read properties of undefined'), Object.assign(new Error('duplicate key'), { code: '23505' }), null, 'x']) {
      expect(isDatabaseUnavailable(error)).toBe(false);
      expect(toErrorBody(error)).toEqual({ statusCode: 500, code: 'INTERNAL', message: 'internal error' });
    }
  });
});

/** Nest's Fastify adapter hands Fastify's own refusals over wrapped in an HttpException whose cause is the Fastify error. */
describe("Fastify's refusals", () => {
  const fastifyError = (code: string, statusCode: number, message: string): Error => Object.assign(new Error(message), { name: 'FastifyError', code, statusCode });

  it('a body over the limit is 413 PAYLOAD_TOO_LARGE, wrapped or not', () => {
    const cause = fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large');
    for (const error of [new PayloadTooLargeException(cause.message, { cause }), cause]) expect(toErrorBody(error)).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('a media type with no parser is 415 UNSUPPORTED_MEDIA_TYPE naming the content-type and the rule', () => {
    const cause = fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'Unsupported Media Type: text/plain');
    expect(toErrorBody(new HttpException(cause.message, 415, { cause }))).toEqual({
      statusCode: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'request bodies are application/json (multipart/form-data for uploads)',
      details: { fields: [{ field: 'content-type', rules: { mediaType: 'request bodies are application/json (multipart/form-data for uploads)' } }] },
    });
  });

  it('bad JSON (refused by our parser, http-server.ts) is 400 INVALID_JSON naming the body and the rule, with the parser message', () => {
    expect(toErrorBody(CommonError.invalidJson("Expected ',' or '}' after property value in JSON at position 31"))).toEqual({
      statusCode: 400,
      code: 'INVALID_JSON',
      message: 'the request body must be a JSON object',
      details: { fields: [{ field: 'body', rules: { jsonObject: 'the request body must be a JSON object' } }], parser: "Expected ',' or '}' after property value in JSON at position 31" },
    });
  });
});

/** A 5xx is logged once where it is answered, and its answer names the correlation id of the log line. */
describe('reportServerError', () => {
  const logger = () => {
    const lines: { level: string; entry: Record<string, unknown> }[] = [];
    return { lines, error: (entry: Record<string, unknown>) => lines.push({ level: 'error', entry }), warn: (entry: Record<string, unknown>) => lines.push({ level: 'warn', entry }) };
  };

  it('a bug is an error line with its stack; the answer names the correlation id', () => {
    const log = logger();
    const bug = new TypeError('Cannot read properties of undefined');
    const body = toErrorBody(bug);
    reportServerError(log, bug, body, 'req-1', { path: '/api/lots' });
    expect(log.lines).toEqual([{ level: 'error', entry: { correlationId: 'req-1', path: '/api/lots', code: 'INTERNAL', err: { name: 'TypeError', message: bug.message, stack: bug.stack } } }]);
    expect(body).toEqual({ statusCode: 500, code: 'INTERNAL', message: 'internal error', details: { correlationId: 'req-1' } });
  });

  it('the database being away is one warning without a stack (every request of an outage meets it)', () => {
    const log = logger();
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const body = toErrorBody(outage);
    reportServerError(log, outage, body, 'sock-7', { event: 'bid.place' });
    expect(log.lines).toEqual([{ level: 'warn', entry: { correlationId: 'sock-7', event: 'bid.place', code: 'DATABASE_UNAVAILABLE', err: { name: 'Error', message: outage.message } } }]);
    expect(body.details).toEqual({ correlationId: 'sock-7' });
  });

  it('a coded 5xx of ours (deliberate, e.g. an overload refused) is a warning too', () => {
    const log = logger();
    const busy = new AccountError('PASSWORD_CHECKS_BUSY', { retryAfterSeconds: 1 });
    const body = toErrorBody(busy);
    reportServerError(log, busy, body, 'req-3', {});
    expect(log.lines.map((l) => [l.level, l.entry.code, 'stack' in (l.entry.err as object)])).toEqual([['warn', 'PASSWORD_CHECKS_BUSY', false]]);
    expect(body.details).toEqual({ retryAfterSeconds: 1, correlationId: 'req-3' });
  });

  it('a refusal (4xx) is the client’s business: nothing logged, nothing added', () => {
    const log = logger();
    const refusal = CommonError.badInput('amount', 'isInt', 'amount must be an integer');
    const body = toErrorBody(refusal);
    const before = JSON.stringify(body);
    reportServerError(log, refusal, body, 'req-2', {});
    expect(log.lines).toEqual([]);
    expect(JSON.stringify(body)).toBe(before);
  });
});
