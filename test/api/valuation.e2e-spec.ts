/**
 * The reference-price procedure (RPR 2018) end to end on real PostgreSQL, sandbox profile (the procedure's
 * days are seconds): negotiation, online inquiry with a late platform and with extensions, appraisal by a
 * verifiable lottery with a late agency replaced, an objection explained and ruled, the publication check
 * of a lot's reference price (Art. 27), organisation isolation and bad input. Deadline-driven transitions
 * are awaited by polling, never by long sleeps.
 */
import { createHash, randomBytes } from 'node:crypto';
import { applyValuationEvent, createValuationProcedure, SANDBOX, verifyLottery, type ValuationEvent, type ValuationState } from '@fapai/domain';
import type { AppraiserWorkItem, ValuationListItem, ValuationView } from '@fapai/contracts';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createAgency, createCase, createCourt, createStaff, login, loginAdmin, uniqueEmail, validLotBody, waitFor, type Actor } from '../support/actors.js';

let t: TestPlatform;
let admin: Actor;
let clerk: Actor;
let otherClerk: Actor;
const platforms: { id: string; appraiser: Actor }[] = [];

const DAY = 86_400_000;
const inDays = (d: number): string => new Date(Date.now() + d * DAY).toISOString();

interface CaseSetup {
  caseId: string;
  applicant: Actor;
  respondent: Actor;
  applicantPartyId: string;
  respondentPartyId: string;
}

/** A case of the clerk's court whose applicant and respondent have their own `party` logins. */
async function caseWithPartyAccounts(): Promise<CaseSetup> {
  const caseId = await createCase(t, clerk);
  const kase = (await t.http.get(`/api/cases/${caseId}`).set(clerk.auth).expect(200)).body as { parties: { id: string; role: string }[] };
  const out: Partial<CaseSetup> = { caseId };
  for (const p of kase.parties) {
    const email = uniqueEmail(p.role);
    await t.http.post(`/api/cases/${caseId}/parties/${p.id}/account`).set(clerk.auth).send({ email, password: 'party-password-1' }).expect(201);
    const actor = await login(t, email, 'party-password-1');
    if (p.role === 'applicant') Object.assign(out, { applicant: actor, applicantPartyId: p.id });
    if (p.role === 'respondent') Object.assign(out, { respondent: actor, respondentPartyId: p.id });
  }
  return out as CaseSetup;
}

function property(overrides: Record<string, unknown> = {}) {
  return {
    description: '北京市朝阳区测试路1号房产',
    title: '被执行人乙所有，京(2020)朝阳区不动产权第0000001号',
    encumbrances: ['抵押：某银行'],
    occupancy: '被执行人自住',
    unpaidTaxes: 0,
    defects: [],
    hasGovernmentPrice: false,
    needsOnSiteSurvey: false,
    appraisalRequiredByLaw: false,
    ...overrides,
  };
}

type View = {
  id: string;
  status: string;
  method: string | null;
  referencePrice: number | null;
  validUntil: string | null;
  result: { basis: string; sources: string[]; referencePrice?: number; referencePriceFen: number } | null;
  steps: {
    id: string;
    method: string;
    status: string;
    phase?: string;
    deadline: string | null;
    actor: string;
    failure: { reason: string } | null;
    platforms?: { platformId: string; status: string; deadline: string; extension: string | null }[];
    commissions?: { agencyId: string; rank: number; status: string; deadline: string; objections: { id: string; status: string }[] }[];
  }[];
  objections: { id: string; status: string }[];
  reports: { id: string; kind: string; price: number | null; files: { id: string; url: string }[] }[];
};

async function createValuation(caseId: string, overrides: Record<string, unknown> = {}): Promise<View> {
  const res = await t.http.post('/api/valuations').set(clerk.auth).send({ caseId, property: property(overrides) });
  expect(res.status).toBe(201);
  return res.body as View;
}

async function view(id: string, actor: Actor = clerk): Promise<View> {
  const res = await t.http.get(`/api/valuations/${id}`).set(actor.auth);
  expect(res.status).toBe(200);
  return res.body as View;
}

/** Polls until the valuation satisfies `check` (deadline-driven transitions are applied by the timer). */
function until(id: string, what: string, check: (v: View) => boolean, timeoutMs = 20_000): Promise<View> {
  return waitFor(what, async () => {
    const v = await view(id);
    return check(v) ? v : undefined;
  }, timeoutMs, 100);
}

function report(actor: Actor, id: string, price: number, extra: Record<string, unknown> = {}) {
  return t.http
    .post(`/api/valuations/${id}/reports`)
    .set(actor.auth)
    .send({ price, method: '市场比较法', samples: [{ description: '同小区近期成交', price }], validUntil: inDays(180), ...extra });
}

beforeAll(async () => {
  t = await startTestPlatform();
  admin = await loginAdmin(t);
  const court = await createCourt(t, admin);
  clerk = await createStaff(t, admin, 'court_clerk', { courtId: court });
  otherClerk = await createStaff(t, admin, 'court_clerk', { courtId: await createCourt(t, admin) });
  // The online inquiry goes to every active platform on the list: these three.
  for (let i = 0; i < 3; i++) {
    const id = await createAgency(t, admin, 'inquiry_platform');
    platforms.push({ id, appraiser: await createStaff(t, admin, 'appraiser', { agencyId: id }) });
  }
});
afterAll(async () => {
  await t?.stop();
});

