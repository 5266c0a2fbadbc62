/**
 * A child process holding watcher sockets (socket.io-client, websocket transport, no reconnection) in
 * namespace /auctions, each in `lot.watch` of one lot, recording every `lot.bid` (seq, receipt time) and
 * `lot.closed`. Driven over IPC by the scenarios (see `WatcherGroup` below for the parent side):
 *   { type: 'connect', url, lots: [lotId], perLot, concurrency } → { type: 'connected', ok, failed, errors }
 *   { type: 'report' } → { type: 'report', sockets: [{ lotId, events: [[seq, ms]], closed, disconnect }] }
 *   { type: 'close' } → { type: 'closed' }
 */
import { fork } from 'node:child_process';
import { io } from 'socket.io-client';

const isChild = process.argv[2] === '--child';

if (isChild) {
  const sockets = [];

  const connectOne = (url, lotId) =>
    new Promise((resolve) => {
      const socket = io(`${url}/auctions`, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 30_000 });
      const state = { lotId, events: [], closed: 0, disconnect: null, socket };
      let settled = false;
      const done = (ok, why) => {
        if (settled) return;
        settled = true;
        if (ok) sockets.push(state);
        else socket.close();
        resolve({ ok, why });
      };
      socket.on('lot.bid', (e) => {
        if (e.lotId === lotId) state.events.push([e.seq, Date.now()]);
      });
      socket.on('lot.closed', (e) => {
        if (e.lotId === lotId) state.closed += 1;
      });
      socket.on('disconnect', (reason) => {
        if (reason !== 'io client disconnect' && !state.disconnect) state.disconnect = { reason, at: Date.now() };
      });
      socket.once('connect_error', (err) => done(false, `connect_error: ${err.message}`));
      socket.once('connect', () => {
        socket
          .timeout(30_000)
          .emitWithAck('lot.watch', { lotId })
          .then(
            (ack) => (ack?.ok ? done(true) : done(false, `lot.watch: ${ack?.error?.code}`)),
            (err) => done(false, `lot.watch: ${err.message}`),
          );
      });
    });

  process.on('message', async (msg) => {
    if (msg.type === 'connect') {
      const jobs = [];
      for (const lotId of msg.lots) for (let i = 0; i < msg.perLot; i++) jobs.push(lotId);
      let ok = 0;
      const errors = {};
      let next = 0;
      const worker = async () => {
        while (next < jobs.length) {
          const lotId = jobs[next++];
          const r = await connectOne(msg.url, lotId);
          if (r.ok) ok++;
          else errors[r.why] = (errors[r.why] ?? 0) + 1;
        }
      };
      await Promise.all(Array.from({ length: Math.min(msg.concurrency ?? 50, jobs.length) }, worker));
      process.send({ type: 'connected', ok, failed: jobs.length - ok, errors });
    } else if (msg.type === 'report') {
      process.send({ type: 'report', sockets: sockets.map((s) => ({ lotId: s.lotId, events: s.events, closed: s.closed, disconnect: s.disconnect })) });
    } else if (msg.type === 'close') {
      for (const s of sockets) s.socket.close();
      process.send({ type: 'closed' });
      setTimeout(() => process.exit(0), 50);
    }
  });
  process.send({ type: 'ready' });
}

/** Parent side: a child process of watchers on one instance. */
export class WatcherGroup {
  constructor(name, cleanup) {
    this.name = name;
    this.child = fork(import.meta.filename, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = this.next('ready');
    cleanup.add(`watchers ${name}`, () => {
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    });
  }

  next(type) {
    return new Promise((resolve, reject) => {
      const onMessage = (m) => {
        if (m.type === type) {
          this.child.off('message', onMessage);
          this.child.off('exit', onExit);
          resolve(m);
        }
      };
      const onExit = (code) => reject(new Error(`watcher process ${this.name} exited (${code})`));
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  async connect(url, lots, perLot, concurrency = 50) {
    await this.ready;
    const p = this.next('connected');
    this.child.send({ type: 'connect', url, lots, perLot, concurrency });
    return p;
  }

  async report() {
    const p = this.next('report');
    this.child.send({ type: 'report' });
    return (await p).sockets;
  }

  async close() {
    if (this.child.exitCode !== null) return;
    const p = this.next('closed').catch(() => undefined);
    this.child.send({ type: 'close' });
    await p;
  }
}

/**
 * Compares what each socket received with the record (`expected`: lotId → number of bids, seqs 1…n).
 * Returns per-socket figures and totals; `excused(lotId, seq)` marks seqs whose absence is explained.
 */
export function checkDelivery(sockets, expected, excused = () => false) {
  const out = { sockets: sockets.length, complete: 0, missing: 0, missingExcused: 0, outOfOrder: 0, duplicates: 0, closedOnce: 0, closedWrong: 0, missingSeqs: new Map(), disconnected: 0 };
  for (const s of sockets) {
    const n = expected[s.lotId] ?? 0;
    const seen = new Set();
    let last = 0;
    for (const [seq] of s.events) {
      if (seen.has(seq)) out.duplicates++;
      if (seq < last) out.outOfOrder++;
      last = Math.max(last, seq);
      seen.add(seq);
    }
    let missing = 0;
    for (let q = 1; q <= n; q++) {
      if (seen.has(q)) continue;
      if (excused(s.lotId, q)) out.missingExcused++;
      else {
        missing++;
        const key = `${s.lotId}:${q}`;
        out.missingSeqs.set(key, (out.missingSeqs.get(key) ?? 0) + 1);
      }
    }
    out.missing += missing;
    if (missing === 0) out.complete++;
    if (s.closed === 1) out.closedOnce++;
    else out.closedWrong++;
    if (s.disconnect) out.disconnected++;
  }
  return out;
}
