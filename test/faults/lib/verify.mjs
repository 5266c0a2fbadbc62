/**
 * Invariant checks shared by the scenarios, and the `Checks` list each scenario fills: an invariant that
 * fails makes the run exit non-zero; a finding is printed (and summarised) without failing the run.
 */
import { bidRecord } from '../../support/http-actors.mjs';
import { log } from '../../support/infra.mjs';

export class Checks {
  constructor(scenario) {
    this.scenario = scenario;
    this.items = [];
    this.findings = [];
    this.notes = [];
  }
  check(name, ok, detail = '') {
    this.items.push({ name, ok: Boolean(ok), detail });
    log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
    return ok;
  }
  /** Something worth reporting that is not one of the scenario's invariants (e.g. a degraded behaviour). */
  finding(text) {
    this.findings.push(text);
    log(`  FINDING ${text}`);
  }
  note(text) {
    this.notes.push(text);
    log(`  ${text}`);
  }
  get failed() {
    return this.items.filter((i) => !i.ok);
  }
}

/**
 * The bid record of each lot against what the clients were told, and the lot row against the record:
 * - every acknowledged bid is in the record at its seq, with its bidder code and amount;
 * - no bid refused with a code is in it; errored ones are reported (either way is allowed);
 * - nothing is in it that no client sent; seqs are 1…n without gaps; prices rise with seq;
 * - each bid was placed before the end in force when it arrived (the previous bid's end, or the lot's);
 * - the API's record equals the bids table; every bid has its `bid.accepted` audit entry (same transaction);
 * - the lot row (seq, bid count, price, leader) is the top of the record.
 * Returns per-lot records and a summary of the errored attempts.
 */
