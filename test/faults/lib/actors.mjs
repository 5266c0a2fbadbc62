/**
 * Acting as the platform's users through the public HTTP API (as test/support/actors.ts does): an operator,
 * a court and its clerk, cases, published sandbox lots, verified bidders and their enrolments.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { residentIdCheckDigit } from '@fapai/domain';
import { ADMIN, sleep } from './infra.mjs';

const agent = new Agent({ connections: 64, keepAliveTimeout: 4000, headersTimeout: 20_000, bodyTimeout: 20_000 });

/**
 * One JSON call. Never throws for an HTTP status; a network error or timeout comes back as
 * `{ status: 0, error: 'ECONNRESET' | 'timeout' | … }` so the caller can classify it.
 */
export async function call(baseUrl, method, path, body, token, { timeoutMs = 15_000, headers = {} } = {}) {
  try {
    const res = await request(`${baseUrl}${path}`, {
      method,
      dispatcher: agent,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs + 1000),
    });
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

export async function login(url, email, password) {
  const body = must(await call(url, 'POST', '/api/auth/login', { email, password }), 200, `login ${email}`);
  return { id: body.user.id, email, token: body.accessToken };
}

export const loginAdmin = (url) => login(url, ADMIN.email, ADMIN.password);

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

let idCounter = 0;
function residentId() {
  idCounter += 1;
  const year = 1960 + (idCounter % 40);
  const month = 1 + (Math.floor(idCounter / 40) % 12);
  const day = 1 + (Math.floor(idCounter / 480) % 28);
  const seq = String(100 + Math.floor(Math.random() * 900));
  const first17 = `110105${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${seq}`;
  return first17 + residentIdCheckDigit(first17);
}

/** The operator, a court, a clerk of that court and one enforcement case. */
export async function courtWithClerk(url) {
  const admin = await loginAdmin(url);
  const courtId = must(await call(url, 'POST', '/api/admin/courts', { name: `故障测试法院-${randomBytes(3).toString('hex')}`, province: '北京市', city: '北京市' }, admin.token), 201, 'court').id;
  const email = `clerk-${randomBytes(4).toString('hex')}@faults.fapai.local`;
  must(await call(url, 'POST', '/api/admin/users', { email, password: 'staff-password-1', role: 'court_clerk', displayName: 'clerk', courtId }, admin.token), 201, 'clerk');
  const clerk = await login(url, email, 'staff-password-1');
  const caseId = await createCase(url, clerk);
  return { admin, clerk, courtId, caseId };
}

export async function createCase(url, clerk) {
  return must(
    await call(
      url,
      'POST',
      '/api/cases',
      {
        caseNumber: `(2026)京0105执${Math.floor(Math.random() * 1e6)}号`,
        title: '故障测试执行案',
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
export async function registerBidders(url, count, tag, concurrency = 8) {
  return mapLimit(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    const email = `bidder-${tag}-${i}@faults.fapai.local`;
    must(await call(url, 'POST', '/api/auth/register', { email, password: 'bidder-password-1', displayName: `Bidder ${i}` }), 201, 'register');
    const actor = await login(url, email, 'bidder-password-1');
    must(await call(url, 'POST', '/api/me/identity', { realName: '张三', idNumber: residentId(), phone: '13800138000' }, actor.token), 200, 'identity');
    return { ...actor, index: i };
  });
}

const DISCLOSURES = {
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

/**
 * A published sandbox lot: bidding from `startInMs` for `durationMs`; 90 balance days (7.5 sandbox minutes)
 * so that no automatic default forfeits the winner's deposit while the run looks at it.
 */
export async function publishedLot(url, clerk, caseId, { startInMs = 3000, durationMs = 60_000, title = '故障测试拍品' } = {}) {
  const now = Date.now();
  const startsAt = now + startInMs;
  const ref = 1_000_000;
  const body = {
    caseId,
    propertyType: 'movable',
    title,
    description: 'fault test lot',
    province: '北京市',
    city: '北京市',
    address: '朝阳区测试路1号',
    referencePrice: ref,
    referencePriceBasis: '市场价',
    startingPrice: Math.ceil(ref * 0.7),
    increment: 1000,
    deposit: Math.ceil(ref * 0.07),
    balanceDueDays: 90,
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(startsAt + durationMs).toISOString(),
    notices: [
      { party: '申请执行人甲', role: 'party', kind: 'notified', at: new Date(now - 40 * 86400_000).toISOString() },
      { party: '被执行人乙', role: 'party', kind: 'notified', at: new Date(now - 40 * 86400_000).toISOString() },
    ],
    disclosures: DISCLOSURES,
  };
  const id = must(await call(url, 'POST', '/api/lots', body, clerk.token), 201, 'lot').id;
  must(await call(url, 'POST', `/api/lots/${id}/publish`, undefined, clerk.token), 201, 'publish');
  return { id, startsAt, endsAt: startsAt + durationMs, startingPrice: body.startingPrice, increment: body.increment, deposit: body.deposit };
}

/** Enrols and waits until the enrolment is active with a bidder code; returns the code. */
export async function enrolActive(url, bidder, lotId, { timeoutMs = 30_000 } = {}) {
  const res = await call(url, 'POST', `/api/lots/${lotId}/enrolments`, { paymentMethod: 'pm_card_visa' }, bidder.token);
  if (res.status === 201 && res.body.status === 'active' && res.body.bidderCode) return res.body.bidderCode;
  if (res.status !== 201 && res.status !== 503) throw new Error(`enrol: ${res.status} ${JSON.stringify(res.body)}`);
  return waitActive(url, bidder, lotId, timeoutMs);
}

export async function waitActive(url, bidder, lotId, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const me = await call(url, 'GET', `/api/lots/${lotId}/enrolments/me`, undefined, bidder.token);
    if (me.status === 200 && me.body.status === 'active' && me.body.bidderCode) return me.body.bidderCode;
    if (Date.now() > deadline) throw new Error(`enrolment of ${bidder.email} in ${lotId} not active after ${timeoutMs} ms: ${me.status} ${JSON.stringify(me.body)}`);
    await sleep(200);
  }
}

export async function lotView(url, lotId) {
  return must(await call(url, 'GET', `/api/lots/${lotId}`), 200, `lot ${lotId}`);
}

/** The whole public bid record of a lot, oldest first. */
export async function bidRecord(url, lotId) {
  const items = [];
  for (let page = 1; ; page++) {
    const body = must(await call(url, 'GET', `/api/lots/${lotId}/bids?pageSize=500&page=${page}`), 200, 'bid record');
    items.push(...body.items);
    if (body.items.length < 500) break;
  }
  return items.sort((a, b) => a.seq - b.seq);
}

/** Waits until every lot is closed and has a result; returns { lotId: { lot, result } }. */
export async function waitClosed(url, lotIds, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const out = {};
  for (const id of lotIds) {
    for (;;) {
      const res = await call(url, 'GET', `/api/lots/${id}/result`);
      if (res.status === 200) {
        out[id] = { result: res.body, lot: await lotView(url, id) };
        break;
      }
      if (Date.now() > deadline) {
        out[id] = { result: null, lot: await lotView(url, id).catch(() => null) };
        break;
      }
      await sleep(250);
    }
  }
  return out;
}

export const isoMs = (iso) => Date.parse(iso);
