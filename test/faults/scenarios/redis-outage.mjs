/**
 * Scenario "redis": the private redis-server (socket.io streams adapter) is stopped while bids go to both
 * instances over HTTP and sockets, then started again on the same port (empty: no persistence).
 *
 * Invariants: while Redis is down every bid on each instance is answered (acked, none errors or hangs);
 * after Redis is back, cross-instance fan-out resumes: watchers on B receive the bids placed on A (and
 * watchers on A those placed on B). Reported: what watchers received live during the outage, on the same
 * instance and across, and whether the outage's bids reached them later.
 * Then Redis hangs (SIGSTOP: connections open, no answers) for a phase: every bid is still answered within
 * 5 s, and each instance's watchers get that instance's bids before Redis answers again.
 */
import { enrolActive, mapLimit } from '../../support/http-actors.mjs';
import { log, sleep } from '../../support/infra.mjs';
import { fmtTally, Storm, tally } from '../lib/storm.mjs';
import { announcedLots, startBidding } from '../lib/lots.mjs';
import { Checks, reportSocketAuthRace, verifyRecords } from '../lib/verify.mjs';
import { checkDelivery, WatcherGroup } from '../../support/watchers.mjs';

const CFG = { lots: 2, biddersPerLot: 6, watchersPerLotPerInstance: 10, durationMs: Number(process.env.FAULTS_REDIS_LOT_MS ?? 60_000), phaseMs: 5000, reconnectTimeoutMs: 60_000 };