describe('negotiation (RPR Art. 4)', () => {
  it('two party accounts submit the same price: that is the reference price', async () => {
    const c = await caseWithPartyAccounts();
    const v = await createValuation(c.caseId);
    expect(v).toMatchObject({ status: 'open', method: null, referencePrice: null });
    const opened = await t.http.post(`/api/valuations/${v.id}/negotiation`).set(clerk.auth).send({ deadline: new Date(Date.now() + 60_000).toISOString() });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ status: 'negotiation', method: 'negotiation', steps: [{ method: 'negotiation', status: 'active', actor: clerk.id }] });

    const first = await t.http.post(`/api/valuations/${v.id}/negotiation/prices`).set(c.applicant.auth).send({ price: 1_000_000, validUntil: inDays(100) });
    expect(first.status).toBe(201);
    // The respondent sees that the applicant answered, not the figure.
    const seen = await view(v.id, c.respondent);
    expect((seen.steps[0] as unknown as { submissions: { applicant: Record<string, unknown> } }).submissions.applicant).toEqual({ submitted: true });

    const second = await t.http.post(`/api/valuations/${v.id}/negotiation/prices`).set(c.respondent.auth).send({ price: 1_000_000, validUntil: inDays(90) });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ status: 'determined', method: 'negotiation', referencePrice: 1_000_000, result: { basis: 'negotiation_agreed' } });
    // The shorter validity both accepted.
    expect(Date.parse((second.body as View).validUntil!)).toBeLessThan(Date.now() + 91 * DAY);
    // Both parties were told in the platform: invited to negotiate, then the price was fixed.
    for (const party of [c.applicant, c.respondent]) {
      const notes = (await t.http.get('/api/me/notifications').set(party.auth).expect(200)).body as { kind: string }[];
      expect(notes.map((n) => n.kind)).toEqual(expect.arrayContaining(['valuation.negotiate', 'valuation.determined']));
    }

    // A party of another case, and a clerk of another court, do not learn it exists.
    const stranger = await caseWithPartyAccounts();
    await t.http.get(`/api/valuations/${v.id}`).set(stranger.applicant.auth).expect(404);
    await t.http.get(`/api/valuations/${v.id}`).set(otherClerk.auth).expect(404);
    const listed = await t.http.get(`/api/valuations?caseId=${c.caseId}`).set(c.applicant.auth).expect(200);
    expect((listed.body as { id: string }[]).map((x) => x.id)).toEqual([v.id]);
  }, 20_000);
});

