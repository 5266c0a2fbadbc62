/**
 * The foundation, end to end on real PostgreSQL: accounts and roles, courts and cases, lots from draft to
 * announcement with every statutory refusal, court isolation, bad input, the audit chain and the API surface.
 */
import { randomUUID } from 'node:crypto';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS_KEY } from '../../apps/api/src/common/auth.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createCase, createCourt, createStaff, createAgency, loginAdmin, registerBidder, residentId, validLotBody, waitFor, DISCLOSURES, type Actor } from '../support/actors.js';

let t: TestPlatform;
let admin: Actor;
let clerkA: Actor;
let clerkB: Actor;
let caseA: string;

beforeAll(async () => {
  t = await startTestPlatform();
  admin = await loginAdmin(t);
  const courtA = await createCourt(t, admin);
  const courtB = await createCourt(t, admin);
  clerkA = await createStaff(t, admin, 'court_clerk', { courtId: courtA });
  clerkB = await createStaff(t, admin, 'court_clerk', { courtId: courtB });
  caseA = await createCase(t, clerkA);
});
afterAll(async () => {
  await t?.stop();
});

async function count(table: string): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0].n;
}

describe('platform surface', () => {
  it('stays ready while every pooled connection is busy: the database is probed on a connection of its own, the busy pool is reported', async () => {
    // A rush that holds the whole pool: requests that read lots, queued behind an exclusive lock on the table.
    const poolMax = t.platform.config.dbPoolSize;
    const locker = await t.db.connect();
    let stuck: Promise<number>[] | undefined;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE lots IN ACCESS EXCLUSIVE MODE');
      stuck = Array.from({ length: poolMax + 5 }, () => t.http.get(`/api/lots/${randomUUID()}`).then((r) => r.status));
      type Health = { status: string; db: string; pool: { size: number; inUse: number; waiting: number } };
      const saturated = await waitFor('the pool to be saturated', async () => {
        const res = await t.http.get('/api/health');
        const body = res.body as Health;
        return body.pool?.waiting > 0 ? { status: res.status, body } : null;
      });
      // Before the probe had its own connection this answer waited behind the rush and then was 503.
      expect(saturated.status).toBe(200);
      expect(saturated.body).toMatchObject({ status: 'ok', db: 'up', pool: { size: poolMax, inUse: poolMax } });
      const metrics = (await t.http.get('/api/metrics').expect(200)).text;
      expect(metrics).toMatch(/^fapai_db_up 1$/m);
      expect(Number(/^fapai_db_pool_waiting_requests (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    } finally {
      await locker.query('COMMIT');
      locker.release();
    }
    // The rush is served once the lock goes: nothing failed for want of a connection.
    expect(new Set(await Promise.all(stuck ?? []))).toEqual(new Set([404]));
    const after = await t.http.get('/api/health').expect(200);
    expect(after.body).toMatchObject({ db: 'up', pool: { waiting: 0 } });
  });

  it('is ready again at the next probe when its own connection was terminated (PostgreSQL restarted while it idled)', async () => {
    await t.http.get('/api/health').expect(200);
    const killed = await t.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fapai-health-probe' AND datname = current_database()`);
    expect(killed.rowCount).toBe(1);
    expect((await t.http.get('/api/health').expect(200)).body).toMatchObject({ status: 'ok', db: 'up' });
    const probes = await t.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'fapai-health-probe' AND datname = current_database()`);
    expect(probes.rows[0].n).toBe(1);
  });

  it('serves health, time, rules and the OpenAPI document publicly', async () => {
    const health = await t.http.get('/api/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', db: 'up', redis: 'off' });
    const time = await t.http.get('/api/time').expect(200);
    expect(Math.abs(Date.parse((time.body as { now: string }).now) - Date.now())).toBeLessThan(5000);
    const rules = await t.http.get('/api/rules').expect(200);
    expect(rules.body).toMatchObject({ name: 'sandbox', auction: { startPriceMinRatioBp: 7000, depositMinBp: 500, depositMaxBp: 2000 } });
    const doc = await t.http.get('/api/docs-json').expect(200);
    const paths = Object.keys((doc.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/auth/register', '/api/auth/login', '/api/me/identity', '/api/lots', '/api/lots/{id}', '/api/lots/{id}/publish', '/api/audit/verify']));
    await t.http.get('/api/docs').expect(200);
  });

  it('every route declares its roles or is explicitly public (walks the Nest metadata)', () => {
    const modules = t.platform.app.get(ModulesContainer);
    const undeclared: string[] = [];
    let checked = 0;
    for (const mod of modules.values()) {
      for (const wrapper of mod.controllers.values()) {
        const ctor = wrapper.metatype as (new (...args: never[]) => unknown) | null;
        if (!ctor) continue;
        for (const name of Object.getOwnPropertyNames(ctor.prototype)) {
          const handler = (ctor.prototype as Record<string, unknown>)[name];
          if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata('path', handler) === undefined) continue;
          checked += 1;
          if (!Reflect.getMetadata(ACCESS_KEY, handler) && !Reflect.getMetadata(ACCESS_KEY, ctor)) undeclared.push(`${ctor.name}.${name}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(undeclared).toEqual([]);
  });
});

describe('accounts and real-name verification', () => {
  it('registers, refuses a bad check digit, verifies identity and never returns the full ID number', async () => {
    const bidder = await registerBidder(t, { verify: false });
    const id = residentId();
    const wrongDigit = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
    const bad = await t.http.post('/api/me/identity').set(bidder.auth).send({ realName: '李四', idNumber: wrongDigit, phone: '13900139000' }).expect(400);
    expect(bad.body).toMatchObject({ code: 'RESIDENT_ID_INVALID', details: { field: 'idNumber' } });
    const ok = await t.http.post('/api/me/identity').set(bidder.auth).send({ realName: '李四', idNumber: id, phone: '13900139000' }).expect(200);
    expect(ok.body).toMatchObject({ identityVerified: true, realName: '李四' });
    const me = await t.http.get('/api/me').set(bidder.auth).expect(200);
    expect(JSON.stringify(me.body)).not.toContain(id);
    expect((me.body as { idNumberMasked: string }).idNumberMasked).toMatch(/^\d{3}\*+[\dX]{4}$/);
    const { rows } = await t.db.query<{ row: string }>(`SELECT row_to_json(u)::text AS row FROM users u WHERE id = $1`, [bidder.id]);
    expect(rows[0].row).not.toContain(id);
    // the same identity cannot verify a second account
    const other = await registerBidder(t, { verify: false });
    const dup = await t.http.post('/api/me/identity').set(other.auth).send({ realName: '李四', idNumber: id, phone: '13900139000' }).expect(409);
    expect(dup.body).toMatchObject({ code: 'IDENTITY_IN_USE' });
  });

  it('refuses a duplicate email and a wrong password with coded errors', async () => {
    const email = `dup-${Date.now()}@test.fapai.local`;
    await t.http.post('/api/auth/register').send({ email, password: 'password-123', displayName: 'A' }).expect(201);
    const dup = await t.http.post('/api/auth/register').send({ email, password: 'password-123', displayName: 'A' }).expect(409);
    expect(dup.body).toMatchObject({ code: 'EMAIL_TAKEN' });
    const wrong = await t.http.post('/api/auth/login').send({ email, password: 'wrong-password' }).expect(401);
    expect(wrong.body).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('revokes tokens on logout', async () => {
    const bidder = await registerBidder(t);
    await t.http.get('/api/me').set(bidder.auth).expect(200);
    await t.http.post('/api/auth/logout').set(bidder.auth).expect(204);
    await t.http.get('/api/me').set(bidder.auth).expect(401);
  });

  it('lets only the operator create courts, agencies and staff', async () => {
    const bidder = await registerBidder(t);
    await t.http.post('/api/admin/courts').set(bidder.auth).send({ name: '某法院', province: '北京市', city: '北京市' }).expect(403);
    await t.http.post('/api/admin/courts').send({ name: '某法院', province: '北京市', city: '北京市' }).expect(401);
    await t.http.post('/api/admin/agencies').set(clerkA.auth).send({ name: '某机构', kind: 'appraisal_agency' }).expect(403);
    const agency = await createAgency(t, admin, 'appraisal_agency');
    const appraiser = await createStaff(t, admin, 'appraiser', { agencyId: agency });
    const me = await t.http.get('/api/me').set(appraiser.auth).expect(200);
    expect(me.body).toMatchObject({ roles: ['appraiser'], agencyId: agency });
    const noOrg = await t.http.post('/api/admin/users').set(admin.auth).send({ email: 'x-clerk@test.fapai.local', password: 'password-123', role: 'court_clerk', displayName: 'x' }).expect(400);
    expect(noOrg.body).toMatchObject({ code: 'STAFF_ORGANISATION_REQUIRED' });
  });
});

describe('lots: draft, edit, publish', () => {
  it('a clerk creates, edits and publishes a lot; the public sees it announced, then live', async () => {
    const created = await t.http.post('/api/lots').set(clerkA.auth).send({ ...validLotBody(caseA), title: '朝阳区住宅一套' }).expect(201);
    const id = (created.body as { id: string }).id;
    expect(created.body).toMatchObject({ status: 'draft', round: 'first' });
    await t.http.get(`/api/lots/${id}`).expect(404); // drafts are not public
    await t.http.patch(`/api/lots/${id}`).set(clerkA.auth).send({ title: '朝阳区望京住宅一套', description: '三居室' }).expect(200);
    const published = await t.http.post(`/api/lots/${id}/publish`).set(clerkA.auth).expect(201);
    expect(published.body).toMatchObject({ status: 'announced', title: '朝阳区望京住宅一套' });
    const pub = await t.http.get(`/api/lots/${id}`).expect(200);
    expect(pub.body).toMatchObject({ id, status: 'announced', startingPrice: 700_000, deposit: 70_000, increment: 1000, referencePrice: 1_000_000, bidCount: 0, enrolledCount: 0 });
    expect(pub.body).not.toHaveProperty('notices');
    await t.http.patch(`/api/lots/${id}`).set(clerkA.auth).send({ title: 'changed' }).expect(422);
    // Chinese substring search (trigram), and filters
    const found = await t.http.get('/api/lots').query({ q: '望京', status: 'announced' }).expect(200);
    expect((found.body as { items: { id: string }[] }).items.map((l) => l.id)).toContain(id);
    const none = await t.http.get('/api/lots').query({ q: '海淀别墅' }).expect(200);
    expect((none.body as { total: number }).total).toBe(0);
    // announced becomes live at startsAt without anyone acting
    await new Promise((r) => setTimeout(r, 3200));
    const live = await t.http.get(`/api/lots/${id}`).expect(200);
    expect((live.body as { status: string }).status).toBe('live');
    const liveSearch = await t.http.get('/api/lots').query({ status: 'live', sort: 'ending_soon' }).expect(200);
    expect((liveSearch.body as { items: { id: string }[] }).items.map((l) => l.id)).toContain(id);
  });

  it('suspends with a reason, resumes and withdraws (OJA Art. 28)', async () => {
    const created = await t.http.post('/api/lots').set(clerkA.auth).send(validLotBody(caseA, { startInMs: 60_000 })).expect(201);
    const id = (created.body as { id: string }).id;
    await t.http.post(`/api/lots/${id}/publish`).set(clerkA.auth).expect(201);
    const noReason = await t.http.post(`/api/lots/${id}/suspend`).set(clerkA.auth).send({}).expect(400);
    expect(JSON.stringify(noReason.body)).toContain('reason');
    const suspended = await t.http.post(`/api/lots/${id}/suspend`).set(clerkA.auth).send({ reason: '案外人异议' }).expect(201);
    expect(suspended.body).toMatchObject({ status: 'suspended', statusReason: '案外人异议' });
    const resumed = await t.http.post(`/api/lots/${id}/resume`).set(clerkA.auth).send({ reason: '异议已驳回' }).expect(201);
    expect(resumed.body).toMatchObject({ status: 'announced', statusReason: null });
    // The resumption's reason is in the lot's record (the lot itself keeps none once it runs again).
    const audit = await t.db.query(`SELECT data FROM audit_log WHERE stream = $1 AND action = 'lot.resume'`, [`lot:${id}`]);
    expect(audit.rows.map((r: { data: { reason: string } }) => r.data.reason)).toEqual(['异议已驳回']);
    // Rescheduled on resume: the new end is the scheduled end from then on.
    await t.http.post(`/api/lots/${id}/postpone`).set(clerkA.auth).send({ reason: '调整拍卖时间' }).expect(201);
    const startsAt = new Date(Date.now() + 120_000).toISOString();
    const endsAt = new Date(Date.now() + 180_000).toISOString();
    const rescheduled = await t.http.post(`/api/lots/${id}/resume`).set(clerkA.auth).send({ startsAt, endsAt }).expect(201);
    expect(rescheduled.body).toMatchObject({ status: 'announced', startsAt, endsAt, scheduledEndsAt: endsAt });
    const withdrawn = await t.http.post(`/api/lots/${id}/withdraw`).set(clerkA.auth).send({ reason: '债务已清偿' }).expect(201);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn' });
    const again = await t.http.post(`/api/lots/${id}/resume`).set(clerkA.auth).send({}).expect(422);
    expect(again.body).toMatchObject({ code: 'LOT_TRANSITION_REFUSED' });
  });

  it('isolates courts: a clerk of court B cannot read or change court A drafts; a bidder cannot create lots', async () => {
    const created = await t.http.post('/api/lots').set(clerkA.auth).send(validLotBody(caseA)).expect(201);
    const id = (created.body as { id: string }).id;
    await t.http.get(`/api/court/lots/${id}`).set(clerkB.auth).expect(404);
    await t.http.patch(`/api/lots/${id}`).set(clerkB.auth).send({ title: 'hijack' }).expect(404);
    await t.http.post(`/api/lots/${id}/publish`).set(clerkB.auth).expect(404);
    const list = await t.http.get('/api/court/lots').set(clerkB.auth).expect(200);
    expect((list.body as { id: string }[]).map((l) => l.id)).not.toContain(id);
    await t.http.get(`/api/cases/${caseA}`).set(clerkB.auth).expect(404);
    const lotB = await t.http.post('/api/lots').set(clerkB.auth).send(validLotBody(caseA)).expect(404);
    expect(lotB.body).toMatchObject({ code: 'CASE_NOT_IN_COURT' });
    const bidder = await registerBidder(t);
    await t.http.post('/api/lots').set(bidder.auth).send(validLotBody(caseA)).expect(403);
    const after = await t.http.get(`/api/court/lots/${id}`).set(clerkA.auth).expect(200);
    expect(after.body).toMatchObject({ status: 'draft', title: '测试拍品：奔驰轿车一辆' });
  });

  it('accepts photos by content and refuses disguised files', async () => {
    const created = await t.http.post('/api/lots').set(clerkA.auth).send(validLotBody(caseA)).expect(201);
    const id = (created.body as { id: string }).id;
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f0d1f90000000049454e44ae426082', 'hex');
    const ok = await t.http.post(`/api/lots/${id}/files`).set(clerkA.auth).field('kind', 'photo').attach('file', png, 'house.png').expect(201);
    const photo = (ok.body as { photos: { url: string }[] }).photos[0];
    expect(photo).toBeDefined();
    const disguised = await t.http.post(`/api/lots/${id}/files`).set(clerkA.auth).field('kind', 'photo').attach('file', Buffer.from('<script>alert(1)</script>'), 'evil.png').expect(400);
    expect(disguised.body).toMatchObject({ code: 'FILE_TYPE_NOT_ALLOWED' });
    await t.http.get(photo.url).expect(404); // draft files are not public
    const own = await t.http.get(photo.url).set(clerkA.auth).expect(200);
    expect(own.headers['content-type']).toBe('image/png');
  });

  it('takes one file per request: a second file or another field name is refused with the field named, nothing stored', async () => {
    const created = await t.http.post('/api/lots').set(clerkA.auth).send(validLotBody(caseA)).expect(201);
    const id = (created.body as { id: string }).id;
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f0d1f90000000049454e44ae426082', 'hex');
    const two = await t.http.post(`/api/lots/${id}/files`).set(clerkA.auth).field('kind', 'photo').attach('file', png, 'a.png').attach('file', png, 'b.png');
    expect(two.status).toBe(400);
    expect(two.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'file', rules: { maxCount: expect.any(String) } }] } });
    const other = await t.http.post(`/api/lots/${id}/files`).set(clerkA.auth).field('kind', 'photo').attach('photo', png, 'a.png');
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'photo', rules: { unexpectedFile: expect.any(String) } }] } });
    const after = await t.http.get(`/api/court/lots/${id}`).set(clerkA.auth).expect(200);
    expect((after.body as { photos: unknown[] }).photos).toHaveLength(0);
  });
});

