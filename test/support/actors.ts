/** Helpers that act as the platform's users through the public HTTP API. */
import { randomBytes } from 'node:crypto';
import { residentId } from './resident-ids.mjs';
import type { LedgerLine } from '../../apps/api/src/payments/deposits.service.js';
import type { TestPlatform } from './platform.js';

export const ADMIN = { email: 'admin@test.fapai.local', password: 'admin-test-password' };

export interface Actor {
  id: string;
  email: string;
  token: string;
  auth: { Authorization: string };
}

let counter = 0;
export function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}@test.fapai.local`;
}

export { residentId } from './resident-ids.mjs';

export async function login(t: TestPlatform, email: string, password: string): Promise<Actor> {
  const res = await t.http.post('/api/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { accessToken: string; user: { id: string } };
  return { id: body.user.id, email, token: body.accessToken, auth: { Authorization: `Bearer ${body.accessToken}` } };
}

export const loginAdmin = (t: TestPlatform): Promise<Actor> => login(t, ADMIN.email, ADMIN.password);

export async function registerBidder(t: TestPlatform, options: { verify?: boolean; realName?: string } = {}): Promise<Actor & { idNumber?: string }> {
  const email = uniqueEmail('bidder');
  const password = 'bidder-password-1';
  const reg = await t.http.post('/api/auth/register').send({ email, password, displayName: 'Bidder' });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
  const actor = await login(t, email, password);
  if (options.verify === false) return actor;
  const idNumber = residentId();
  const res = await t.http.post('/api/me/identity').set(actor.auth).send({ realName: options.realName ?? '张三', idNumber, phone: '13800138000' });
  if (res.status !== 200) throw new Error(`identity: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...actor, idNumber };
}