describe('online inquiry (RPR Arts. 10–13)', () => {
  it('negotiation fails, online inquiry to the three platforms, one late: the mean of the other two', async () => {
    const c = await caseWithPartyAccounts();
    const v = await createValuation(c.caseId);
    // Online inquiry before negotiation failed is out of order.
    const early = await t.http.post(`/api/valuations/${v.id}/online-inquiry`).set(clerk.auth).send({});
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'METHOD_OUT_OF_ORDER', details: { article: 'RPR Arts. 4, 7', condition: 'negotiation_impossible_or_failed' } });

    await t.http.post(`/api/valuations/${v.id}/negotiation`).set(clerk.auth).send({}).expect(201);
    await t.http.post(`/api/valuations/${v.id}/negotiation/prices`).set(c.applicant.auth).send({ price: 1_200_000, validUntil: inDays(100) }).expect(201);
    const failed = await t.http.post(`/api/valuations/${v.id}/negotiation/prices`).set(c.respondent.auth).send({ price: 800_000, validUntil: inDays(100) });
    expect(failed.body).toMatchObject({ status: 'open', steps: [{ status: 'failed', failure: { reason: 'prices_differ' } }] });

    // Appraisers of a platform see nothing before they are commissioned.
    await t.http.get(`/api/valuations/${v.id}`).set(platforms[0].appraiser.auth).expect(404);

    const opened = await t.http.post(`/api/valuations/${v.id}/online-inquiry`).set(clerk.auth).send({});
    expect(opened.status).toBe(201);
    const step = (opened.body as View).steps[1];
    expect(step).toMatchObject({ method: 'online_inquiry', phase: 'reporting' });
    expect(step.platforms!.map((p) => p.platformId).sort()).toEqual(platforms.map((p) => p.id).sort());

    // Two platforms answer at once (the timer is running: 3 "days" are 3 s in the sandbox).
    const r1 = await report(platforms[0].appraiser, v.id, 1_000_000);
    expect(r1.status).toBe(201);
    await report(platforms[1].appraiser, v.id, 1_100_001).expect(201);

    // The third platform's queue shows its work with the deadline.
    const queue = await t.http.get('/api/appraiser/queue').set(platforms[2].appraiser.auth).expect(200);
    expect(queue.body).toEqual(expect.arrayContaining([expect.objectContaining({ valuationId: v.id, work: [expect.objectContaining({ kind: 'online_report', dueAt: step.deadline })] })]));
    // Exactly the AppraiserWorkItem contract of libs/contracts: the property is { description }, times are ISO strings.
    const item = (queue.body as AppraiserWorkItem[]).find((x) => x.valuationId === v.id)!;
    expect(Object.keys(item).sort()).toEqual(['caseId', 'facts', 'method', 'property', 'status', 'valuationId', 'work']);
    expect(item).toEqual({
      valuationId: v.id,
      caseId: c.caseId,
      property: { description: property().description },
      facts: expect.objectContaining({ title: property().title, unpaidTaxesFen: 0, needsOnSiteSurvey: false }),
      status: 'online_inquiry',
      method: 'online_inquiry',
      work: [{ kind: 'online_report', stepId: step.id, dueAt: step.deadline }],
    } satisfies AppraiserWorkItem);
    expect(new Date(item.work[0].dueAt!).toISOString()).toBe(item.work[0].dueAt);
    // The list and the detail send the same property shape; the clerk's detail lists the running deadlines with their article.
    const listed = (await t.http.get(`/api/valuations?caseId=${c.caseId}`).set(clerk.auth).expect(200)).body as ValuationListItem[];
    expect(listed).toEqual([expect.objectContaining({ id: v.id, property: { description: property().description } })]);
    const detail = (await t.http.get(`/api/valuations/${v.id}`).set(clerk.auth).expect(200)).body as ValuationView;
    expect(detail.property).toEqual({ description: property().description });
    expect(detail.deadlines).toEqual(expect.arrayContaining([{ kind: 'online_report', dueAt: step.deadline, stepId: step.id, ref: step.id, article: 'RPR Art. 11' }]));
    expect((await t.http.get(`/api/valuations/${v.id}`).set(platforms[0].appraiser.auth).expect(200)).body).not.toHaveProperty('deadlines');
    // An incomplete report (no samples) and a validity over a year are refused with the article and the failed condition.
    const incomplete = await report(platforms[2].appraiser, v.id, 5_000_000, { samples: [] });
    const tooLong = await report(platforms[2].appraiser, v.id, 5_000_000, { validUntil: inDays(400) });
    if (Date.now() <= Date.parse(step.deadline ?? "")) {
      expect(incomplete.status).toBe(422);
      expect(incomplete.body).toMatchObject({ code: 'REPORT_INCOMPLETE', details: { article: 'RPR Art. 11 ¶1', condition: 'method_and_samples_given' } });
      expect(tooLong.status).toBe(409);
      expect(tooLong.body).toMatchObject({ code: 'VALIDITY_TOO_LONG', details: { article: 'RPR Art. 27 ¶1' } });
    }

    // The commissioned platforms are barred from bidding on the case (OJA Art. 34): the enrolment module reads this.
    const { rows } = await t.db.query<{ agency_id: string }>('SELECT DISTINCT agency_id FROM valuation_assignments WHERE case_id = $1', [c.caseId]);
    expect(rows.map((r) => r.agency_id).sort()).toEqual(platforms.map((p) => p.id).sort());
    // A platform sees only its own entry.
    const own = await view(v.id, platforms[0].appraiser);
    expect(own.steps[1].platforms!.map((p) => p.platformId)).toEqual([platforms[0].id]);

    // The third platform stays silent: at its deadline it is late and the reports go to review.
    const reviewed = await until(v.id, 'online reports in review', (x) => x.steps[1].phase === 'review');
    expect(reviewed.steps[1].platforms!.find((p) => p.platformId === platforms[2].id)!.status).toBe('late');
    const late = await report(platforms[2].appraiser, v.id, 5_000_000);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'ONLINE_REPORT_LATE', details: { article: 'RPR Arts. 11, 13 ¶1' } });

    await t.http.post(`/api/valuations/${v.id}/online-inquiry/review`).set(clerk.auth).send({ faultyPlatformIds: [] }).expect(201);
    const served = await t.http.post(`/api/valuations/${v.id}/service`).set(clerk.auth).send({});
    expect(served.status).toBe(201);
    expect(served.body).toMatchObject({ status: 'objection' });

    // No objection within the 5 "days": the mean of the two timely reports, rounded half up to the fen.
    const done = await until(v.id, 'reference price determined', (x) => x.status === 'determined');
    expect(done).toMatchObject({ method: 'online_inquiry', referencePrice: 1_050_001, result: { basis: 'art13_some_timely' } });
    expect(done.result!.sources.sort()).toEqual([platforms[0].id, platforms[1].id].sort());

    // Art. 31: the fee goes to the platform closest to the sale price.
    const fees = await t.http.get(`/api/valuations/${v.id}/fees?salePrice=1010000`).set(clerk.auth).expect(200);
    expect(fees.body).toMatchObject({ salePrice: 1_010_000, onlineInquiry: { recipients: [platforms[0].id], reason: 'closest_to_sale_price', article: 'RPR Art. 31 ¶1' } });

    // The event log replays to the stored state (the domain is the only rule-keeper).
    const events = (await t.http.get(`/api/valuations/${v.id}/events`).set(clerk.auth).expect(200)).body as { seq: number; type: string; payload: Record<string, unknown>; at: string }[];
    expect(events[0]).toMatchObject({ seq: 0, type: 'procedure_created' });
    const created = events[0].payload as { id: string; caseId: string; propertyId: string; seizedAt: number | null };
    let state: ValuationState = createValuationProcedure(created, Date.parse(events[0].at));
    for (const e of events.slice(1)) {
      const r = applyValuationEvent(state, e.payload as unknown as ValuationEvent, Date.parse(e.at), SANDBOX);
      if (!r.ok) throw new Error(`replay ${e.seq} ${e.type}: ${r.code}`);
      state = r.state;
    }
    const stored = await t.db.query<{ state: ValuationState }>('SELECT state FROM valuations WHERE id = $1', [v.id]);
    expect(state).toEqual(stored.rows[0].state);
  }, 40_000);

  it('every platform late after asking in time: the extension is granted (RPR Art. 11 ¶2)', async () => {
    const c = await caseWithPartyAccounts();
    const v = await createValuation(c.caseId);
    // The respondent refuses to negotiate: negotiation is impossible, online inquiry next.
    await t.http.post(`/api/valuations/${v.id}/stances`).set(clerk.auth).send({ party: 'respondent', refusesNegotiation: true }).expect(201);
    const refused = await t.http.post(`/api/valuations/${v.id}/negotiation`).set(clerk.auth).send({});
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'NEGOTIATION_IMPOSSIBLE', details: { article: 'RPR Art. 4 ¶1', condition: 'no_party_refuses' } });
    const opened = (await t.http.post(`/api/valuations/${v.id}/online-inquiry`).set(clerk.auth).send({}).expect(201)).body as View;
    const firstDeadline = Date.parse(opened.steps[0].platforms![0].deadline);
    for (const p of platforms) await t.http.post(`/api/valuations/${v.id}/extension-requests`).set(p.appraiser.auth).send({}).expect(201);
    const twice = await t.http.post(`/api/valuations/${v.id}/extension-requests`).set(platforms[0].appraiser.auth).send({});
    expect(twice.body).toMatchObject({ code: 'EXTENSION_ALREADY_REQUESTED', details: { article: 'RPR Art. 11 ¶2' } });

    const extended = await until(v.id, 'extension granted', (x) => x.steps[0].phase === 'extension');
    for (const p of extended.steps[0].platforms!) {
      expect(p).toMatchObject({ status: 'pending', extension: 'granted' });
      expect(Date.parse(p.deadline)).toBe(firstDeadline + SANDBOX.valuation.onlineInquiryExtensionMs);
    }
    // A report within the extended period is on time.
    await report(platforms[0].appraiser, v.id, 900_000).expect(201);
    await report(platforms[1].appraiser, v.id, 910_000).expect(201);
    await report(platforms[2].appraiser, v.id, 920_000).expect(201);
    expect((await view(v.id)).steps[0].phase).toBe('review');
  }, 30_000);
});

