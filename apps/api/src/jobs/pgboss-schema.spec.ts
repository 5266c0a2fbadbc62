import PgBoss from 'pg-boss';
import { PGBOSS_V24 } from '../../../../migrations/1795769000000-PgBossSchema.js';

/** Whitespace and statement separators do not matter. */
const normal = (sql: string): string => sql.replace(/;/g, ' ; ').replace(/\s+/g, ' ').replace(/(; )+/g, '; ').trim();

describe('the pg-boss schema migration', () => {
  it('is the construction SQL of the installed pg-boss (a pg-boss upgrade that changes it needs a new migration)', () => {
    // Also checks that pg-boss (CommonJS) loads from ESM with its default export under Jest.
    const plan = PgBoss.getConstructionPlans('pgboss');
    // pg-boss wraps its plan in BEGIN … COMMIT with an advisory lock; the migration runs in TypeORM's transaction.
    const body = plan.slice(plan.indexOf('CREATE SCHEMA'), plan.lastIndexOf('COMMIT;'));
    expect(normal(PGBOSS_V24.join(';\n'))).toBe(normal(body).replace(/;$/, '').trim());
  });
});
