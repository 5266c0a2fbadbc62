import { isPgBossBookkeepingRejection } from './pg-boss-guard.js';

/** An error with the stack pg-pool gives it when pg-boss's un-awaited `fail` meets a database shutting down. */
function pgError(frames: string[]): Error {
  const error = new Error('the database system is shutting down');
  error.stack = [`error: ${error.message}`, '    at /app/node_modules/pg-pool/index.js:45:11', ...frames].join('\n');
  return error;
}

describe('isPgBossBookkeepingRejection', () => {
  it("recognises pg-boss's un-awaited fail and complete", () => {
    expect(isPgBossBookkeepingRejection(pgError(['    at async Db.executeSql (/app/node_modules/pg-boss/src/db.js:42:14)', '    at async Manager.fail (/app/node_modules/pg-boss/src/manager.js:493:20)']))).toBe(true);
    expect(isPgBossBookkeepingRejection(pgError(['    at async Manager.complete (C:\\app\\node_modules\\pg-boss\\src\\manager.js:470:20)']))).toBe(true);
  });

  it('leaves every other rejection to the default (exit)', () => {
    expect(isPgBossBookkeepingRejection(pgError(['    at async PlaceBidService.decide (/app/dist/bidding/place-bid.service.js:143:20)']))).toBe(false);
    expect(isPgBossBookkeepingRejection(pgError(['    at async Manager.send (/app/node_modules/pg-boss/src/manager.js:300:20)']))).toBe(false);
    expect(isPgBossBookkeepingRejection(pgError(['    at async Manager.fail (/app/dist/jobs/my-manager.js:1:1)']))).toBe(false);
    expect(isPgBossBookkeepingRejection('a string')).toBe(false);
    expect(isPgBossBookkeepingRejection(undefined)).toBe(false);
  });
});
