/**
 * A bid storm: one closed loop per bidder, each placing bids one to three increments above the latest
 * price it knows, over HTTP (`POST /api/lots/:id/bids`) or its socket (`bid.place` with an ack), to any
 * instance that is up. Every attempt is recorded with how it ended:
 *
 *   acked     HTTP 201 or ack `ok: true` (carries the bid's seq)
 *   refused   a coded refusal: a 4xx with a code, or 503 DATABASE_UNAVAILABLE ("nothing was changed")
 *   error     anything else: 5xx without that promise, a network error, a timeout, a cut socket
 *
 * A bidder never sends the same amount twice on the same lot, so (lot, bidder code, amount) names one
 * attempt and can be looked up in the bid record.
 */
import { io } from 'socket.io-client';
import { call } from '../../support/http-actors.mjs';
import { sleep } from '../../support/infra.mjs';

/**
 * How long a client waits for a bid's answer before counting it as errored (a hang). 20 s: on a busy 2-core
 * machine (other engineers' builds, the API restarting next door) a healthy answer can take several seconds;
 * what the scenarios must catch is a bid that never ends, which this bounds.
 */
const BID_TIMEOUT_MS = 20_000;

export class Storm {
  /**
   * @param lots      [{ id, startingPrice, increment }]
   * @param bidders   [{ token, index, codes: { [lotId]: code }, lots: [lotId], via: 'http' | 'socket' }]
   * @param instances [{ name, url, up: boolean }] (the caller flips `up` around a kill or restart)
   */
  constructor({ lots, bidders, instances, thinkMs = [150, 450] }) {
    this.lots = new Map(lots.map((l) => [l.id, { ...l, price: l.startingPrice - l.increment, leader: null }]));
    this.bidders = bidders;
    this.instances = instances;
    this.thinkMs = thinkMs;
    this.attempts = [];
    this.running = false;
    this.sockets = new Map(); // `${bidderIndex}:${instance}` -> socket
    this.tried = new Map(); // `${lotId}:${code}` -> Set(amount)
    this.loops = [];
  }

  start() {
    this.running = true;
    this.startedAt = Date.now();
    this.loops = this.bidders.map((b) => this.loop(b));
  }

  /** Stops sending; resolves once every bid in flight has ended. */
  async stop() {
    this.running = false;
    await Promise.all(this.loops);
  }

  pickInstance() {
    const up = this.instances.filter((i) => i.up);
    if (up.length === 0) return null;
    return up[Math.floor(Math.random() * up.length)];
  }

  nextAmount(lot, code) {
    const key = `${lot.id}:${code}`;
    let set = this.tried.get(key);
    if (!set) this.tried.set(key, (set = new Set()));
    let amount = lot.price + lot.increment * (1 + Math.floor(Math.random() * 3));
    while (set.has(amount)) amount += lot.increment;
    set.add(amount);
    return amount;
  }

  learn(lot, attempt, details) {
    if (attempt.outcome === 'acked') {
      if (attempt.amount > lot.price) {
        lot.price = attempt.amount;
        lot.leader = attempt.code;
      }
    } else if (details) {
      if (typeof details.currentPrice === 'number' && details.currentPrice > lot.price) lot.price = details.currentPrice;
      if (typeof details.minimum === 'number' && details.minimum - lot.increment > lot.price) lot.price = details.minimum - lot.increment;
    }
  }

  async loop(bidder) {
    await sleep(Math.random() * this.thinkMs[1]);
    while (this.running) {
      const lotId = bidder.lots[Math.floor(Math.random() * bidder.lots.length)];
      const lot = this.lots.get(lotId);
      const code = bidder.codes[lotId];
      const inst = this.pickInstance();
      if (!inst || lot.leader === code) {
        await sleep(100);
        continue;
      }
      await this.place(bidder, lot, code, inst);
      await sleep(this.thinkMs[0] + Math.random() * (this.thinkMs[1] - this.thinkMs[0]));
    }
  }

  /** One bid through the bidder's channel; returns the recorded attempt. */
  async place(bidder, lot, code, inst, amount = this.nextAmount(lot, code)) {
    const attempt = { lotId: lot.id, bidder: bidder.index, code, amount, via: bidder.via, inst: inst.name, t0: Date.now(), t1: 0, outcome: 'error', status: 0, errCode: null, seq: null, sinceConnectMs: null };
    this.attempts.push(attempt);
    let details = null;
    if (bidder.via === 'socket') {
      const r = await this.socketBid(bidder, inst, lot.id, amount, attempt);
      attempt.t1 = Date.now();
      if (r.ack?.ok) {
        attempt.outcome = 'acked';
        attempt.status = 201;
        attempt.seq = r.ack.bid.seq;
      } else if (r.ack) {
        attempt.status = r.ack.error?.statusCode ?? 0;
        attempt.errCode = r.ack.error?.code ?? null;
        attempt.outcome = classify(attempt.status, attempt.errCode);
        details = r.ack.error?.details ?? null;
      } else {
        attempt.errCode = r.error;
      }
    } else {
      const res = await call(inst.url, 'POST', `/api/lots/${lot.id}/bids`, { amount }, bidder.token, { timeoutMs: BID_TIMEOUT_MS });
      attempt.t1 = Date.now();
      attempt.status = res.status;
      if (res.status === 201) {
        attempt.outcome = 'acked';
        attempt.seq = res.body.bid.seq;
      } else if (res.status === 0) {
        attempt.errCode = res.error;
      } else {
        attempt.errCode = res.body?.code ?? null;
        attempt.correlationId = res.body?.details?.correlationId ?? null;
        attempt.outcome = classify(res.status, attempt.errCode);
        details = res.body?.details ?? null;
      }
    }
    this.learn(lot, attempt, details);
    return attempt;
  }

  async socketFor(bidder, inst) {
    const key = `${bidder.index}:${inst.name}`;
    const existing = this.sockets.get(key);
    if (existing && existing.connected) return existing;
    if (existing) existing.close();
    const socket = io(`${inst.url}/auctions`, { auth: { token: bidder.token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20_000 });
    this.sockets.set(key, socket);
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    socket.connectedAt = Date.now();
    return socket;
  }

  async socketBid(bidder, inst, lotId, amount, attempt) {
    let socket;
    try {
      socket = await this.socketFor(bidder, inst);
    } catch (error) {
      return { error: `connect: ${error.message}` };
    }
    // How long after the client saw `connect` the bid left (the server authenticates on connect, asynchronously).
    attempt.sinceConnectMs = Date.now() - socket.connectedAt;
    return new Promise((resolve) => {
      let done = false;
      const finish = (r) => {
        if (done) return;
        done = true;
        socket.off('disconnect', onDisconnect);
        resolve(r);
      };
      const onDisconnect = (reason) => finish({ error: `disconnect: ${reason}` });
      socket.once('disconnect', onDisconnect);
      socket
        .timeout(BID_TIMEOUT_MS)
        .emitWithAck('bid.place', { lotId, amount })
        .then(
          (ack) => finish({ ack }),
          () => finish({ error: 'timeout' }),
        );
    });
  }

  closeSockets() {
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }
}

/** A coded refusal (the bid was not placed, the API says so) or an error (unknown outcome). */
export function classify(status, code) {
  if (status >= 400 && status < 500 && code) return 'refused';
  if (status === 503 && code === 'DATABASE_UNAVAILABLE') return 'refused';
  return 'error';
}

export function tally(attempts, keyOf) {
  const out = {};
  for (const a of attempts) {
    const k = keyOf(a);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

export const fmtTally = (t) =>
  Object.entries(t)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '–';