export async function verifyRecords(checks, { url, db, lotIds, attempts }) {
  const byLot = new Map(lotIds.map((id) => [id, []]));
  for (const a of attempts) byLot.get(a.lotId)?.push(a);
  const records = {};
  const problems = { ackMissing: [], refusedIn: [], phantom: [], gaps: [], notRising: [], afterEnd: [], dbMismatch: [], auditMismatch: [], lotRow: [] };
  const errored = { in: 0, out: 0, byKind: {} };
  for (const lotId of lotIds) {
    const record = await bidRecord(url, lotId);
    records[lotId] = record;
    const bySeq = new Map(record.map((b) => [b.seq, b]));
    const byKey = new Map(record.map((b) => [`${b.bidderCode}:${b.amount}`, b]));
    const list = byLot.get(lotId) ?? [];
    const attemptByKey = new Map(list.map((a) => [`${a.code}:${a.amount}`, a]));
    for (const a of list) {
      const inRecord = byKey.get(`${a.code}:${a.amount}`);
      if (a.outcome === 'acked') {
        const at = bySeq.get(a.seq);
        if (!at || at.bidderCode !== a.code || at.amount !== a.amount) problems.ackMissing.push({ lotId, seq: a.seq, code: a.code, amount: a.amount, inst: a.inst, via: a.via });
      } else if (a.outcome === 'refused') {
        if (inRecord) problems.refusedIn.push({ lotId, seq: inRecord.seq, code: a.code, amount: a.amount, refusal: `${a.status} ${a.errCode}`, inst: a.inst, via: a.via });
      } else {
        const kind = `${a.inst}/${a.via}: ${a.status ? `HTTP ${a.status} ${a.errCode ?? ''}`.trim() : a.errCode}`;
        errored.byKind[kind] = errored.byKind[kind] ?? { in: 0, out: 0 };
        if (inRecord) {
          errored.in++;
          errored.byKind[kind].in++;
        } else {
          errored.out++;
          errored.byKind[kind].out++;
        }
      }
    }
    for (const b of record) if (!attemptByKey.has(`${b.bidderCode}:${b.amount}`)) problems.phantom.push({ lotId, seq: b.seq, code: b.bidderCode, amount: b.amount });
    for (let i = 0; i < record.length; i++) {
      if (record[i].seq !== i + 1) {
        problems.gaps.push({ lotId, expected: i + 1, got: record[i].seq });
        break;
      }
      if (i > 0 && record[i].amount <= record[i - 1].amount) problems.notRising.push({ lotId, seq: record[i].seq });
    }
    // The database itself: bids, their audit entries, the lot row.
    const rows = (await db.query(`SELECT seq, amount::text, bidder_code, placed_at, ends_at_after FROM bids WHERE lot_id = $1 ORDER BY seq`, [lotId])).rows;
    if (rows.length !== record.length || rows.some((r, i) => r.seq !== record[i].seq || Number(r.amount) !== record[i].amount || r.bidder_code !== record[i].bidderCode)) {
      problems.dbMismatch.push({ lotId, db: rows.length, api: record.length });
    }
    const lot = (await db.query(`SELECT seq, bid_count, current_price::text, leader_code, ends_at, scheduled_ends_at, starts_at FROM lots WHERE id = $1`, [lotId])).rows[0];
    let endInForce = (lot.scheduled_ends_at ?? null)?.getTime() ?? null;
    for (const r of rows) {
      if (endInForce !== null && r.placed_at.getTime() >= endInForce) problems.afterEnd.push({ lotId, seq: r.seq, placedAt: r.placed_at.toISOString(), end: new Date(endInForce).toISOString() });
      endInForce = r.ends_at_after.getTime();
    }
    const audit = (await db.query(`SELECT (data->>'seq')::int AS seq FROM audit_log WHERE stream = $1 AND action = 'bid.accepted' ORDER BY 1`, [`lot:${lotId}`])).rows.map((r) => r.seq);
    if (audit.length !== rows.length || audit.some((s, i) => s !== i + 1)) problems.auditMismatch.push({ lotId, audit: audit.length, bids: rows.length });
    const top = record.at(-1);
    const rowOk = lot.seq === record.length && lot.bid_count === record.length && (top ? Number(lot.current_price) === top.amount && lot.leader_code === top.bidderCode : lot.current_price === null);
    if (!rowOk) problems.lotRow.push({ lotId, lot: { seq: lot.seq, bidCount: lot.bid_count, price: lot.current_price, leader: lot.leader_code }, top: top ?? null, n: record.length });
  }
  const total = Object.values(records).reduce((n, r) => n + r.length, 0);
  const count = (o) => attempts.filter((a) => a.outcome === o).length;
  checks.note(`record: ${total} bids over ${lotIds.length} lots; attempts ${attempts.length} (acked ${count('acked')}, refused ${count('refused')}, errored ${count('error')})`);
  checks.check('every acknowledged bid is in the record at its seq', problems.ackMissing.length === 0, problems.ackMissing.length ? `${problems.ackMissing.length} missing, e.g. ${JSON.stringify(problems.ackMissing.slice(0, 3))}` : `${count('acked')} acked`);
  checks.check('no bid refused with a code is in the record', problems.refusedIn.length === 0, problems.refusedIn.length ? `${problems.refusedIn.length}, e.g. ${JSON.stringify(problems.refusedIn.slice(0, 3))}` : `${count('refused')} refused`);
  checks.check('nothing in the record that no client sent', problems.phantom.length === 0, problems.phantom.length ? JSON.stringify(problems.phantom.slice(0, 3)) : '');
  checks.check('seq has no gaps (1…n) and prices rise with seq', problems.gaps.length === 0 && problems.notRising.length === 0, problems.gaps.length || problems.notRising.length ? JSON.stringify([...problems.gaps, ...problems.notRising].slice(0, 3)) : '');
  checks.check('no bid accepted at or after the end in force', problems.afterEnd.length === 0, problems.afterEnd.length ? JSON.stringify(problems.afterEnd.slice(0, 3)) : '');
  checks.check('API record = bids table = bid.accepted audit entries (nothing half-written)', problems.dbMismatch.length === 0 && problems.auditMismatch.length === 0, problems.dbMismatch.length || problems.auditMismatch.length ? JSON.stringify([...problems.dbMismatch, ...problems.auditMismatch].slice(0, 3)) : '');
  checks.check('lot row (seq, bid count, price, leader) = top of the record', problems.lotRow.length === 0, problems.lotRow.length ? JSON.stringify(problems.lotRow.slice(0, 2)) : '');
  const kinds = Object.entries(errored.byKind)
    .map(([k, v]) => `${k}: ${v.in} in / ${v.out} not in`)
    .join('; ');
  checks.note(`errored attempts (outcome unknown to the client): ${errored.in + errored.out} — ${errored.in} in the record, ${errored.out} not${kinds ? ` (${kinds})` : ''}`);
  return { records, problems, errored };
}

/**
 * Each lot closed exactly once with the right winner: one result, one `lot.closed` audit entry, status
 * sold/unsold; the result's code, price and bid count are the top of the record (ranking: price, then
 * earliest; no priority purchasers here).
 */