export async function createCourt(t: TestPlatform, admin: Actor, name = `测试法院-${randomBytes(3).toString('hex')}`): Promise<string> {
  const res = await t.http.post('/api/admin/courts').set(admin.auth).send({ name, province: '北京市', city: '北京市' });
  if (res.status !== 201) throw new Error(`court: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

export async function createStaff(t: TestPlatform, admin: Actor, role: 'court_clerk' | 'appraiser', org: { courtId?: string; agencyId?: string }): Promise<Actor> {
  const email = uniqueEmail(role);
  const password = 'staff-password-1';
  const res = await t.http.post('/api/admin/users').set(admin.auth).send({ email, password, role, displayName: role, ...org });
  if (res.status !== 201) throw new Error(`staff: ${res.status} ${JSON.stringify(res.body)}`);
  return login(t, email, password);
}

export async function createAgency(t: TestPlatform, admin: Actor, kind: 'appraisal_agency' | 'inquiry_platform', fields: string[] = ['real_estate']): Promise<string> {
  const res = await t.http.post('/api/admin/agencies').set(admin.auth).send({ name: `${kind}-${randomBytes(3).toString('hex')}`, kind, fields, province: '北京市', city: '北京市' });
  if (res.status !== 201) throw new Error(`agency: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

export async function createCase(t: TestPlatform, clerk: Actor, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.http
    .post('/api/cases')
    .set(clerk.auth)
    .send({
      caseNumber: `(2026)京0105执${Math.floor(Math.random() * 1e6)}号`,
      title: '测试执行案',
      enforcementBasis: '(2025)京0105民初1号民事判决书',
      parties: [
        { role: 'applicant', name: '申请执行人甲' },
        { role: 'respondent', name: '被执行人乙' },
      ],
      ...extra,
    });
  if (res.status !== 201) throw new Error(`case: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

/** A new court, a clerk of it and a case of theirs: where most tests that list lots start. */
export async function clerkWithCase(t: TestPlatform, admin: Actor, courtName?: string): Promise<{ courtId: string; clerk: Actor; caseId: string }> {
  const courtId = await createCourt(t, admin, courtName);
  const clerk = await createStaff(t, admin, 'court_clerk', { courtId });
  return { courtId, clerk, caseId: await createCase(t, clerk) };
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

/** A draft that passes every statutory check under the sandbox profile (or statutory, with `leadMs`). */
export function validLotBody(caseId: string, options: { startInMs?: number; durationMs?: number; propertyType?: string; referencePrice?: number } = {}): Record<string, unknown> {
  const now = Date.now();
  const startsAt = now + (options.startInMs ?? 3000);
  const ref = options.referencePrice ?? 1_000_000;
  return {
    caseId,
    propertyType: options.propertyType ?? 'movable',
    title: '测试拍品：奔驰轿车一辆',
    description: '车况良好',
    province: '北京市',
    city: '北京市',
    address: '朝阳区测试路1号',
    referencePrice: ref,
    referencePriceBasis: '市场价',
    startingPrice: Math.ceil(ref * 0.7),
    increment: 1000,
    deposit: Math.ceil(ref * 0.07),
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(startsAt + (options.durationMs ?? 10_000)).toISOString(),
    notices: [
      { party: '申请执行人甲', role: 'party', kind: 'notified', at: new Date(now - 40 * 86400_000).toISOString() },
      { party: '被执行人乙', role: 'party', kind: 'notified', at: new Date(now - 40 * 86400_000).toISOString() },
    ],
    disclosures: DISCLOSURES,
  };
}

/** A published sandbox lot of a fresh case; returns its id once announced. */
export async function publishedLot(t: TestPlatform, clerk: Actor, caseId: string, options: Parameters<typeof validLotBody>[1] & { extra?: Record<string, unknown> } = {}): Promise<string> {
  const created = await t.http.post('/api/lots').set(clerk.auth).send({ ...validLotBody(caseId, options), ...(options.extra ?? {}) });
  if (created.status !== 201) throw new Error(`lot: ${created.status} ${JSON.stringify(created.body)}`);
  const id = (created.body as { id: string }).id;
  const pub = await t.http.post(`/api/lots/${id}/publish`).set(clerk.auth);
  if (pub.status !== 201) throw new Error(`publish: ${pub.status} ${JSON.stringify(pub.body)}`);
  return id;
}

export async function enrol(t: TestPlatform, bidder: Actor, lotId: string, paymentMethod = 'pm_card_visa'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await t.http.post(`/api/lots/${lotId}/enrolments`).set(bidder.auth).send({ paymentMethod });
  return { status: res.status, body: res.body as Record<string, unknown> };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Until the lot is live: up to 20 s after its start (a lot may start well after the test's set-up). */
export async function waitLive(t: TestPlatform, lotId: string): Promise<void> {
  const status = async () => (await t.http.get(`/api/lots/${lotId}`).expect(200)).body as { status: string; startsAt: string };
  const startsAt = Date.parse((await status()).startsAt);
  await waitFor('lot live', async () => (await status()).status === 'live', Math.max(0, startsAt - Date.now()) + 20_000);
}

/** What GET /api/lots/:id/result answers once the lot has closed (the fields the tests read). */
export interface LotResult {
  outcome: 'sold' | 'unsold';
  price: number | null;
  bidderCode: string | null;
  endedAt: string;
  bidCount: number;
}

/** The lot's result once it has closed (GET /api/lots/:id/result answers 200). */
export async function lotResult(t: TestPlatform, lotId: string, timeoutMs = 30_000): Promise<LotResult> {
  return waitFor(`result of ${lotId}`, async () => {
    const r = await t.http.get(`/api/lots/${lotId}/result`);
    return r.status === 200 ? (r.body as LotResult) : null;
  }, timeoutMs);
}

export type { LedgerLine } from '../../apps/api/src/payments/deposits.service.js';

/** The deposit ledger invariant, through the operator's API: every line balanced, nothing moved twice. */
export async function expectLedgerBalanced(t: TestPlatform, admin: Actor): Promise<LedgerLine[]> {
  const res = await t.http.get('/api/admin/ledger').set(admin.auth);
  if (res.status !== 200) throw new Error(`ledger: ${res.status}`);
  const lines = res.body as LedgerLine[];
  const bad = lines.filter((l) => !l.balanced || l.doubleMovements > 0);
  if (bad.length > 0) throw new Error(`ledger unbalanced: ${JSON.stringify(bad)}`);
  return lines;
}
