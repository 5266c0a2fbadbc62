/**
 * Scenario "stripe": deposits while the Stripe-compatible server misbehaves (driven over /_control).
 *
 * 1. Enrolment (deposit = a manual-capture hold) under queued faults: 500s before execution, 500s after
 *    execution (the operation happened, the 500 is kept for the idempotency key as Stripe does), dropped
 *    connections after execution and before it; webhooks duplicated, delayed 1.5 s and delivered newest
 *    first. Clients answered 503 PAYMENT_PROVIDER_UNAVAILABLE either poll their enrolment (even bidders)
 *    or retry the POST once as the message invites ("please retry"; odd bidders).
 * 2. Bids on two lots (a third gets none: unsold), then, as the lots end, faults on cancel (release),
 *    capture (apply) and retrieve.
 * 3. After the close, the retry job (every ~1 s in sandbox) and the webhooks get time to finish.
 *
 * Invariants: every enrolment becomes active; the ledger (GET /api/admin/ledger) balanced with no double
 * movement; each deposit in its right state (winner applied, the others released, never-paid ones failed);
 * no movement left pending; and at Stripe the money matches: the winners' holds captured once, every other
 * authorisation of these lots cancelled (nothing left held on a loser's card).
 */
import { call, lotView, mapLimit, must, waitActive, waitClosed } from '../../support/http-actors.mjs';
import { log, sleep } from '../../support/infra.mjs';
import { fmtTally, tally } from '../lib/storm.mjs';
import { announcedLots, startBidding } from '../lib/lots.mjs';
import { Checks, verifyLedger } from '../lib/verify.mjs';

const CFG = { lots: 3, biddersPerLot: 6, durationMs: Number(process.env.FAULTS_STRIPE_LOT_MS ?? 15_000), settleTimeoutMs: 50_000 };
const FINAL = ['released', 'applied', 'forfeited', 'failed', 'waived'];