describe('appraisal (RPR Arts. 14–26)', () => {
  it('lottery committed, drawn and recomputable; a late first agency replaced by the second; an objection explained and ruled', async () => {
    const field = `field-${randomBytes(4).toString('hex')}`;
    const agencies: { id: string; appraiser: Actor }[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await createAgency(t, admin, 'appraisal_agency', [field]);
      agencies.push({ id, appraiser: await createStaff(t, admin, 'appraiser', { agencyId: id }) });
    }
    const outsider = await createAgency(t, admin, 'appraisal_agency', ['other']);
    const outsiderAppraiser = await createStaff(t, admin, 'appraiser', { agencyId: outsider });
    const c = await caseWithPartyAccounts();
    const v = await createValuation(c.caseId, { appraisalRequiredByLaw: true, needsOnSiteSurvey: true });

    // The law requires appraisal: the other methods are closed.
    const neg = await t.http.post(`/api/valuations/${v.id}/negotiation`).set(clerk.auth).send({});
    expect(neg.body).toMatchObject({ code: 'METHOD_OUT_OF_ORDER', details: { article: 'RPR Art. 14', condition: 'appraisal_not_required_by_law' } });

    await t.http.post(`/api/valuations/${v.id}/appraisal`).set(clerk.auth).send({ bothPartiesAskLottery: true }).expect(201);
    const drawEarly = await t.http.post(`/api/valuations/${v.id}/appraisal/lottery/draw`).set(clerk.auth).send({});
    expect(drawEarly.body).toMatchObject({ code: 'LOTTERY_NOT_COMMITTED', details: { article: 'RPR Arts. 16, 34' } });

    // Commit: only the SHA-256 of the server's seed is published, with the candidates of the sub-list.
    await t.http.post(`/api/valuations/${v.id}/appraisal/lottery/commit`).set(clerk.auth).send({ field }).expect(201);
    const committed = (await t.http.get(`/api/valuations/${v.id}/lottery`).expect(200)).body as { commitment: string; seed: string | null; candidateIds: string[]; result: string[] | null; count: number; publicEntropy: string };
    expect(committed.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(committed.seed).toBeNull();
    expect(committed.result).toBeNull();
    expect([...committed.candidateIds].sort()).toEqual(agencies.map((a) => a.id).sort());
    const again = await t.http.post(`/api/valuations/${v.id}/appraisal/lottery/commit`).set(clerk.auth).send({ field });
    expect(again.body).toMatchObject({ code: 'LOTTERY_ALREADY_COMMITTED' });

    // Draw with the parties' entropy; the seed is revealed and anyone recomputes the ranking.
    await t.http.post(`/api/valuations/${v.id}/appraisal/lottery/draw`).set(clerk.auth).send({ publicEntropy: 'parties-2026' }).expect(201);
    const drawn = (await t.http.get(`/api/valuations/${v.id}/lottery`).expect(200)).body as typeof committed;
    expect(drawn.commitment).toBe(committed.commitment);
    expect(createHash('sha256').update(drawn.seed!, 'utf8').digest('hex')).toBe(committed.commitment);
    expect(drawn.result).toHaveLength(3);
    expect(verifyLottery({ commitment: drawn.commitment, seed: drawn.seed!, candidates: drawn.candidateIds, result: drawn.result!, count: drawn.count, publicEntropy: drawn.publicEntropy })).toEqual({ ok: true });
    expect(verifyLottery({ commitment: drawn.commitment, seed: drawn.seed!, candidates: drawn.candidateIds, result: [...drawn.result!].reverse(), count: drawn.count, publicEntropy: drawn.publicEntropy })).toMatchObject({ ok: false, code: 'LOTTERY_RESULT_MISMATCH' });
    const [firstId, secondId, thirdId] = drawn.result!;
    const byId = (id: string) => agencies.find((a) => a.id === id)!;

    let state = await view(v.id);
    expect(state.steps[0].commissions).toEqual([expect.objectContaining({ agencyId: firstId, rank: 1, status: 'commissioned' })]);
    const queue = await t.http.get('/api/appraiser/queue').set(byId(firstId).appraiser.auth).expect(200);
    expect(queue.body).toEqual([expect.objectContaining({ valuationId: v.id, work: [expect.objectContaining({ kind: 'appraisal_report', dueAt: state.steps[0].commissions![0].deadline })] })]);

    // Isolation: the third-ranked agency (not commissioned) and an agency outside the draw see nothing.
    for (const outsiderActor of [byId(thirdId).appraiser, outsiderAppraiser]) {
      await t.http.get(`/api/valuations/${v.id}`).set(outsiderActor.auth).expect(404);
      await report(outsiderActor, v.id, 1_000_000, { standards: '评估准则' }).expect(404);
      await t.http.post(`/api/valuations/${v.id}/extension-requests`).set(outsiderActor.auth).send({}).expect(404);
      const q = await t.http.get('/api/appraiser/queue').set(outsiderActor.auth).expect(200);
      expect(q.body).toEqual([]);
    }

    // The first agency stays silent past its 30 "days": replaced by the second (Art. 19 ¶3).
    state = await until(v.id, 'second agency commissioned', (x) => (x.steps[0].commissions ?? []).length === 2, 25_000);
    expect(state.steps[0].commissions).toEqual([
      expect.objectContaining({ agencyId: firstId, status: 'replaced' }),
      expect.objectContaining({ agencyId: secondId, rank: 2, status: 'commissioned' }),
    ]);
    const tooLate = await report(byId(firstId).appraiser, v.id, 1_000_000, { standards: '评估准则' });
    expect(tooLate.status).toBe(422);
    expect(tooLate.body).toMatchObject({ code: 'AGENCY_NOT_COMMISSIONED', details: { article: 'RPR Art. 17' } });
    // The replaced agency still sees its own commission, not the second's.
    const replacedView = await view(v.id, byId(firstId).appraiser);
    expect(replacedView.steps[0].commissions!.map((k) => k.agencyId)).toEqual([firstId]);

    const second = byId(secondId).appraiser;
    // Art. 19 ¶2: a written request at least 5 "days" before the deadline; the court grants up to 15 "days".
    const deadline = Date.parse(state.steps[0].commissions![1].deadline);
    const noRequest = await t.http.post(`/api/valuations/${v.id}/appraisal/extensions`).set(clerk.auth).send({ agencyId: secondId, extendByMs: 1000 });
    expect(noRequest.body).toMatchObject({ code: 'NO_EXTENSION_REQUEST' });
    await t.http.post(`/api/valuations/${v.id}/extension-requests`).set(second.auth).send({}).expect(201);
    const tooLong = await t.http.post(`/api/valuations/${v.id}/appraisal/extensions`).set(clerk.auth).send({ agencyId: secondId, extendByMs: SANDBOX.valuation.appraisalExtensionMaxMs + 1 });
    expect(tooLong.body).toMatchObject({ code: 'APPRAISAL_EXTENSION_TOO_LONG', details: { article: 'RPR Art. 19 ¶2' } });
    const granted = await t.http.post(`/api/valuations/${v.id}/appraisal/extensions`).set(clerk.auth).send({ agencyId: secondId, extendByMs: 1000 });
    expect(granted.status).toBe(201);
    expect(Date.parse((granted.body as View).steps[0].commissions![1].deadline)).toBe(deadline + 1000);
    const noStandards = await report(second, v.id, 2_000_000);
    expect(noStandards.body).toMatchObject({ code: 'REPORT_INCOMPLETE', details: { condition: 'method_and_standards_given' } });
    const submitted = await report(second, v.id, 2_000_000, { standards: '房地产估价规范 GB/T 50291' });
    expect(submitted.status).toBe(201);
    const reportId = (submitted.body as { report: { id: string } }).report.id;
    // Report files are checked by content.
    const pdf = await t.http.post(`/api/valuations/${v.id}/reports/${reportId}/files`).set(second.auth).attach('file', Buffer.from('%PDF-1.4\n% report\n'), 'report.pdf');
    expect(pdf.status).toBe(201);
    const fake = await t.http.post(`/api/valuations/${v.id}/reports/${reportId}/files`).set(second.auth).attach('file', Buffer.from('MZ not a pdf'), 'report.pdf');
    expect(fake.status).toBe(400);
    expect(fake.body).toMatchObject({ code: 'FILE_TYPE_NOT_ALLOWED', details: { field: 'file' } });
    await t.http.post(`/api/valuations/${v.id}/reports/${reportId}/files`).set(byId(firstId).appraiser.auth).attach('file', Buffer.from('%PDF-1.4\n'), 'x.pdf').expect(404);

    await t.http.post(`/api/valuations/${v.id}/appraisal/review`).set(clerk.auth).send({ findings: [] }).expect(201);
    await t.http.post(`/api/valuations/${v.id}/service`).set(clerk.auth).send({}).expect(201);
    // Once served, the parties read the report and its file.
    const partyView = await view(v.id, c.applicant);
    const served = partyView.reports.find((r) => r.id === reportId)!;
    expect(served.price).toBe(2_000_000);
    await t.http.get(served.files[0].url).set(c.applicant.auth).expect(200).expect('Content-Type', /application\/pdf/);

    // Objection on Art. 23 grounds: forwarded, explained by the agency, objector unsatisfied, technical review, ruled.
    const badGrounds = await t.http.post(`/api/valuations/${v.id}/objections`).set(c.applicant.auth).send({ grounds: ['result'], target: 'explanation' });
    expect(badGrounds.body).toMatchObject({ code: 'OBJECTION_NOT_ACCEPTED_FOR_TARGET', details: { article: 'RPR Art. 24 ¶1' } });
    const filed = await t.http.post(`/api/valuations/${v.id}/objections`).set(c.applicant.auth).send({ grounds: ['result'], statement: '评估结果明显偏低' });
    expect(filed.status).toBe(201);
    const objectionId = (filed.body as { objectionId: string }).objectionId;
    expect((filed.body as View).objections).toEqual([expect.objectContaining({ id: objectionId, status: 'awaiting_forwarding' })]);
    await t.http.post(`/api/valuations/${v.id}/objections/${objectionId}/forward`).set(clerk.auth).send({}).expect(201);
    // Another agency cannot answer it.
    await t.http.post(`/api/valuations/${v.id}/objections/${objectionId}/explanation`).set(outsiderAppraiser.auth).send({ note: '说明' }).expect(404);
    const explained = await t.http.post(`/api/valuations/${v.id}/objections/${objectionId}/explanation`).set(second.auth).send({ note: '已按市场比较法复核，结果无误。' });
    expect(explained.status).toBe(201);
    await t.http.post(`/api/valuations/${v.id}/objections/${objectionId}/response`).set(c.respondent.auth).send({ satisfied: false }).expect(403);
    await t.http.post(`/api/valuations/${v.id}/objections/${objectionId}/response`).set(c.applicant.auth).send({ satisfied: false }).expect(201);
    const contradict = await t.http.post(`/api/valuations/${v.id}/objections/${objectionId}/technical-review`).set(clerk.auth).send({ reportStands: true });
    expect(contradict.status).toBe(201);
    const wrongRuling = await t.http.post(`/api/valuations/${v.id}/objections/${objectionId}/ruling`).set(clerk.auth).send({ upheld: true });
    expect(wrongRuling.status).toBe(409);
    expect(wrongRuling.body).toMatchObject({ code: 'RULING_CONTRADICTS_TECHNICAL_REVIEW', details: { article: 'RPR Arts. 23 ¶1, 26' } });
    const ruled = await t.http.post(`/api/valuations/${v.id}/objections/${objectionId}/ruling`).set(clerk.auth).send({ upheld: false });
    expect(ruled.status).toBe(201);
    expect((ruled.body as View).objections).toEqual([expect.objectContaining({ id: objectionId, status: 'rejected' })]);

    const done = await until(v.id, 'appraisal determined', (x) => x.status === 'determined');
    expect(done).toMatchObject({ method: 'appraisal', referencePrice: 2_000_000, result: { basis: 'appraisal_confirmed_by_technical_review', sources: [secondId] } });
    const explanation = done.reports.find((r) => r.kind === 'explanation');
    expect(explanation).toBeDefined();
    // Art. 32: the replaced agency gets nothing; the reporting one is paid on the appraisal or the sale price.
    const fees = await t.http.get(`/api/valuations/${v.id}/fees?salePrice=1800000`).set(clerk.auth).expect(200);
    expect(fees.body).toMatchObject({ onlineInquiry: null, appraisal: [{ agencyId: firstId, basis: 'none' }, { agencyId: secondId, basis: 'sale_price', baseFen: 1_800_000 }] });
  }, 60_000);
});

describe('lots take their reference price from the valuation (RPR Art. 27)', () => {
  async function agreedValuation(c: CaseSetup, validUntil: string, price = 1_000_000): Promise<View> {
    const v = await createValuation(c.caseId);
    await t.http.post(`/api/valuations/${v.id}/negotiation`).set(clerk.auth).send({}).expect(201);
    await t.http.post(`/api/valuations/${v.id}/negotiation/prices`).set(c.applicant.auth).send({ price, validUntil }).expect(201);
    const done = await t.http.post(`/api/valuations/${v.id}/negotiation/prices`).set(c.respondent.auth).send({ price, validUntil }).expect(201);
    expect(done.body).toMatchObject({ status: 'determined' });
    return done.body as View;
  }

  it('publishes with the valuation price while valid; refuses REFERENCE_PRICE_EXPIRED once the validity is over', async () => {
    const c = await caseWithPartyAccounts();
    const valid = await agreedValuation(c, inDays(100));
    const lot = await t.http.post('/api/lots').set(clerk.auth).send({ ...validLotBody(c.caseId), referencePrice: 1_100_000, valuationId: valid.id });
    expect(lot.status).toBe(201);
    const published = await t.http.post(`/api/lots/${(lot.body as { id: string }).id}/publish`).set(clerk.auth);
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ referencePrice: 1_000_000, valuationId: valid.id });

    // A price valid for two seconds only, then the announcement comes after its validity.
    const validUntil = Date.now() + 2000;
    const short = await agreedValuation(c, new Date(validUntil).toISOString());
    const draft = await t.http.post('/api/lots').set(clerk.auth).send({ ...validLotBody(c.caseId, { startInMs: 15_000 }), valuationId: short.id }).expect(201);
    await waitFor('validity over', async () => Date.now() > validUntil + 50, 5000, 50);
    const refused = await t.http.post(`/api/lots/${(draft.body as { id: string }).id}/publish`).set(clerk.auth);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'PUBLICATION_REFUSED' });
    const violations = (refused.body as { details: { violations: { code: string; field: string; article: string; details: Record<string, unknown> }[] } }).details.violations;
    expect(violations).toEqual([
      expect.objectContaining({ code: 'REFERENCE_PRICE_EXPIRED', field: 'valuationId', article: 'RPR Art. 27', details: expect.objectContaining({ reissueWithinMs: null, condition: 'announcement_after_validity' }) }),
    ]);

    // A valuation of another case, or one not determined, does not give a price.
    const other = await caseWithPartyAccounts();
    const foreign = await t.http.post('/api/lots').set(clerk.auth).send({ ...validLotBody(other.caseId), valuationId: valid.id }).expect(201);
    const foreignRefused = await t.http.post(`/api/lots/${(foreign.body as { id: string }).id}/publish`).set(clerk.auth).expect(409);
    expect((foreignRefused.body as { details: { violations: { code: string }[] } }).details.violations).toEqual([expect.objectContaining({ code: 'REFERENCE_PRICE_NOT_DETERMINED', field: 'valuationId' })]);
  }, 20_000);
});