export async function redisScenario(ctx) {
  const checks = new Checks('redis');
  const { a, b, clerk, caseId, bidders, db, redis, cleanup } = ctx;
  const lots = await announcedLots(a.url, clerk, caseId, CFG.lots, 'redis');
  const lotIds = lots.map((l) => l.id);
  const team = bidders.slice(70, 70 + CFG.lots * CFG.biddersPerLot);
  const perLot = new Map(lotIds.map((id) => [id, []]));
  await mapLimit(team, 6, async (bidder, i) => {
    const lotId = lotIds[i % CFG.lots];
    const code = await enrolActive(i % 2 ? b.url : a.url, bidder, lotId);
    perLot.get(lotId).push({ token: bidder.token, index: bidder.index, code });
  });
  const wa = new WatcherGroup('redis-A', cleanup);
  const wb = new WatcherGroup('redis-B', cleanup);
  const [ca, cb] = await Promise.all([wa.connect(a.url, lotIds, CFG.watchersPerLotPerInstance, { concurrency: 10 }), wb.connect(b.url, lotIds, CFG.watchersPerLotPerInstance, { concurrency: 10 })]);
  log(`  ${CFG.lots} lots, ${team.length} bidders enrolled; watchers: ${ca.ok} on A, ${cb.ok} on B`);
  await startBidding(a.url, clerk, lots, { durationMs: CFG.durationMs });

  const instances = [
    { name: 'A', url: a.url, up: true },
    { name: 'B', url: b.url, up: true },
  ];
  const s = new Storm({ lots, bidders: [], instances });
  let turn = 0;
  /** Bids one increment above the price, each lot in turn through A/http, B/http, A/socket, B/socket. */
  const phase = async (ms, only = null) => {
    const until = Date.now() + ms;
    await Promise.all(
      lotIds.map(async (lotId) => {
        const lot = s.lots.get(lotId);
        const team = perLot.get(lotId);
        let k = 0;
        while (Date.now() < until) {
          const route = [
            ['A', 'http'],
            ['B', 'http'],
            ['A', 'socket'],
            ['B', 'socket'],
          ][turn++ % 4];
          if (only && route[0] !== only) route[0] = only;
          let bidder = team[k++ % team.length];
          if (bidder.code === lot.leader) bidder = team[k++ % team.length];
          await s.place({ token: bidder.token, index: bidder.index, via: route[1] }, lot, bidder.code, instances.find((x) => x.name === route[0]), lot.price + lot.increment);
          await sleep(150);
        }
      }),
    );
  };

  // Bidders' sockets connected beforehand (a bid right after 'connect' may meet the auth race reported elsewhere).
  for (const team of perLot.values()) for (const bidder of team) for (const inst of instances) await s.socketFor({ token: bidder.token, index: bidder.index }, inst);
  await sleep(500);
  await phase(3000);
  const p1 = s.attempts.length;
  log(`  Redis up: ${p1} bids — ${fmtTally(tally(s.attempts, (x) => `${x.inst}/${x.via} ${x.outcome}`))}`);
  await redis.stop();
  const downAt = Date.now();
  log(`  redis-server stopped (pid ${redis.child.pid}); bidding on both instances for ${CFG.phaseMs / 1000} s`);
  await phase(CFG.phaseMs);
  const during = s.attempts.slice(p1);
  await redis.start();
  const upAt = Date.now();
  log(`  during the outage: ${during.length} bids — ${fmtTally(tally(during, (x) => `${x.inst}/${x.via} ${x.outcome === 'acked' ? 'acked' : `${x.outcome} ${x.errCode ?? x.status}`}`))}`);
  log(`  redis-server started again on the same port (empty); waiting for the adapters to reconnect`);
  const slow = during.filter((x) => x.t1 - x.t0 > 5000);
  const okOn = (inst, via) => during.filter((x) => x.inst === inst && x.via === via && x.outcome === 'acked').length;
  checks.check(
    'bidding works on each instance while Redis is down (every bid answered, acked, < 5 s)',
    during.length > 0 && during.every((x) => x.outcome === 'acked') && slow.length === 0 && okOn('A', 'http') && okOn('B', 'http') && okOn('A', 'socket') && okOn('B', 'socket'),
    `A http ${okOn('A', 'http')}, B http ${okOn('B', 'http')}, A socket ${okOn('A', 'socket')}, B socket ${okOn('B', 'socket')} acked; ${during.filter((x) => x.outcome !== 'acked').length} not acked; ${slow.length} slower than 5 s`,
  );
  // The adapters reconnect on their own (ioredis retries every ≤ 2 s; later on a busy machine). Rather than
  // guess a delay, probe: one bid on A and one on B, until watchers on the other instance receive both
  // (at most `reconnectTimeoutMs`). The bids that follow are the ones the fan-out check looks at.
  const probeStart = Date.now();
  let probes = 0;
  let resumedAt = null;
  while (Date.now() - probeStart < CFG.reconnectTimeoutMs) {
    const lot = s.lots.get(lotIds[0]);
    const team = perLot.get(lotIds[0]);
    const placed = [];
    for (const inst of instances) {
      const bidder = team.find((x) => x.code !== lot.leader);
      placed.push(await s.place({ token: bidder.token, index: bidder.index, via: 'http' }, lot, bidder.code, inst, lot.price + lot.increment));
    }
    probes++;
    await sleep(1000);
    const [ra, rb] = await Promise.all([wa.report(), wb.report()]);
    const seen = (sockets, x) => x.outcome === 'acked' && sockets.filter((w) => w.lotId === x.lotId).every((w) => w.events.some(([seq]) => seq === x.seq));
    if (seen(rb, placed[0]) && seen(ra, placed[1])) {
      resumedAt = Date.now();
      break;
    }
  }
  log(`  cross-instance fan-out ${resumedAt ? `back ${((resumedAt - upAt) / 1000).toFixed(1)} s after Redis (${probes} probe pairs)` : `NOT back ${CFG.reconnectTimeoutMs / 1000} s after Redis`}`);
  const p3 = s.attempts.length;
  await phase(3000, 'A');
  await phase(2000, 'B');
  await sleep(3000); // delivery
  const after = s.attempts.slice(p3);

  // What the watchers got, and when.
  const [repA, repB] = await Promise.all([wa.report(), wb.report()]);
  const seqOf = (x) => `${x.lotId}:${x.seq}`;
  const deliveredShare = (sockets, list, before = Infinity) => {
    let want = 0;
    let got = 0;
    for (const sock of sockets) {
      const seen = new Map(sock.events.map(([seq, at]) => [`${sock.lotId}:${seq}`, at]));
      for (const x of list) {
        if (x.lotId !== sock.lotId || x.outcome !== 'acked') continue;
        want++;
        const at = seen.get(seqOf(x));
        if (at !== undefined && at < before) got++;
      }
    }
    return { want, got };
  };
  const acked = (list, inst) => list.filter((x) => x.inst === inst && x.outcome === 'acked');
  const duringA = acked(during, 'A');
  const duringB = acked(during, 'B');
  const live = {
    sameA: deliveredShare(repA, duringA, upAt),
    sameB: deliveredShare(repB, duringB, upAt),
    crossAB: deliveredShare(repB, duringA, upAt),
    crossBA: deliveredShare(repA, duringB, upAt),
  };
  const late = { sameA: deliveredShare(repA, duringA), sameB: deliveredShare(repB, duringB), crossAB: deliveredShare(repB, duringA), crossBA: deliveredShare(repA, duringB) };
  const pct = ({ want, got }) => `${got}/${want}`;
  checks.note(
    `live during the outage (received before Redis was back): same instance A→A ${pct(live.sameA)}, B→B ${pct(live.sameB)}; across A→B ${pct(live.crossAB)}, B→A ${pct(live.crossBA)} (watcher × bid)`,
  );
  checks.note(`by the end of the scenario: A→A ${pct(late.sameA)}, B→B ${pct(late.sameB)}, A→B ${pct(late.crossAB)}, B→A ${pct(late.crossBA)}`);
  if (live.sameA.got < live.sameA.want || live.sameB.got < live.sameB.want) {
    const firstLate = [];
    for (const sock of repB) for (const [seq, at] of sock.events) if (duringB.some((x) => x.lotId === sock.lotId && x.seq === seq)) firstLate.push(at - downAt);
    checks.finding(
      `while Redis is down, some of an instance's own bids reached its watchers only after Redis was back (A→A ${pct(live.sameA)}, B→B ${pct(live.sameB)} live): ` +
        'local delivery must not wait for Redis (the relay delivers locally and fills gaps from the record at once while Redis is down)' +
        (firstLate.length ? `; they arrived ${((Math.min(...firstLate) - (upAt - downAt)) / 1000).toFixed(1)}–${((Math.max(...firstLate) - (upAt - downAt)) / 1000).toFixed(1)} s after Redis returned` : ''),
    );
  }

  const afterA = acked(after, 'A');
  const afterB = acked(after, 'B');
  const resumedAB = deliveredShare(repB, afterA);
  const resumedBA = deliveredShare(repA, afterB);
  checks.check('cross-instance fan-out resumes after Redis restarts: watchers on B see the bids placed on A', afterA.length > 0 && resumedAB.got === resumedAB.want, `${pct(resumedAB)} (watcher × bid), ${afterA.length} bids on A`);
  checks.check('…and watchers on A see the bids placed on B', afterB.length > 0 && resumedBA.got === resumedBA.want, `${pct(resumedBA)}`);

  // Redis hangs: paused (SIGSTOP), its connections stay open and nothing answers — unlike a stop, nothing
  // tells the clients it is gone. Bids must still be answered, and each instance's watchers served.
  const p4 = s.attempts.length;
  process.kill(redis.child.pid, 'SIGSTOP');
  log(`  redis-server paused (SIGSTOP, connections left open); bidding on both instances for ${CFG.phaseMs / 1000} s`);
  try {
    await phase(CFG.phaseMs);
  } finally {
    process.kill(redis.child.pid, 'SIGCONT');
  }
  const contAt = Date.now();
  const hung = s.attempts.slice(p4);
  log(`  while Redis hung: ${hung.length} bids — ${fmtTally(tally(hung, (x) => `${x.inst}/${x.via} ${x.outcome === 'acked' ? 'acked' : `${x.outcome} ${x.errCode ?? x.status}`}`))}; resumed (SIGCONT)`);
  const slowHung = hung.filter((x) => x.t1 - x.t0 > 5000);
  checks.check(
    'bidding works on each instance while Redis hangs (every bid answered, acked, < 5 s)',
    hung.length > 0 && hung.every((x) => x.outcome === 'acked') && slowHung.length === 0,
    `${hung.filter((x) => x.outcome === 'acked').length}/${hung.length} acked; ${slowHung.length} slower than 5 s; slowest ${hung.length ? Math.max(...hung.map((x) => x.t1 - x.t0)) : 0} ms`,
  );
  await sleep(3000); // delivery, and the peers' catch-up once Redis answers again
  const [repA2, repB2] = await Promise.all([wa.report(), wb.report()]);
  const liveHungA = deliveredShare(repA2, acked(hung, 'A'), contAt);
  const liveHungB = deliveredShare(repB2, acked(hung, 'B'), contAt);
  checks.check('…and each instance\'s watchers get its own bids while Redis hangs, not after', liveHungA.want > 0 && liveHungA.got === liveHungA.want && liveHungB.got === liveHungB.want, `A→A ${pct(liveHungA)}, B→B ${pct(liveHungB)} (watcher × bid) before Redis answered again`);

  const { records } = await verifyRecords(checks, { url: b.url, db, lotIds, attempts: s.attempts });
  const expected = Object.fromEntries(Object.entries(records).map(([id, r]) => [id, r.length]));
  const all = checkDelivery([...repA2, ...repB2], expected);
  checks.note(`in the end, watchers with every bid: ${all.complete}/${all.sockets}; missing ${all.missing} (watcher × bid), out of order ${all.outOfOrder}`);
  if (all.missing > 0) checks.finding(`${all.missing} (watcher × bid) deliveries never arrived, e.g. ${[...all.missingSeqs.keys()].slice(0, 3).join(', ')} (clients must resync from the record)`);
  reportSocketAuthRace(checks, s.attempts);
  await Promise.all([wa.close(), wb.close()]);
  s.closeSockets();
  return checks;
}
