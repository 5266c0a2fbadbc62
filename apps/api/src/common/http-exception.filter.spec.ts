import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
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

/** Nest's Express adapter hands body-parser's errors over wrapped in an HttpException with the parser's error as cause. */
describe('body-parser errors', () => {
  const parserError = (type: string, message: string): Error => Object.assign(new SyntaxError(message), { type, status: 400 });

  it('bad JSON, wrapped or not, is 400 INVALID_JSON naming the body and the rule, with the parser message', () => {
    const cause = parserError('entity.parse.failed', "Expected ',' or '}' after property value in JSON at position 31");
    for (const error of [new BadRequestException(cause.message, { cause }), cause]) {
      expect(toErrorBody(error)).toEqual({
        statusCode: 400,
        code: 'INVALID_JSON',
        message: 'the request body must be a JSON object',
        details: { fields: [{ field: 'body', rules: { jsonObject: 'the request body must be a JSON object' } }], parser: cause.message },
      });
    }
  });

  it('a body over the limit is 413 PAYLOAD_TOO_LARGE', () => {
    const cause = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413 });
    expect(toErrorBody(new PayloadTooLargeException(cause.message, { cause }))).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});