describe('bad input and access', () => {
  it('400s name the field; domain refusals carry the article and condition', async () => {
    const c = await caseWithPartyAccounts();
    const missing = await t.http.post('/api/valuations').set(clerk.auth).send({ caseId: c.caseId, property: { ...property(), hasGovernmentPrice: 'yes' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [expect.objectContaining({ field: 'property.hasGovernmentPrice' })] } });
    const badCase = await t.http.post('/api/valuations').set(clerk.auth).send({ caseId: 'nope', property: property() });
    expect(badCase.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [expect.objectContaining({ field: 'caseId' })] } });
    const otherCourt = await t.http.post('/api/valuations').set(otherClerk.auth).send({ caseId: c.caseId, property: property() });
    expect(otherCourt.status).toBe(404);
    expect(otherCourt.body).toMatchObject({ code: 'CASE_NOT_IN_COURT', details: { field: 'caseId' } });
    await t.http.get('/api/valuations/not-a-uuid').set(clerk.auth).expect(400);

    const v = await createValuation(c.caseId);
    await t.http.post(`/api/valuations/${v.id}/negotiation`).set(clerk.auth).send({}).expect(201);
    const negative = await t.http.post(`/api/valuations/${v.id}/negotiation/prices`).set(c.applicant.auth).send({ price: -5, validUntil: inDays(10) });
    expect(negative.status).toBe(400);
    expect(negative.body).toMatchObject({ details: { fields: [expect.objectContaining({ field: 'price' })] } });
    const noParty = await t.http.post(`/api/valuations/${v.id}/negotiation/prices`).set(clerk.auth).send({ price: 5, validUntil: inDays(10) });
    expect(noParty.status).toBe(400);
    expect(noParty.body).toMatchObject({ code: 'PARTY_ROLE_REQUIRED', details: { field: 'party' } });
    const badDeadline = await t.http.post(`/api/valuations/${v.id}/directed-inquiry`).set(clerk.auth).send({ body: '税务局', deadline: 'tomorrow' });
    expect(badDeadline.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [expect.objectContaining({ field: 'deadline' })] } });
    // Directed inquiry needs a government price, whatever else (RPR Art. 5).
    await t.http.post(`/api/valuations/${v.id}/negotiation/fail`).set(clerk.auth).send({ reason: '双方未能协商一致' }).expect(201);
    const directed = await t.http.post(`/api/valuations/${v.id}/directed-inquiry`).set(clerk.auth).send({ body: '税务局' });
    expect(directed.status).toBe(409);
    expect(directed.body).toMatchObject({ code: 'DIRECTED_INQUIRY_NEEDS_GOVERNMENT_PRICE', details: { article: 'RPR Art. 5', condition: 'has_government_price' } });
    // Parties cannot act as the clerk; bidders cannot read valuations.
    await t.http.post(`/api/valuations/${v.id}/online-inquiry`).set(c.applicant.auth).send({}).expect(403);
    const docs = (await t.http.get('/api/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/api/valuations', '/api/valuations/{id}', '/api/valuations/{id}/lottery', '/api/appraiser/queue', '/api/valuations/{id}/objections/{objectionId}/ruling']));
  }, 20_000);
});