describe('statutory refusals at publication (statutory profile)', () => {
  let s: TestPlatform;
  let clerk: Actor;
  let kase: string;
  const day = 86400_000;
  beforeAll(async () => {
    s = await startTestPlatform({ RULES_PROFILE: 'statutory' });
    const a = await loginAdmin(s);
    clerk = await createStaff(s, a, 'court_clerk', { courtId: await createCourt(s, a) });
    kase = await createCase(s, clerk);
  });
  afterAll(async () => {
    await s?.stop();
  });

  const good = (): Record<string, unknown> => validLotBody(kase, { startInMs: 16 * day, durationMs: day, propertyType: 'movable' });

  async function refusal(patch: Record<string, unknown>): Promise<{ code: string; field: string; article: string }[]> {
    const created = await s.http.post('/api/lots').set(clerk.auth).send({ ...good(), ...patch }).expect(201);
    const id = (created.body as { id: string }).id;
    const res = await s.http.post(`/api/lots/${id}/publish`).set(clerk.auth).expect(409);
    expect(res.body).toMatchObject({ code: 'PUBLICATION_REFUSED' });
    const after = await s.http.get(`/api/court/lots/${id}`).set(clerk.auth).expect(200);
    expect(after.body).toMatchObject({ status: 'draft' });
    return (res.body as { details: { violations: { code: string; field: string; article: string }[] } }).details.violations;
  }

  it('publishes a lot that keeps every rule', async () => {
    const created = await s.http.post('/api/lots').set(clerk.auth).send(good()).expect(201);
    await s.http.post(`/api/lots/${(created.body as { id: string }).id}/publish`).set(clerk.auth).expect(201);
  });

  it('OJA Art. 10: starting price below 70 % of the reference price', async () => {
    const v = await refusal({ startingPrice: 699_999, deposit: 70_000 });
    expect(v).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'START_PRICE_BELOW_FLOOR', field: 'startingPrice' })]));
    expect(v.find((x) => x.code === 'START_PRICE_BELOW_FLOOR')?.article).toMatch(/OJA Art\. 10/);
  });
  it('OJA Art. 17: deposit outside 5–20 % of the starting price', async () => {
    expect(await refusal({ deposit: 34_999 })).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'DEPOSIT_OUT_OF_RANGE', field: 'deposit' })]));
    expect(await refusal({ deposit: 140_001 })).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'DEPOSIT_OUT_OF_RANGE', field: 'deposit' })]));
  });
  it('OJA Art. 20: bidding shorter than 24 hours', async () => {
    const startsAt = Date.now() + 16 * day;
    expect(await refusal({ startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + day - 1000).toISOString() })).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'BIDDING_TOO_SHORT' })]),
    );
  });
  it('OJA Art. 12: announcement less than 15 days (movable) / 30 days (real estate) ahead', async () => {
    expect(await refusal({ startsAt: new Date(Date.now() + 14 * day).toISOString(), endsAt: new Date(Date.now() + 15 * day).toISOString() })).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'ANNOUNCEMENT_TOO_SHORT' })]),
    );
    expect(await refusal({ propertyType: 'real_estate' })).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'ANNOUNCEMENT_TOO_SHORT' })]));
  });
  it('OJA Art. 16: parties notified less than 3 days before the announcement', async () => {
    expect(await refusal({ notices: [{ party: '被执行人乙', role: 'party', kind: 'notified', at: new Date(Date.now() - day).toISOString() }] })).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'PARTIES_NOT_NOTIFIED' })]),
    );
  });
  it('OJA Art. 13: a missing disclosure is named', async () => {
    const v = await refusal({ disclosures: { ...DISCLOSURES, taxesAndFees: '' } });
    expect(v).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'DISCLOSURE_MISSING', field: 'disclosures.taxesAndFees' })]));
  });
  it('OJA Art. 10: a first round needs a reference price', async () => {
    const created = await s.http.post('/api/lots').set(clerk.auth).send({ ...good(), referencePrice: undefined }).expect(201);
    const res = await s.http.post(`/api/lots/${(created.body as { id: string }).id}/publish`).set(clerk.auth).expect(409);
    expect(JSON.stringify(res.body)).toContain('REFERENCE_PRICE_MISSING');
  });
  it('reports every violation at once', async () => {
    const v = await refusal({ startingPrice: 100_000, deposit: 1, disclosures: {} });
    expect(new Set(v.map((x) => x.code))).toEqual(new Set(['START_PRICE_BELOW_FLOOR', 'DEPOSIT_OUT_OF_RANGE', 'DISCLOSURE_MISSING']));
  });
});

