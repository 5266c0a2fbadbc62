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
