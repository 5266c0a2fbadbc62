/**
 * Acting as the platform's users through the public HTTP API, for the fault tests and the benchmark (the
 * jest tests have the same in test/support/actors.ts): JSON calls, an operator, a court and its clerk,
 * cases, published sandbox lots, verified bidders and their enrolments.
 * (Not named actors.mjs: jest maps `../support/actors.js` to `../support/actors` and would pick a .mjs of
 * that name before actors.ts.)
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { residentId } from './resident-ids.mjs';
import { ADMIN, sleep } from './infra.mjs';

const agent = new Agent({ connections: 64, keepAliveTimeout: 4000, headersTimeout: 60_000, bodyTimeout: 60_000 });

/**
 * One JSON call to `target`: a base URL (through a shared keep-alive agent) or an undici Pool/Client (the
 * benchmark's own connections). Never throws: an HTTP status comes back as is, a network error or a
 * timeout as `{ status: 0, error: 'ECONNRESET' | 'timeout' | … }`, so the caller can classify it.
 * `timeoutMs` is the time to the response headers and body (default 30 s: a slow answer on a loaded
 * machine is not an error of the API; callers that measure a fault pass their own).
 */
export async function call(target, method, path, body, token, { timeoutMs = 30_000, headers = {} } = {}) {
  const options = {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs + 1000),
  };
  try {
    const res = typeof target === 'string' ? await request(`${target}${path}`, { ...options, dispatcher: agent }) : await target.request({ ...options, path });
    const text = await res.body.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = { raw: text.slice(0, 200) };
      }
    }
    return { status: res.statusCode, body: json };
  } catch (error) {
    const code = error?.code ?? error?.cause?.code ?? error?.name ?? 'network';
    const kind = /Timeout|ABORT/i.test(String(code)) ? 'timeout' : String(code);
    return { status: 0, body: null, error: kind };
  }
}

export function must(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.error ?? ''} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Runs `fn` over `items`, at most `limit` at a time; `onDone(count)` after each. */
export async function mapLimit(items, limit, fn, onDone = () => undefined) {
  const results = new Array(items.length);
  let next = 0;
  let done = 0;
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await fn(items[i], i);
      done++;
      onDone(done);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Polls `probe` until it returns something truthy; throws after `timeoutMs` naming `what`. */
export async function waitFor(what, probe, timeoutMs = 30_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

export async function login(target, email, password) {
  const body = must(await call(target, 'POST', '/api/auth/login', { email, password }), 200, `login ${email}`);
  return { id: body.user.id, email, token: body.accessToken };
}

export const loginAdmin = (target) => login(target, ADMIN.email, ADMIN.password);

export { residentId };

/** The operator, a court, a clerk of that court and one enforcement case. */
export async function courtWithClerk(target, tag = 'run') {
  const admin = await loginAdmin(target);
  const courtId = must(await call(target, 'POST', '/api/admin/courts', { name: `${tag}法院-${randomBytes(3).toString('hex')}`, province: '北京市', city: '北京市' }, admin.token), 201, 'court').id;
  const email = `clerk-${randomBytes(4).toString('hex')}@${tag}.fapai.local`;
  must(await call(target, 'POST', '/api/admin/users', { email, password: 'staff-password-1', role: 'court_clerk', displayName: 'clerk', courtId }, admin.token), 201, 'clerk');
  const clerk = await login(target, email, 'staff-password-1');
  const caseId = await createCase(target, clerk);
  return { admin, clerk, courtId, caseId };
}

export async function createCase(target, clerk) {
  return must(
    await call(
      target,
      'POST',
      '/api/cases',
      {
        caseNumber: `(2026)京0105执${Math.floor(Math.random() * 1e6)}号`,
        title: '测试执行案',
        enforcementBasis: '(2025)京0105民初1号民事判决书',
        parties: [
          { role: 'applicant', name: '申请执行人甲' },
          { role: 'respondent', name: '被执行人乙' },
        ],
      },
      clerk.token,
    ),
    201,
    'case',
  ).id;
}

/** Verified bidders: register, log in, identity. */
export async function registerBidders(target, count, { tag = randomBytes(3).toString('hex'), concurrency = 8, onDone } = {}) {
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const email = `bidder-${tag}-${i}@run.fapai.local`;
      must(await call(target, 'POST', '/api/auth/register', { email, password: 'bidder-password-1', displayName: `Bidder ${i}` }), 201, 'register');
      const actor = await login(target, email, 'bidder-password-1');
      must(await call(target, 'POST', '/api/me/identity', { realName: '张三', idNumber: residentId(), phone: '13800138000' }, actor.token), 200, 'identity');
      return { ...actor, index: i };
    },
    onDone,
  );
}