export async function verifyClosing(checks, { db, closed, records }) {
  const bad = [];
  for (const [lotId, { result, lot }] of Object.entries(closed)) {
    const record = records[lotId] ?? [];
    const audit = Number((await db.query(`SELECT count(*) FROM audit_log WHERE stream = $1 AND action = 'lot.closed'`, [`lot:${lotId}`])).rows[0].count);
    const results = Number((await db.query(`SELECT count(*) FROM lot_results WHERE lot_id = $1`, [lotId])).rows[0].count);
    const ranked = [...record].sort((a, b) => b.amount - a.amount || Date.parse(a.placedAt) - Date.parse(b.placedAt) || a.seq - b.seq);
    const top = ranked[0] ?? null;
    const why = [];
    if (!result) why.push(`not closed (status ${lot?.status})`);
    else {
      if (audit !== 1 || results !== 1) why.push(`closed ${audit} times (audit) / ${results} results`);
      if (top) {
        if (result.outcome !== 'sold' || result.bidderCode !== top.bidderCode || result.price !== top.amount) why.push(`result ${result.outcome} ${result.bidderCode} ${result.price}, top of record ${top.bidderCode} ${top.amount}`);
        if (lot.status !== 'sold') why.push(`status ${lot.status}`);
      } else if (result.outcome !== 'unsold' || lot.status !== 'unsold') why.push(`no bids but ${result.outcome}/${lot.status}`);
      if (result.bidCount !== record.length) why.push(`result bidCount ${result.bidCount} ≠ record ${record.length}`);
    }
    if (why.length) bad.push({ lotId, why: why.join('; ') });
  }
  checks.check('each lot closed once with the right winner (result = top of the record)', bad.length === 0, bad.length ? JSON.stringify(bad.slice(0, 3)) : `${Object.keys(closed).length} lots`);
  return bad;
}

/** GET /api/admin/ledger: every line balanced, nothing moved twice (all lots, or only `lotIds`). */
export async function verifyLedger(checks, { url, adminToken, lotIds = null, call }) {
  const res = await call(url, 'GET', '/api/admin/ledger', undefined, adminToken);
  if (res.status !== 200) return checks.check('deposit ledger readable', false, `${res.status} ${JSON.stringify(res.body)}`);
  const lines = lotIds ? res.body.filter((l) => lotIds.includes(l.lotId)) : res.body;
  const bad = lines.filter((l) => !l.balanced || l.doubleMovements > 0);
  checks.check('deposit ledger: every line balanced, doubleMovements 0', bad.length === 0, bad.length ? JSON.stringify(bad.slice(0, 3)) : `${lines.length} lines`);
  return lines;
}

/**
 * Socket bids refused UNAUTHENTICATED although the socket connected with a valid token: the gateway
 * authenticates in `handleConnection` (async: JWT check + a database read) while the client already
 * counts as connected, so a `bid.place` sent right after `connect` can run before `socket.data.user` is set.
 */
export function reportSocketAuthRace(checks, attempts) {
  const unauth = attempts.filter((a) => a.via === 'socket' && a.errCode === 'UNAUTHENTICATED');
  if (unauth.length === 0) return 0;
  const fresh = unauth.filter((a) => a.sinceConnectMs !== null && a.sinceConnectMs < 50).length;
  const socketBids = attempts.filter((a) => a.via === 'socket' && a.sinceConnectMs !== null);
  const firstBids = socketBids.filter((a) => a.sinceConnectMs < 50).length;
  checks.finding(
    `${unauth.length} socket bids with a valid token refused UNAUTHENTICATED ("bidding needs a token in the handshake"); ${fresh} of them left < 50 ms after the client's 'connect' ` +
      `(${firstBids} socket bids left that early in all): the gateway sets socket.data.user in async handleConnection, so messages arriving before it finishes are treated as anonymous`,
  );
  return unauth.length;
}

/**
 * Out-of-order deliveries seen by watchers, explained by where each bid was placed (instance A or B):
 * returns { total, byPair: { 'late A after B': n, … }, example }.
 */
export function orderingAnalysis(sockets, attempts, records) {
  const instOf = new Map();
  const byKey = new Map(attempts.map((a) => [`${a.lotId}:${a.code}:${a.amount}`, a]));
  for (const [lotId, record] of Object.entries(records)) for (const b of record) instOf.set(`${lotId}:${b.seq}`, byKey.get(`${lotId}:${b.bidderCode}:${b.amount}`)?.inst ?? '?');
  const byPair = {};
  let total = 0;
  let example = null;
  for (const s of sockets) {
    let max = 0;
    let maxAt = 0;
    for (const [seq, at] of s.events) {
      if (seq < max) {
        total++;
        const pair = `seq placed on ${instOf.get(`${s.lotId}:${seq}`)} arrived after a higher seq placed on ${instOf.get(`${s.lotId}:${max}`)}`;
        byPair[pair] = (byPair[pair] ?? 0) + 1;
        if (!example) example = { lotId: s.lotId, first: { seq: max, placedOn: instOf.get(`${s.lotId}:${max}`), at: maxAt }, then: { seq, placedOn: instOf.get(`${s.lotId}:${seq}`), afterMs: at - maxAt } };
      } else {
        max = seq;
        maxAt = at;
      }
    }
  }
  return { total, byPair, example };
}
