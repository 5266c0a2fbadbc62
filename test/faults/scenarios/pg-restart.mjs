/**
 * Scenario "pg": a bid storm on both instances (3 lots, 30 bidders, HTTP and sockets) while the private
 * PostgreSQL cluster is restarted with `pg_ctl restart -m fast` (sessions terminated, server down, then up).
 *
 * Invariants: both instances recover without a restart (health 200, bids accepted again on each); bids in
 * the outage are refused with a clear code (a 503 with a code, not a 500 "internal error", no hang); no
 * bid is half-written (record gapless, bids = audit entries, the lot row = the top of the record); every
 * acknowledged bid is in the record, no refused one is; the lots still close once with the right winner.
 * What the clients got during the outage is printed exactly (status, code, channel).
 */
import pg from 'pg';
import { call, enrolActive, lotView, mapLimit, waitClosed } from '../../support/http-actors.mjs';
import { log, readPgLog, sleep } from '../../support/infra.mjs';
import { fmtTally, Storm, tally } from '../lib/storm.mjs';
import { announcedLots, startBidding } from '../lib/lots.mjs';
import { Checks, reportSocketAuthRace, verifyClosing, verifyLedger, verifyRecords } from '../lib/verify.mjs';

const CFG = { lots: 3, biddersPerLot: 10, durationMs: Number(process.env.FAULTS_PG_LOT_MS ?? 40_000), restartAtMs: 4000, afterRecoveryMs: 7000 };

/** Watches the server from outside: the moments it stopped and started answering. */
function watchServer(url) {
  const state = { firstDown: null, upAgain: null, stop: false };
  const loop = (async () => {
    while (!state.stop) {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      c.on('error', () => undefined);
      let ok;
      try {
        await c.connect();
        await c.query('SELECT 1');
        ok = true;
      } catch {
        ok = false;
      }
      await c.end().catch(() => undefined);
      const now = Date.now();
      if (!ok && state.firstDown === null) state.firstDown = now;
      if (ok && state.firstDown !== null && state.upAgain === null) state.upAgain = now;
      await sleep(100);
    }
  })();
  return { state, stop: async () => ((state.stop = true), await loop) };
}

async function waitHealthy(api, since, timeoutMs = 120_000) {
  for (;;) {
    const res = await call(api.url, 'GET', '/api/health', undefined, undefined, { timeoutMs: 3000 });
    if (res.status === 200) return Date.now();
    if (Date.now() - since > timeoutMs) return null;
    await sleep(200);
  }
}