describe('bad input gets 400 naming the field, and nothing is written', () => {
  const cases: [string, (body: Record<string, unknown>) => Record<string, unknown>, string][] = [
    ['missing title', (b) => ({ ...b, title: undefined }), 'title'],
    ['extra field', (b) => ({ ...b, isAdmin: true }), 'isAdmin'],
    ['wrong type', (b) => ({ ...b, startingPrice: '700000' }), 'startingPrice'],
    ['1 MB string', (b) => ({ ...b, description: 'x'.repeat(1024 * 1024) }), 'description'],
    ['negative money', (b) => ({ ...b, deposit: -5 }), 'deposit'],
    ['unsafe integer money', (b) => ({ ...b, startingPrice: 2 ** 53 + 2 }), 'startingPrice'],
    ['fractional fen', (b) => ({ ...b, increment: 10.5 }), 'increment'],
    ['bad date', (b) => ({ ...b, startsAt: '2026-13-45T99:00:00Z' }), 'startsAt'],
    ['malformed id', (b) => ({ ...b, caseId: 'not-a-uuid' }), 'caseId'],
    ['bad enum', (b) => ({ ...b, propertyType: 'spaceship' }), 'propertyType'],
    ['nested bad value', (b) => ({ ...b, priorityHolders: [{ name: 'x', nature: 'co-owner', rank: 0 }] }), 'priorityHolders.0.rank'],
  ];
  it.each(cases)('%s', async (_name, mutate, field) => {
    const before = await count('lots');
    const auditBefore = await count('audit_log');
    const res = await t.http.post('/api/lots').set(clerkA.auth).send(mutate(validLotBody(caseA))).expect(400);
    const body = res.body as { code: string; details: { fields: { field: string }[] } };
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.fields.map((f) => f.field)).toContain(field);
    expect(await count('lots')).toBe(before);
    expect(await count('audit_log')).toBe(auditBefore);
  });
  it('malformed path ids and JSON are 400s', async () => {
    const res = await t.http.get('/api/lots/12345').expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'id' }] } });
    const json = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send('{"email": ').expect(400);
    expect(json.body).toMatchObject({ code: 'INVALID_JSON', details: { fields: [{ field: 'body' }] } });
    const q = await t.http.get('/api/lots').query({ pageSize: '1000' }).expect(400);
    expect(JSON.stringify(q.body)).toContain('pageSize');
  });
});

describe('audit chain', () => {
  it('verifies, refuses edits, and reports the first broken link after tampering', async () => {
    const ok = await t.http.get('/api/audit/verify').set(admin.auth).expect(200);
    expect(ok.body).toMatchObject({ ok: true });
    expect((ok.body as { checked: number }).checked).toBeGreaterThan(10);
    await t.http.get('/api/audit/verify').set(clerkA.auth).expect(403);
    await expect(t.db.query(`UPDATE audit_log SET action = 'forged' WHERE id = (SELECT min(id) FROM audit_log)`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    const { rows } = await t.db.query<{ id: string; stream: string }>(`SELECT id::text, stream FROM audit_log WHERE stream LIKE 'lot:%' ORDER BY id LIMIT 1 OFFSET 1`);
    await t.db.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await t.db.query(`UPDATE audit_log SET data = '{"forged": true}' WHERE id = $1`, [rows[0].id]);
    await t.db.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    const broken = await t.http.get('/api/audit/verify').set(admin.auth).expect(200);
    expect(broken.body).toMatchObject({ ok: false, firstBroken: { id: rows[0].id, stream: rows[0].stream, reason: 'hash_mismatch' } });
  });
});