describe('directed inquiry, corrections, postponement and withdrawal', () => {
  it('both parties ask for a directed inquiry; the named agency answers through its appraiser; no objection lies (RPR Arts. 5–6, 24 ¶2)', async () => {
    const agency = await createAgency(t, admin, 'appraisal_agency', ['tax']);
    const officer = await createStaff(t, admin, 'appraiser', { agencyId: agency });
    const c = await caseWithPartyAccounts();
    const v = await createValuation(c.caseId, { hasGovernmentPrice: true });
    await t.http.post(`/api/valuations/${v.id}/joint-request`).set(clerk.auth).send({ method: 'directed_inquiry' }).expect(201);
    const opened = await t.http.post(`/api/valuations/${v.id}/directed-inquiry`).set(clerk.auth).send({ body: '北京市朝阳区税务局', agencyId: agency, deadline: new Date(Date.now() + 60_000).toISOString() });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ status: 'directed_inquiry', steps: [{ method: 'directed_inquiry', status: 'active', actor: clerk.id }] });
    const queue = await t.http.get('/api/appraiser/queue').set(officer.auth).expect(200);
    expect(queue.body).toEqual([expect.objectContaining({ valuationId: v.id, work: [expect.objectContaining({ kind: 'directed_result' })] })]);
    const answered = await t.http.post(`/api/valuations/${v.id}/directed-inquiry/result`).set(officer.auth).send({ price: 3_000_000, validUntil: inDays(200) });
    expect(answered.status).toBe(201);
    expect((answered.body as { valuation: View }).valuation).toMatchObject({ status: 'determined', method: 'directed_inquiry', referencePrice: 3_000_000 });
    const objection = await t.http.post(`/api/valuations/${v.id}/objections`).set(c.respondent.auth).send({ grounds: ['facts_wrong'] });
    expect(objection.status).toBe(409);
    expect(objection.body).toMatchObject({ code: 'OBJECTION_NOT_ACCEPTED_FOR_METHOD', details: { article: 'RPR Art. 24 ¶2' } });
  }, 20_000);

  it('every online report faulty: each platform corrects within 3 "days" (RPR Art. 12)', async () => {
    const c = await caseWithPartyAccounts();
    const v = await createValuation(c.caseId);
    await t.http.post(`/api/valuations/${v.id}/joint-request`).set(clerk.auth).send({ method: 'online_inquiry' }).expect(201);
    await t.http.post(`/api/valuations/${v.id}/online-inquiry`).set(clerk.auth).send({}).expect(201);
    for (const [i, p] of platforms.entries()) await report(p.appraiser, v.id, 500_000 + i).expect(201);
    const reviewed = await t.http.post(`/api/valuations/${v.id}/online-inquiry/review`).set(clerk.auth).send({ faultyPlatformIds: platforms.map((p) => p.id) });
    expect((reviewed.body as View).steps[0]).toMatchObject({ phase: 'correction' });
    const missing = await t.http.post(`/api/valuations/${v.id}/corrections`).set(platforms[0].appraiser.auth).send({ validUntil: inDays(100) });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ details: { fields: [expect.objectContaining({ field: 'price' })] } });
    for (const p of platforms) await t.http.post(`/api/valuations/${v.id}/corrections`).set(p.appraiser.auth).send({ price: 600_000, validUntil: inDays(100), note: '已更正样本' }).expect(201);
    const after = await view(v.id);
    expect(after.steps[0].phase).toBe('service');
    expect(after.reports.filter((r) => r.kind === 'online_correction')).toHaveLength(3);
  }, 20_000);

  it('postponement freezes the deadlines, resumption moves them; withdrawal ends it with no platform fee (RPR Arts. 28–29, 31 ¶2)', async () => {
    const c = await caseWithPartyAccounts();
    const v = await createValuation(c.caseId);
    await t.http.post(`/api/valuations/${v.id}/stances`).set(clerk.auth).send({ party: 'applicant', cannotBeFound: true }).expect(201);
    const opened = (await t.http.post(`/api/valuations/${v.id}/online-inquiry`).set(clerk.auth).send({}).expect(201)).body as View;
    const before = Date.parse(opened.steps[0].platforms![0].deadline);
    const postponed = await t.http.post(`/api/valuations/${v.id}/postpone`).set(clerk.auth).send({ reason: 'materials_inconsistent' });
    expect(postponed.body).toMatchObject({ nextDeadlineAt: null });
    const blocked = await report(platforms[0].appraiser, v.id, 700_000);
    expect(blocked.status).toBe(422);
    expect(blocked.body).toMatchObject({ code: 'PROCEDURE_POSTPONED', details: { article: 'RPR Art. 28' } });
    const t0 = Date.now();
    await waitFor('a postponement of a second', async () => Date.now() > t0 + 1000, 3000, 50);
    const resumed = (await t.http.post(`/api/valuations/${v.id}/resume`).set(clerk.auth).send({}).expect(201)).body as View;
    expect(Date.parse(resumed.steps[0].platforms![0].deadline) - before).toBeGreaterThanOrEqual(1000);
    const withdrawn = await t.http.post(`/api/valuations/${v.id}/withdraw`).set(clerk.auth).send({ reason: 'obligations_performed' });
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', withdrawal: { reason: 'obligations_performed', at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/) } });
    const fees = await t.http.get(`/api/valuations/${v.id}/fees`).set(clerk.auth).expect(200);
    expect(fees.body).toMatchObject({ onlineInquiry: { recipients: [], reason: 'withdrawn_art29' } });
    const again = await t.http.post(`/api/valuations/${v.id}/resume`).set(clerk.auth).send({});
    expect(again.body).toMatchObject({ code: 'PROCEDURE_CLOSED', details: { article: 'RPR Art. 29' } });
  }, 20_000);
});