export async function pgRestartScenario(ctx) {
  const checks = new Checks('pg');
  const { a, b, clerk, caseId, bidders, db, postgres } = ctx;
  const lots = await announcedLots(a.url, clerk, caseId, CFG.lots, 'pg');
  const lotIds = lots.map((l) => l.id);
  const team = bidders.slice(0, CFG.lots * CFG.biddersPerLot);
  const storm = await mapLimit(team, 10, async (bidder, i) => {
    const lotId = lotIds[i % CFG.lots];
    const code = await enrolActive(i % 2 ? b.url : a.url, bidder, lotId);
    return { token: bidder.token, index: bidder.index, codes: { [lotId]: code }, lots: [lotId], via: i % 4 < 2 ? 'http' : 'socket' };
  });
  log(`  ${CFG.lots} lots, ${storm.length} bidders enrolled (half HTTP, half socket, both instances)`);
  await startBidding(a.url, clerk, lots, { durationMs: CFG.durationMs });
  const latestStop = Math.min(...lots.map((l) => l.endsAt)) - 5000;

  const instances = [
    { name: 'A', url: a.url, up: true },
    { name: 'B', url: b.url, up: true },
  ];
  const s = new Storm({ lots, bidders: storm, instances, thinkMs: [100, 300] });
  s.start();
  await sleep(CFG.restartAtMs);
  const watcher = watchServer(postgres.url('postgres'));
  const restartStart = Date.now();
  log(`  storm running; pg_ctl restart -m fast at ${CFG.restartAtMs / 1000} s`);
  try {
    await postgres.restartFast();
  } catch (error) {
    log(`  pg_ctl: ${error.message}\n${readPgLog(postgres)}`);
    throw error;
  }
  const restartEnd = Date.now();
  const [healthyA, healthyB] = await Promise.all([waitHealthy(a, restartEnd), waitHealthy(b, restartEnd)]);
  await sleep(300);
  await watcher.stop();
  const { firstDown, upAgain } = watcher.state;
  log(
    `  pg_ctl restart took ${((restartEnd - restartStart) / 1000).toFixed(1)} s; server refused connections from +${firstDown ? ((firstDown - restartStart) / 1000).toFixed(2) : '?'} s to +${upAgain ? ((upAgain - restartStart) / 1000).toFixed(2) : '?'} s`,
  );
  checks.check(
    'both instances healthy again without a restart (GET /api/health 200)',
    healthyA !== null && healthyB !== null && a.alive && b.alive,
    `A after ${healthyA ? ((healthyA - restartEnd) / 1000).toFixed(1) : '—'} s, B after ${healthyB ? ((healthyB - restartEnd) / 1000).toFixed(1) : '—'} s (from the end of pg_ctl restart)`,
  );
  const recovered = Math.max(healthyA ?? restartEnd, healthyB ?? restartEnd);
  const stopAt = Math.min(latestStop, recovered + CFG.afterRecoveryMs);
  if (stopAt > Date.now()) await sleep(stopAt - Date.now());
  await s.stop();
  s.closeSockets();

  // What the clients got, before, during and after the outage.
  const outageEnd = recovered + 500;
  const phase = (x) => (x.t1 < restartStart ? 'before' : x.t0 > outageEnd ? 'after' : 'during');
  const label = (x) => (x.outcome === 'acked' ? 'acked' : x.status ? `${x.status} ${x.errCode ?? '(no code)'}` : `network: ${x.errCode}`);
  for (const p of ['before', 'during', 'after']) {
    const list = s.attempts.filter((x) => phase(x) === p);
    log(`  ${p.padEnd(6)} the outage: ${list.length} attempts — ${fmtTally(tally(list, (x) => `${x.via} ${label(x)}`))}`);
  }
  const during = s.attempts.filter((x) => phase(x) === 'during');
  const unclear = during.filter((x) => x.outcome !== 'acked' && !(x.status >= 400 && x.status < 500) && !(x.status === 503 && x.errCode && x.errCode !== 'INTERNAL'));
  checks.check(
    'bids during the outage refused with a clear code (503 + code; no 500 INTERNAL, no hang or cut connection)',
    unclear.length === 0 && during.some((x) => x.status === 503),
    unclear.length ? `${unclear.length} unclear: ${fmtTally(tally(unclear, (x) => `${x.inst}/${x.via} ${label(x)}`))}` : fmtTally(tally(during.filter((x) => x.status >= 500), (x) => label(x))),
  );
  // The metric says what the clients were told: an outage is DATABASE_UNAVAILABLE, not INTERNAL (it was
  // INTERNAL, a thousand of them, while the answers said 503 DATABASE_UNAVAILABLE: found by a fault walk).
  const refusedByCode = {};
  for (const api of [a, b]) {
    const text = await (await fetch(`${api.url}/api/metrics`)).text();
    for (const m of text.matchAll(/^fapai_bids_total\{([^}]*)\} (\d+)/gm)) {
      const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
      if (labels.result === 'refused') refusedByCode[labels.code] = (refusedByCode[labels.code] ?? 0) + Number(m[2]);
    }
  }
  checks.check('the bid metric labels the outage as the clients saw it (no refused code="INTERNAL")', !refusedByCode.INTERNAL, fmtTally(refusedByCode));
  for (const inst of ['A', 'B']) {
    const n = s.attempts.filter((x) => x.inst === inst && x.t0 > outageEnd && x.outcome === 'acked').length;
    checks.check(`instance ${inst} accepts bids again after the restart`, n > 0, `${n} acked`);
  }
  // Behind each HTTP 500: the error the API logged under the response's correlation id.
  const causes = tally(
    s.attempts.filter((x) => x.via === 'http' && x.status === 500),
    (x) => (x.correlationId ? ((x.inst === 'A' ? a : b).errorFor(x.correlationId) ?? 'not found in the log') : 'no correlation id'),
  );
  if (Object.keys(causes).length) checks.note(`HTTP 500 INTERNAL during the outage, from the API log by correlation id: ${fmtTally(causes)}`);
  const gateway = {};
  for (const api of [a, b]) {
    for (const [k, v] of Object.entries(api.loggedErrors(restartStart - 1000))) if (k.startsWith('AuctionsGateway')) gateway[k.slice(0, 120)] = (gateway[k.slice(0, 120)] ?? 0) + v;
  }
  if (Object.keys(gateway).length) checks.note(`socket bid.place errors logged (5xx acks): ${fmtTally(gateway)}`);

  const views = await Promise.all(lotIds.map((id) => lotView(b.url, id)));
  const lastEnd = Math.max(...views.map((v) => Date.parse(v.endsAt)));
  log(`  waiting for the lots to end (last end ${new Date(lastEnd).toISOString().slice(11, 19)}) and close`);
  const closed = await waitClosed(b.url, lotIds, lastEnd - Date.now() + 60_000);
  const { records } = await verifyRecords(checks, { url: b.url, db, lotIds, attempts: s.attempts });
  await verifyClosing(checks, { db, closed, records });
  await verifyLedger(checks, { url: b.url, adminToken: ctx.admin.token, lotIds, call });
  reportSocketAuthRace(checks, s.attempts);
  return checks;
}
