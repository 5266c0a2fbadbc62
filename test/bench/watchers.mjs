/**
 * A child process of the benchmark that holds watcher sockets (socket.io-client, websocket transport) in
 * namespace /auctions, each in `lot.watch` of one lot. Controlled over IPC by run.mjs:
 *   { type: 'connect', url, lotId, count, concurrency }  → { type: 'connected', ok, failed, errors, ms }
 *   { type: 'phase', from }        start counting events with seq ≥ from (resets the figures)
 *   { type: 'progress' }           → { type: 'progress', minLast, received }
 *   { type: 'report', from, to }   → { type: 'report', … } the figures of the phase for seqs from…to
 *   { type: 'disconnect' }         → { type: 'disconnected' }
 * On each `lot.bid` it records receipt time − committedAt (both from this machine's clock) in a millisecond
 * histogram, and per socket which seqs arrived and whether one arrived after a higher one.
 */
import { io } from 'socket.io-client';
import { MsHistogram } from './lib.mjs';

const MAX_SEQS = 4096; // per phase: at most 20/s × 15 s = 300 bids, with room to spare

const sockets = [];
let phaseFrom = Number.MAX_SAFE_INTEGER;
let hist = new MsHistogram();
let received = 0;
let outOfOrder = 0;
let duplicates = 0;
let disconnects = 0;

function newState() {
  return { last: 0, seen: new Uint8Array(MAX_SEQS) };
}

function onBid(state, e) {
  const now = Date.now();
  const seq = e.seq;
  if (seq < phaseFrom) return;
  received++;
  hist.add(now - Date.parse(e.committedAt));
  const i = seq - phaseFrom;
  if (i < MAX_SEQS) {
    if (state.seen[i]) duplicates++;
    state.seen[i] = 1;
  }
  if (seq < state.last) outOfOrder++;
  else state.last = seq;
}

function connectOne(url, lotId) {
  return new Promise((resolve) => {
    const socket = io(`${url}/auctions`, { transports: ['websocket'], forceNew: true, reconnection: true, timeout: 60_000 });
    const state = newState();
    let settled = false;
    const done = (ok, why) => {
      if (settled) return;
      settled = true;
      resolve({ ok, why });
    };
    socket.on('lot.bid', (e) => onBid(state, e));
    socket.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect') disconnects++;
    });
    socket.once('connect_error', (err) => {
      socket.close();
      done(false, `connect_error: ${err.message}`);
    });
    socket.once('connect', () => {
      socket
        .timeout(60_000)
        .emitWithAck('lot.watch', { lotId })
        .then(
          (ack) => {
            if (ack?.ok === false) {
              socket.close();
              return done(false, `lot.watch: ${ack.error?.code}`);
            }
            sockets.push({ socket, state });
            done(true);
          },
          (err) => {
            socket.close();
            done(false, `lot.watch: ${err.message}`);
          },
        );
    });
  });
}

async function connect({ url, lotId, count, concurrency }) {
  const started = Date.now();
  let ok = 0;
  let failed = 0;
  const errors = {};
  let next = 0;
  async function worker() {
    while (next < count) {
      next++;
      const r = await connectOne(url, lotId);
      if (r.ok) ok++;
      else {
        failed++;
        errors[r.why] = (errors[r.why] ?? 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { type: 'connected', ok, failed, errors, ms: Date.now() - started };
}

function report({ from, to }) {
  const expected = to >= from ? to - from + 1 : 0;
  let missed = 0;
  let socketsMissing = 0;
  for (const { state } of sockets) {
    let got = 0;
    for (let s = from; s <= to; s++) {
      const i = s - phaseFrom;
      if (i >= 0 && i < MAX_SEQS && state.seen[i]) got++;
    }
    if (got < expected) {
      missed += expected - got;
      socketsMissing++;
    }
  }
  return { type: 'report', sockets: sockets.length, expected, received, missed, socketsMissing, outOfOrder, duplicates, disconnects, hist: hist.toSparse() };
}

process.on('message', async (msg) => {
  switch (msg.type) {
    case 'connect':
      process.send(await connect(msg));
      break;
    case 'phase':
      phaseFrom = msg.from;
      hist = new MsHistogram();
      received = 0;
      outOfOrder = 0;
      duplicates = 0;
      disconnects = 0;
      for (const { state } of sockets) {
        state.last = 0;
        state.seen.fill(0);
      }
      process.send({ type: 'phase-ok' });
      break;
    case 'progress': {
      let minLast = Number.MAX_SAFE_INTEGER;
      for (const { state } of sockets) if (state.last < minLast) minLast = state.last;
      process.send({ type: 'progress', minLast: sockets.length ? minLast : 0, received });
      break;
    }
    case 'report':
      process.send(report(msg));
      break;
    case 'disconnect':
      for (const { socket } of sockets) socket.disconnect();
      sockets.length = 0;
      process.send({ type: 'disconnected' });
      break;
    case 'exit':
      process.exit(0);
  }
});
process.send({ type: 'ready' });