export async function stripeScenario(ctx) {
  const checks = new Checks('stripe');
  const scenarioStart = Date.now();
  const { a, b, clerk, caseId, bidders, db, stripe, admin } = ctx;
  const lots = await announcedLots(a.url, clerk, caseId, CFG.lots, 'stripe');
  const lotIds = lots.map((l) => l.id);
  const team = bidders.slice(40, 40 + CFG.lots * CFG.biddersPerLot);

  // ── 1. enrolment under faults ──
  await stripe.control('POST', 'faults/reset');
  // Webhooks late by 6 s while enrolling (Stripe may be minutes late): a client's retry comes before them.
  // (No reordering here: stripe-local delivers a reorder window serially, each event after the delay.)
  await stripe.control('POST', 'faults/webhooks', { duplicate: true, delayMs: 6000, reorder: false });
  const pi = '/v1/payment_intents';
  const queued = [
    ['fail-next', { n: 3, status: 500, path: pi, method: 'POST', execute: 'never' }],
    ['fail-next', { n: 3, status: 500, path: pi, method: 'POST', execute: 'first' }],
    ['timeout-next', { n: 2, ms: 1500, path: pi, method: 'POST', execute: 'first', then: 'drop' }],
    ['timeout-next', { n: 3, ms: 800, path: pi, method: 'POST', execute: 'never' }],
    ['fail-next', { n: 2, status: 500, path: pi, method: 'POST', execute: 'first' }],
  ];
  for (const [kind, body] of queued) await stripe.control('POST', `faults/${kind}`, body);
  log(`  faults queued on POST ${pi}: 3×500 (not executed), 3×500 (executed), 2×drop after executing, 3×drop before executing, 2×500 (executed); webhooks duplicated, delayed 6 s`);
  const enrolStarted = Date.now();
  const enrolOne = async (bidder, i) => {
    const lotId = lotIds[i % CFG.lots];
    const url = i % 2 ? b.url : a.url;
    const first = await call(url, 'POST', `/api/lots/${lotId}/enrolments`, { paymentMethod: 'pm_card_visa' }, bidder.token, { timeoutMs: 40_000 });
    const e = { i, bidder, lotId, policy: i % 2 ? 'retry' : 'poll', first: first.status === 201 ? `201 ${first.body.status}` : `${first.status} ${first.body?.code ?? first.error}`, retried: null, code: null, error: null };
    if (first.status !== 201 && e.policy === 'retry') {
      await sleep(500);
      const again = await call(url, 'POST', `/api/lots/${lotId}/enrolments`, { paymentMethod: 'pm_card_visa' }, bidder.token, { timeoutMs: 40_000 });
      e.retried = again.status === 201 ? `201 ${again.body.status}` : `${again.status} ${again.body?.code ?? again.error}`;
    }
    try {
      e.code = await waitActive(url, bidder, lotId, 60_000);
    } catch (error) {
      e.error = error.message;
    }
    return e;
  };
  // The first six one at a time, so that each meets the queued faults in a known order (and both client
  // policies meet them); the rest in parallel, once the queue is used up.
  const enrolments = [];
  for (let i = 0; i < 6; i++) {
    const e = await enrolOne(team[i], i);
    enrolments.push(e);
    log(`    bidder ${i} (${e.policy}): ${e.first}${e.retried ? `, retried → ${e.retried}` : ''}${e.code ? ', active' : `, NOT active: ${e.error}`}`);
  }
  enrolments.push(...(await mapLimit(team.slice(6), 6, (bidder, k) => enrolOne(bidder, k + 6))));
  log(`  enrolments (${((Date.now() - enrolStarted) / 1000).toFixed(1)} s): first answers — ${fmtTally(tally(enrolments, (e) => e.first))}`);
  const retried = enrolments.filter((e) => e.retried);
  if (retried.length) log(`  retried POSTs (odd bidders after an error) — ${fmtTally(tally(retried, (e) => e.retried))}`);
  const inactive = enrolments.filter((e) => !e.code);
  checks.check('every enrolment became active (retry job and webhooks finish what Stripe errors left)', inactive.length === 0, inactive.length ? inactive.map((e) => e.error).slice(0, 2).join('; ') : `${enrolments.length} active`);

  // ── 2. bids: lots 0 and 1 get a sequence of bids, lot 2 none ──
  await startBidding(a.url, clerk, lots, { durationMs: CFG.durationMs });
  const winners = {};
  for (const [k, lot] of lots.slice(0, 2).entries()) {
    const mine = enrolments.filter((e) => e.lotId === lot.id && e.code);
    for (const [j, e] of mine.entries()) {
      const res = await call(j % 2 ? b.url : a.url, 'POST', `/api/lots/${lot.id}/bids`, { amount: lot.startingPrice + j * lot.increment }, e.bidder.token);
      must(res, 201, `bid ${k}/${j}`);
      winners[lot.id] = e.code;
    }
  }
  log(`  bids placed on 2 lots (${Object.values(winners).length} winners to be), none on the third`);

  // ── faults for the settlement, queued just before the lots end ──
  const endsAt = Math.max(...(await Promise.all(lotIds.map((id) => lotView(b.url, id)))).map((v) => Date.parse(v.endsAt)));
  if (endsAt - 1000 > Date.now()) await sleep(endsAt - 1000 - Date.now());
  await stripe.control('POST', 'faults/reset');
  await stripe.control('POST', 'faults/webhooks', { duplicate: true, delayMs: 400, reorder: true, reorderWindowMs: 500 });
  const settleFaults = [
    ['fail-next', { n: 3, status: 500, path: `${pi}/*/cancel`, execute: 'never' }],
    ['fail-next', { n: 3, status: 500, path: `${pi}/*/cancel`, execute: 'first' }],
    ['timeout-next', { n: 2, ms: 1500, path: `${pi}/*/cancel`, execute: 'first', then: 'drop' }],
    ['fail-next', { n: 3, status: 500, path: `${pi}/*/capture`, execute: 'first' }],
    ['fail-next', { n: 4, status: 500, path: `${pi}/*`, method: 'GET', execute: 'never' }],
  ];
  for (const [kind, body] of settleFaults) await stripe.control('POST', `faults/${kind}`, body);
  log('  settlement faults queued: cancel 3×500 (not executed), 3×500 (executed), 2×drop after executing; capture 3×500 (executed); 4×500 on GET payment_intents; webhooks duplicated, each delayed 0.4 s, collected 0.5 s and delivered newest first');

  // ── 3. close, then give the retry job and the webhooks time ──
  const closed = await waitClosed(b.url, lotIds, endsAt - Date.now() + 60_000);
  const closedAt = Date.now();
  const states = async () =>
    (
      await db.query(
        `SELECT d.lot_id, d.enrolment_id, d.status, d.amount::text, d.payment_intent_id, d.attempt, e.bidder_code FROM deposits d JOIN enrolments e ON e.id = d.enrolment_id WHERE d.lot_id = ANY($1)`,
        [lotIds],
      )
    ).rows;
  let rows = await states();
  while (rows.some((r) => !FINAL.includes(r.status)) && Date.now() - closedAt < CFG.settleTimeoutMs) {
    await sleep(500);
    rows = await states();
  }
  const settledMs = Date.now() - closedAt;
  log(`  deposits ${rows.every((r) => FINAL.includes(r.status)) ? 'all final' : 'NOT all final'} ${(settledMs / 1000).toFixed(1)} s after the close; a last retry pass…`);
  await Promise.race([stripe.control('POST', 'webhooks/flush').catch(() => undefined), sleep(5000)]);
  await sleep(2500);
  rows = await states();
  log(`  ${((Date.now() - closedAt) / 1000).toFixed(1)} s after the close: deposits ${fmtTally(tally(rows, (r) => r.status))}`);

  // ── verdicts ──
  for (const [id, c] of Object.entries(closed)) if (!c.result) checks.check(`lot ${id} closed`, false, `status ${c.lot?.status}`);
  const wrong = [];
  for (const r of rows) {
    const lotWinner = closed[r.lot_id]?.result?.bidderCode ?? null;
    const want = r.bidder_code && r.bidder_code === lotWinner ? 'applied' : r.bidder_code ? 'released' : 'failed';
    if (r.status !== want) wrong.push({ lot: lotIds.indexOf(r.lot_id), code: r.bidder_code, status: r.status, want });
  }
  const expectedWinners = Object.entries(winners).every(([id, code]) => closed[id]?.result?.bidderCode === code);
  checks.check('the winners are the last bidders of lots 0 and 1; lot 2 unsold', expectedWinners && closed[lotIds[2]]?.result?.outcome === 'unsold');
  checks.check('every deposit in its right state (winner applied, losers released)', wrong.length === 0, wrong.length ? JSON.stringify(wrong.slice(0, 4)) : `${rows.length} deposits`);
  // For each deposit not where it should be: what Stripe holds, what the API asked, which webhooks came.
  if (wrong.length) {
    const requests = (await stripe.control('GET', 'requests')).data ?? [];
    for (const w of wrong.slice(0, 3)) {
      const r = rows.find((x) => x.bidder_code === w.code && lotIds.indexOf(x.lot_id) === w.lot);
      const p = r.payment_intent_id ? (await stripe.paymentIntents()).find((x) => x.id === r.payment_intent_id) : null;
      const reqs = requests.filter((q) => r.payment_intent_id && q.path.includes(r.payment_intent_id) && q.at >= closedAt - 5000);
      const events = (await db.query(`SELECT type, received_at FROM stripe_events WHERE object_id = $1 ORDER BY received_at`, [r.payment_intent_id])).rows;
      checks.note(
        `  deposit ${w.code} (lot ${w.lot}) ${r.status}: PaymentIntent ${r.payment_intent_id} is ${p?.status ?? '?'} at Stripe; API requests on it after the close: ` +
          `${reqs.map((q) => `${q.method} ${q.path.replace(r.payment_intent_id, 'pi')} → ${q.status ?? 'dropped'}${q.replayed ? ' (replayed)' : ''}${q.fault ? ` [${q.fault}]` : ''}`).join('; ') || 'none'}; ` +
          `webhook events recorded: ${events.map((e) => e.type).join(', ') || 'none'}`,
      );
    }
  }
  const pending = (await db.query(`SELECT kind, status, attempts, last_error, idempotency_key FROM deposit_movements WHERE lot_id = ANY($1) AND status = 'pending'`, [lotIds])).rows;
  checks.check(
    'no deposit movement left pending',
    pending.length === 0,
    pending.length ? `${pending.length}: ${fmtTally(tally(pending, (m) => `${m.kind} (${m.attempts} attempts, ${String(m.last_error).slice(0, 60)})`))}` : '',
  );
  await verifyLedger(checks, { url: b.url, adminToken: admin.token, lotIds, call });
  await verifyLedger(checks, { url: b.url, adminToken: admin.token, call }); // every lot of the run

  // A call that Stripe executed but answered 500 keeps answering 500 for its idempotency key: how often
  // did the API repeat it anyway (expected: never)?
  const requestLog = ((await stripe.control('GET', 'requests')).data ?? []).filter((q) => q.at >= scenarioStart);
  const log500 = requestLog.filter((q) => q.idempotencyKey && q.status === 500 && q.replayed);
  const replays = tally(log500, (q) => q.idempotencyKey.replace(/:[0-9a-f-]{36}.*$/, ''));
  const worst = Math.max(0, ...Object.values(tally(log500, (q) => q.idempotencyKey)));
  if (log500.length) {
    checks.finding(
      `the API re-sent calls whose 500 Stripe keeps for the idempotency key ${log500.length} times (${fmtTally(replays)}; up to ${worst} times one key): ` +
        'a replayed 500 can never succeed, so such a movement is finished only by a webhook (DepositsService.carryOut sends a fresh key after an answered 5xx; the SDK should heed Stripe-Should-Retry: false)',
    );
    // Every request under the first such key, to see which path re-sent it.
    const key = log500[0].idempotencyKey;
    const trail = requestLog.filter((q) => q.idempotencyKey === key).map((q) => `+${q.at - requestLog[0].at} ms ${q.method} ${q.path} → ${q.status ?? 'dropped'}${q.replayed ? ' (replayed)' : ''}${q.fault ? ` [${q.fault}]` : ''}`);
    checks.note(`  requests under ${key.replace(/:[0-9a-f-]{36}/, ':…')}: ${trail.join('; ')}`);
  }

  // ── the money at Stripe ──
  const intents = (await stripe.paymentIntents()).filter((p) => lotIds.includes(p.metadata?.lotId));
  const depositByEnrolment = new Map(rows.map((r) => [r.enrolment_id, r]));
  const held = [];
  const captured = {};
  const perEnrolment = tally(intents, (p) => p.metadata.enrolmentId);
  for (const p of intents) {
    if (p.status === 'requires_capture') held.push({ lot: lotIds.indexOf(p.metadata.lotId), pi: p.id, attempt: p.metadata.attempt, deposit: depositByEnrolment.get(p.metadata.enrolmentId)?.status, recorded: depositByEnrolment.get(p.metadata.enrolmentId)?.payment_intent_id === p.id });
    if (p.status === 'succeeded') {
      const refunded = typeof p.latest_charge === 'object' && p.latest_charge ? p.latest_charge.amount_refunded : 0;
      captured[p.metadata.lotId] = (captured[p.metadata.lotId] ?? 0) + p.amount_received - refunded;
    }
  }
  const twice = Object.entries(perEnrolment).filter(([, n]) => n > 1);
  checks.note(`at Stripe: ${intents.length} PaymentIntents for ${rows.length} deposits — ${fmtTally(tally(intents, (p) => p.status))}; ${twice.length} enrolments with more than one`);
  const capturedOk = lots.every((l, i) => (captured[l.id] ?? 0) === (i < 2 ? l.deposit : 0));
  checks.check("at Stripe: each winner's deposit captured once, nothing captured on the unsold lot", capturedOk, JSON.stringify(lots.map((l) => captured[l.id] ?? 0)));
  checks.check('at Stripe: no authorisation left held (requires_capture) after the close', held.length === 0, held.length ? `${held.length} held: ${JSON.stringify(held.slice(0, 3))}` : '');
  const orphans = held.filter((h) => !h.recorded);
  if (orphans.length) {
    checks.note(
      `  why: ${orphans.length} hold(s) belong to an earlier attempt of an enrolment whose client re-POSTed after 503 PAYMENT_PROVIDER_UNAVAILABLE while Stripe had ` +
        'in fact executed the first create (its 500 kept for the key). DepositsService.start opens attempt n+1 with a new key and a new PaymentIntent; ' +
        "reconcile() ignores the old attempt's intent (\"says nothing about the current one\") instead of cancelling it; and retryDue re-sends the old " +
        "attempt's create with the current attempt's parameters under the old key, which Stripe refuses (idempotency_error) for ever. The ledger " +
        "(secure movements 'done' only) does not see this money. With a charge-mode deposit (lot ending > ~7 days after enrolment) it would be a payment never refunded.",
    );
  }

  const deliveries = ((await stripe.control('GET', 'deliveries')).data ?? []).filter((d) => (d.attempts[0]?.at ?? Infinity) >= scenarioStart);
  const attempts = deliveries.flatMap((d) => d.attempts);
  checks.note(
    `webhooks in this scenario: ${deliveries.length} deliveries (${deliveries.filter((d) => d.copy === 2).length} duplicate copies) — ${fmtTally(tally(deliveries, (d) => d.state))}; ` +
      `${attempts.length} POSTs answered ${fmtTally(tally(attempts, (x) => (x.status ? String(x.status) : `error ${x.error}`)))}`,
  );
  await stripe.control('POST', 'faults/reset');
  return checks;
}
