/**
 * Inputs that used to crash a handler (500) or got a misleading answer, each found by hand against a running
 * API: deeply nested JSON, bad JSON bodies, truncated multipart bodies, oversize and disguised uploads, a
 * stored file gone from disk, Stripe events the platform cannot use, and the nil UUID. Each must be answered
 * with a stable code naming the field and the rule, and a refusal must write nothing.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { StripeGateway } from '../../apps/api/src/payments/stripe.gateway.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { clerkWithCase, createCase, loginAdmin, publishedLot, validLotBody, type Actor } from '../support/actors.js';

const UPLOAD_MAX_BYTES = 4096;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f0d1f90000000049454e44ae426082', 'hex');

let t: TestPlatform;
let logFile: string;
let clerk: Actor;
let caseId: string;

beforeAll(async () => {
  logFile = path.join(mkdtempSync(path.join(tmpdir(), 'fapai-hardening-')), 'api.log');
  t = await startTestPlatform({ UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES), LOG_FILE: logFile });
  const admin = await loginAdmin(t);
  ({ clerk, caseId } = await clerkWithCase(t, admin));
});
afterAll(async () => {
  await t?.stop();
});

const count = async (table: string): Promise<number> => ((await t.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0] as { n: number }).n;

async function draftLot(): Promise<string> {
  const res = await t.http.post('/api/lots').set(clerk.auth).send(validLotBody(caseId)).expect(201);
  return (res.body as { id: string }).id;
}

async function filesOf(lotId: string): Promise<{ photos: unknown[]; documents: unknown[] }> {
  return (await t.http.get(`/api/court/lots/${lotId}`).set(clerk.auth).expect(200)).body as { photos: unknown[]; documents: unknown[] };
}

describe('deeply nested JSON', () => {
  const nested = (levels: number, open: string, close: string): string => open.repeat(levels) + '1' + close.repeat(levels);

  it.each([
    ['objects', nested(5000, '{"a":', '}')],
    ['arrays', nested(5000, '[', ']')],
    ['just past the limit', nested(33, '{"a":', '}')],
  ])('%s: 400 naming the depth rule, on register and login, nothing written', async (_, body) => {
    const users = await count('users');
    for (const route of ['/api/auth/register', '/api/auth/login']) {
      const res = await t.http.post(route).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ rules: { maxDepth: expect.stringContaining('32') } }] } });
    }
    expect(await count('users')).toBe(users);
  });

  it('nesting within the limit reaches the usual validation', async () => {
    const res = await t.http.post('/api/auth/register').set('Content-Type', 'application/json').send(nested(20, '{"a":', '}'));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(JSON.stringify(res.body)).not.toContain('maxDepth');
  });
});

describe('bad JSON bodies', () => {
  it.each([
    ['truncated', '{"email":"a@b.c","password":"x"'],
    ['null', 'null'],
    ['a string', '"text"'],
    ['a number', '42'],
  ])('%s: 400 INVALID_JSON naming the body and the rule, nothing written', async (_, body) => {
    const users = await count('users');
    const res = await t.http.post('/api/auth/register').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_JSON', message: 'the request body must be a JSON object', details: { fields: [{ field: 'body', rules: { jsonObject: expect.any(String) } }] } });
    expect(await count('users')).toBe(users);
  });
});

describe('bodies of another media type', () => {
  it.each([
    ['text/plain', '{"email":"a@b.c","password":"secret-1"}'],
    ['application/x-www-form-urlencoded', 'email=a%40b.c&password=secret-1'],
    ['application/xml', '<login/>'],
  ])('%s: 415 UNSUPPORTED_MEDIA_TYPE naming the content-type (it was read as an empty body), nothing written', async (type, body) => {
    const users = await count('users');
    const res = await t.http.post('/api/auth/register').set('Content-Type', type).send(body);
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', details: { fields: [{ field: 'content-type', rules: { mediaType: expect.stringContaining('application/json') } }] } });
    expect(await count('users')).toBe(users);
  });

  it('a JSON body with a "__proto__" key is refused like any unknown key, naming it', async () => {
    const res = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send('{"email":"a@b.c","password":"x","__proto__":{"roles":["admin"]}}');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: '__proto__' }] } });
  });
});

describe('uploads', () => {
  it('a multipart body without its closing boundary is 400 UPLOAD_MALFORMED naming multipart, nothing stored', async () => {
    const lot = await draftLot();
    const head = '--xyz\r\nContent-Disposition: form-data; name="kind"\r\n\r\nphoto\r\n--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n';
    const res = await t.http
      .post(`/api/lots/${lot}/files`)
      .set(clerk.auth)
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send(Buffer.concat([Buffer.from(head), PNG]));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'UPLOAD_MALFORMED', details: { fields: [{ field: 'multipart' }] } });
    expect((await filesOf(lot)).photos).toHaveLength(0);
    expect(existsSync(path.join(t.platform.config.uploadDir, lot))).toBe(false);
  });

  it('an upload sent as JSON instead of multipart is 400 naming the file field (the multipart reader is not taken for a file)', async () => {
    const lot = await draftLot();
    const res = await t.http.post(`/api/lots/${lot}/files`).set(clerk.auth).send({ kind: 'photo', file: 'aGVsbG8=' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(JSON.stringify(res.body)).toMatch(/"field":"file"/);
    expect((await filesOf(lot)).photos).toHaveLength(0);
  });

  it('a file over UPLOAD_MAX_BYTES is 413 FILE_TOO_LARGE naming the limit, nothing stored', async () => {
    const lot = await draftLot();
    const audit = await count('audit_log');
    const big = Buffer.concat([PNG, Buffer.alloc(UPLOAD_MAX_BYTES)]);
    const res = await t.http.post(`/api/lots/${lot}/files`).set(clerk.auth).field('kind', 'photo').attach('file', big, 'big.png');
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'FILE_TOO_LARGE', details: { field: 'file', maxBytes: UPLOAD_MAX_BYTES } });
    expect((res.body as { message: string }).message).toContain(String(UPLOAD_MAX_BYTES));
    expect((await filesOf(lot)).photos).toHaveLength(0);
    expect(await count('audit_log')).toBe(audit);
  });

  it('a document whose name says PDF but whose content is PNG is refused, saying so; nothing stored', async () => {
    const lot = await draftLot();
    const audit = await count('audit_log');
    const res = await t.http.post(`/api/lots/${lot}/files`).set(clerk.auth).field('kind', 'document').attach('file', PNG, 'p.pdf');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'FILE_TYPE_MISMATCH', message: "the file's content is PNG, not PDF", details: { field: 'file' } });
    expect((await filesOf(lot)).documents).toHaveLength(0);
    expect(await count('audit_log')).toBe(audit);
  });

  it('a document without an extension is stored and served under a name with the extension of its content', async () => {
    const lot = await draftLot();
    const res = await t.http.post(`/api/lots/${lot}/files`).set(clerk.auth).field('kind', 'document').attach('file', PNG, 'scan').expect(201);
    const doc = (res.body as { documents: { name: string; url: string }[] }).documents[0];
    expect(doc.name).toBe('scan.png');
    const served = await t.http.get(doc.url).set(clerk.auth).expect(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['content-disposition']).toContain('scan.png');
  });

  it('a stored file gone from disk is 404 FILE_CONTENT_MISSING, logged as an error for the operator', async () => {
    const lot = await draftLot();
    const res = await t.http.post(`/api/lots/${lot}/files`).set(clerk.auth).field('kind', 'photo').attach('file', PNG, 'house.png').expect(201);
    const photo = (res.body as { photos: { id: string; url: string }[] }).photos[0];
    const dir = path.join(t.platform.config.uploadDir, lot);
    for (const name of readdirSync(dir)) rmSync(path.join(dir, name));
    const gone = await t.http.get(photo.url).set(clerk.auth);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ code: 'FILE_CONTENT_MISSING', details: { fileId: photo.id } });
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { level?: string | number; msg?: string });
    expect(lines.some((l) => (l.level === 'error' || l.level === 50) && JSON.stringify(l).includes(photo.id))).toBe(true);
  });
});

describe('Stripe events the platform cannot use', () => {
  const send = (event: Record<string, unknown>) => {
    const payload = JSON.stringify(event);
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: t.platform.app.get(StripeGateway).webhookSecret });
    return t.http.post('/api/payments/stripe/webhook').set('Content-Type', 'application/json').set('Stripe-Signature', header).send(payload);
  };

  it('an event about a PaymentIntent the platform does not know is acknowledged, so Stripe stops retrying', async () => {
    const deposits = await count('deposits');
    const event = { id: `evt_unknown_${Date.now()}`, object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_doesnotexist', object: 'payment_intent', metadata: { kind: 'deposit' } } } };
    const res = await send(event);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, duplicate: false });
    expect(await count('deposits')).toBe(deposits);
    // Recorded like any other event: Stripe's retry of it is a duplicate.
    expect((await send(event)).body).toEqual({ received: true, duplicate: true });
  });

  it.each([
    ['data', { id: 'evt_no_data', object: 'event', type: 'payment_intent.succeeded' }],
    ['data.object', { id: 'evt_no_object', object: 'event', type: 'payment_intent.succeeded', data: {} }],
    ['id', { object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_x', object: 'payment_intent' } } }],
  ])('a signed event without %s is 400 naming it, nothing recorded', async (field, event) => {
    const events = await count('stripe_events');
    const res = await send(event);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'WEBHOOK_EVENT_MALFORMED', details: { fields: [{ field, rules: { required: expect.any(String) } }] } });
    expect(await count('stripe_events')).toBe(events);
  });
});

describe('ids', () => {
  it('the nil UUID is a well-formed id: an unknown lot is 404, not 400', async () => {
    const res = await t.http.get('/api/lots/00000000-0000-0000-0000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'LOT_NOT_FOUND' });
  });
});

/** Answers that named a field but not the real problem (found in a walk-through as a new user). */
describe('refusals that say what is wrong', () => {
  it('raw UTF-8 in a URL (not percent-encoded) is 400 MALFORMED_REQUEST in the API’s error shape', async () => {
    const { port } = new URL(t.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(Buffer.concat([Buffer.from('GET /api/lots?q='), Buffer.from('奔驰', 'utf8'), Buffer.from(' HTTP/1.1\r\nHost: localhost\r\n\r\n')])));
      let out = '';
      socket.on('data', (chunk) => (out += chunk.toString('utf8')));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ statusCode: 400, code: 'MALFORMED_REQUEST', message: expect.stringContaining('percent-encoded') });
  });

  it('a percent-escape that does not decode (half a character) is 400 MALFORMED_REQUEST, not the router’s own error', async () => {
    const res = await t.http.get('/api/lots/%E4%B8').expect(400);
    expect(res.body).toEqual({ statusCode: 400, code: 'MALFORMED_REQUEST', message: expect.stringContaining('%XX'), details: { parserError: 'FST_ERR_BAD_URL' } });
    // The same character whole reaches the route, which names the parameter.
    const whole = await t.http.get(`/api/lots/${encodeURIComponent('中')}`).expect(400);
    expect(whole.body.code).toBe('VALIDATION_FAILED');
  });

  it('a multipart body on a route that reads JSON is 415 naming the content type, not "fields missing"', async () => {
    const users = await count('users');
    const res = await t.http.post('/api/auth/register').field('email', 'multipart@example.com').field('password', 'long enough password').field('displayName', 'M').expect(415);
    expect(res.body).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', details: { fields: [{ field: 'content-type', rules: { mediaType: expect.stringContaining('multipart/form-data is for uploads') } }] } });
    expect(await count('users')).toBe(users);
  });

  it('a missing required field is "required", not every other rule of the field', async () => {
    const users = await count('users');
    const res = await t.http.post('/api/auth/register').send({ email: 'someone@example.com' }).expect(400);
    expect(res.body.details.fields).toEqual([
      { field: 'password', rules: { isDefined: 'password is required' } },
      { field: 'displayName', rules: { isDefined: 'displayName is required' } },
    ]);
    // A present but wrong value still gets its own rule.
    const short = await t.http.post('/api/auth/register').send({ email: 'someone@example.com', password: 'short', displayName: 'x' }).expect(400);
    // With the rule's figure as a number, so that a client words it in its reader's language without parsing the sentence.
    expect(short.body.details.fields).toEqual([{ field: 'password', rules: { minLength: 'password must be at least 10 characters' }, limits: { minLength: 10 } }]);
    expect(await count('users')).toBe(users);
  });

  it.each([
    ['-1', { rules: { min: 'minPrice must be at least 0' }, limits: { min: 0 } }],
    ['1.5', { rules: { isInt: 'minPrice must be an integer' } }],
  ])('a price filter of %s is told only the rule it breaks (and its figure, if it has one)', async (value, problem) => {
    const res = await t.http.get(`/api/lots?minPrice=${value}`).expect(400);
    expect(res.body.details.fields).toEqual([{ field: 'minPrice', ...problem }]);
  });

  it('publishing a draft without its times is SCHEDULE_MISSING on each; times in refusal details are ISO 8601', async () => {
    const { startsAt: _s, endsAt: _e, ...untimed } = validLotBody(caseId);
    const draft = (await t.http.post('/api/lots').set(clerk.auth).send(untimed).expect(201)).body as { id: string };
    const missing = await t.http.post(`/api/lots/${draft.id}/publish`).set(clerk.auth).expect(409);
    expect((missing.body.details.violations as { code: string; field: string }[]).map((v) => `${v.code} ${v.field}`)).toEqual(['SCHEDULE_MISSING startsAt', 'SCHEDULE_MISSING endsAt']);

    const short = (await t.http.post('/api/lots').set(clerk.auth).send(validLotBody(caseId, { durationMs: 2000 })).expect(201)).body as { id: string };
    const refused = await t.http.post(`/api/lots/${short.id}/publish`).set(clerk.auth).expect(409);
    const tooShort = (refused.body.details.violations as { code: string; details: Record<string, unknown> }[]).find((v) => v.code === 'BIDDING_TOO_SHORT');
    expect(tooShort?.details).toMatchObject({ earliestEnd: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), minimumMs: expect.any(Number) });
  });

  it('the result of a withdrawn lot is 422 LOT_WITHDRAWN with the published reason, not "not closed yet"', async () => {
    const lotId = await publishedLot(t, clerk, await createCase(t, clerk), { startInMs: 60_000 });
    await t.http.post(`/api/lots/${lotId}/withdraw`).set(clerk.auth).send({ reason: '申请执行人撤回执行申请' }).expect(201);
    const res = await t.http.get(`/api/lots/${lotId}/result`).expect(422);
    expect(res.body).toMatchObject({ code: 'LOT_WITHDRAWN', details: { status: 'withdrawn', reason: '申请执行人撤回执行申请' } });
  });
});
