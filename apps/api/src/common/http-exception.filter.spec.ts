import { HttpException, PayloadTooLargeException } from '@nestjs/common';
import { CommonError } from './app-error.js';
import { isDatabaseUnavailable, toErrorBody } from './http-exception.filter.js';

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