export const DISCLOSURES = {
  announcementText: '拍卖公告：本院将公开拍卖下列财产。',
  enforcementTitle: '(2025)京0105民初1号民事判决书',
  valuationBasis: '参考价由网络询价确定。',
  biddingRules: '加价幅度与延时规则见公告。',
  titleAndEncumbrances: '产权清晰，无人居住。',
  priorityHolders: '无',
  notificationStatement: '已依法通知当事人。',
  paymentInstructions: '在线缴纳保证金。',
  taxesAndFees: '各自承担。',
  courtContact: '测试法院执行局 010-1234567',
  specialWarnings: '悔拍保证金不予退还。',
};

/** A sandbox lot draft that passes every publication check (as test/support/actors.ts `validLotBody`). */
export function lotBody(caseId, { startInMs = 3000, durationMs = 60_000, title = '测试拍品', balanceDueDays } = {}) {
  const now = Date.now();
  const startsAt = now + startInMs;
  const ref = 1_000_000;
  return {
    caseId,
    propertyType: 'movable',
    title,
    description: 'test lot',
    province: '北京市',
    city: '北京市',
    address: '朝阳区测试路1号',
    referencePrice: ref,
    referencePriceBasis: '市场价',
    startingPrice: Math.ceil(ref * 0.7),
    increment: 1000,
    deposit: Math.ceil(ref * 0.07),
    ...(balanceDueDays ? { balanceDueDays } : {}),
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(startsAt + durationMs).toISOString(),
    notices: [
      { party: '申请执行人甲', role: 'party', kind: 'notified', at: new Date(now - 40 * 86400_000).toISOString() },
      { party: '被执行人乙', role: 'party', kind: 'notified', at: new Date(now - 40 * 86400_000).toISOString() },
    ],
    disclosures: DISCLOSURES,
  };
}

/**
 * A published sandbox lot: bidding from `startInMs` for `durationMs`. The fault tests pass 90 balance days
 * (7.5 sandbox minutes) so that no automatic default forfeits the winner's deposit while they look at it.
 */
export async function publishedLot(target, clerk, caseId, options = {}) {
  const body = lotBody(caseId, options);
  const id = must(await call(target, 'POST', '/api/lots', body, clerk.token), 201, 'lot').id;
  must(await call(target, 'POST', `/api/lots/${id}/publish`, undefined, clerk.token), 201, 'publish');
  const startsAt = Date.parse(body.startsAt);
  return { id, startsAt, endsAt: Date.parse(body.endsAt), startingPrice: body.startingPrice, increment: body.increment, deposit: body.deposit };
}

/** Enrols with pm_card_visa and waits until the enrolment is active with a bidder code; returns the code. */
export async function enrolActive(target, bidder, lotId, { timeoutMs = 60_000 } = {}) {
  const res = await call(target, 'POST', `/api/lots/${lotId}/enrolments`, { paymentMethod: 'pm_card_visa' }, bidder.token);
  if (res.status === 201 && res.body.status === 'active' && res.body.bidderCode) return res.body.bidderCode;
  if (res.status !== 201 && res.status !== 503) throw new Error(`enrol: ${res.status} ${res.error ?? ''} ${JSON.stringify(res.body)}`);
  return waitActive(target, bidder, lotId, timeoutMs);
}

export async function waitActive(target, bidder, lotId, timeoutMs = 60_000) {
  let last = null;
  try {
    return await waitFor(
      `enrolment of ${bidder.email} in ${lotId}`,
      async () => {
        last = await call(target, 'GET', `/api/lots/${lotId}/enrolments/me`, undefined, bidder.token);
        return last.status === 200 && last.body.status === 'active' && last.body.bidderCode ? last.body.bidderCode : null;
      },
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${error.message}: ${last?.status} ${JSON.stringify(last?.body)}`, { cause: error });
  }
}

export async function lotView(target, lotId) {
  return must(await call(target, 'GET', `/api/lots/${lotId}`), 200, `lot ${lotId}`);
}

/** Waits until every lot is live (after its start, the lot scheduler flips it). */
export async function waitLive(target, lotIds, timeoutMs = 60_000) {
  for (const id of lotIds) await waitFor(`lot ${id} live`, async () => (await lotView(target, id)).status === 'live', timeoutMs, 100);
}

/** The whole public bid record of a lot, oldest first. */
export async function bidRecord(target, lotId) {
  const items = [];
  for (let page = 1; ; page++) {
    const body = must(await call(target, 'GET', `/api/lots/${lotId}/bids?pageSize=500&page=${page}`), 200, 'bid record');
    items.push(...body.items);
    if (body.items.length < 500) break;
  }
  return items.sort((a, b) => a.seq - b.seq);
}

/** Waits until every lot is closed and has a result; returns { lotId: { lot, result } } (result null if not). */
export async function waitClosed(target, lotIds, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const out = {};
  for (const id of lotIds) {
    for (;;) {
      const res = await call(target, 'GET', `/api/lots/${id}/result`);
      if (res.status === 200) {
        out[id] = { result: res.body, lot: await lotView(target, id) };
        break;
      }
      if (Date.now() > deadline) {
        out[id] = { result: null, lot: await lotView(target, id).catch(() => null) };
        break;
      }
      await sleep(250);
    }
  }
  return out;
}
