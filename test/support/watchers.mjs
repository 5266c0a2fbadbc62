/**
 * Watcher sockets in child processes, for the fault tests and the benchmark, in namespace /auctions: each
 * socket in `lot.watch` of one lot, recording every `lot.bid` (seq and receipt time) and `lot.closed`, and a
 * millisecond histogram of receipt − the event's `committedAt` (both from this machine's clock). Two kinds of
 * client, chosen per `connect` (`client`), recording through the same code:
 *
 * - `socket.io` (the default; the fault tests): socket.io-client, websocket transport, optionally reconnecting
 *   (connection state recovery then replays what it missed; every disconnect is still counted).
 * - `wire`: a plain `ws` WebSocket speaking Engine.IO v4 / Socket.IO v5 itself, only what a watcher needs:
 *   `/socket.io/?EIO=4&transport=websocket`; the server's open packet `0{…}`; `40/auctions,` → the server's
 *   `40/auctions,{"sid","pid"}` (`44/auctions,{message}` is a connect error); `lot.watch` as
 *   `42/auctions,1["lot.watch",{lotId}]`, acknowledged by `43/auctions,1[{…}]`; events `42/auctions,["lot.bid",
 *   {…}(, offset)]` and `["lot.closed",…]` recognised by their prefix and parsed once (the trailing offset of
 *   connection state recovery is ignored); every other event is skipped unparsed; the server's ping `2` is
 *   answered `3` at once. No reconnection (asking for it throws) and no client-side ping timeout: a server that
 *   goes silent shows as missed events, not as a disconnect. It costs a fraction of socket.io-client's CPU per
 *   event (test/bench/README.md), which matters when the watchers share the cores of the API they measure.
 *
 * An unexpected disconnect (the socket closed, by the server or the network, or failed) is counted and the
 * first one of each socket recorded with its reason ('transport close', 'transport error', 'io server
 * disconnect', 'ping timeout'…); closing our own sockets is not one. A child is driven over IPC by a
 * `WatcherGroup` (the parent side, below):
 *
 *   { type: 'connect', url, lots, perLot, concurrency, reconnection, client } → { type: 'connected', ok, failed, retried, errors, ms }
 *                                (client: 'socket.io' | 'wire', default 'socket.io'; reconnection only with socket.io)
 *   { type: 'phase', from }      forget what was recorded; from now on record only events with seq ≥ from
 *   { type: 'progress' }         → { type: 'progress', minLast, received }
 *   { type: 'report' }           → { type: 'report', sockets: [{ lotId, events: [[seq, ms]], closed, disconnect }] }
 *   { type: 'summary', from, to } → { type: 'summary', sockets, expected, received, missed, socketsMissing,
 *                                     outOfOrder, duplicates, disconnects, hist } (every socket, seqs from…to)
 *   { type: 'disconnect' }       → { type: 'disconnected' } (closes every socket; the child stays)
 *   { type: 'close' }            → { type: 'closed' }, then the child exits
 */
import { fork } from 'node:child_process';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { MsHistogram } from './stats.mjs';

export const WATCHER_CLIENTS = ['socket.io', 'wire'];

/** Why a watcher of `client` with `reconnection` cannot be made, or null. */
function unsupported(client, reconnection) {
  if (!WATCHER_CLIENTS.includes(client)) return `unknown watcher client '${client}' (one of ${WATCHER_CLIENTS.join(', ')})`;
  if (client === 'wire' && reconnection) return "the 'wire' watcher client does not reconnect: use client 'socket.io' for reconnection: true";
  return null;
}

/** The Engine.IO v4 / Socket.IO v5 frames the wire client sends and recognises (namespace /auctions). */
const NSP = '/auctions';
const WATCH_ACK_ID = 1;
const WIRE = {
  open: '0', // the server's Engine.IO open packet, 0{"sid",…,"pingInterval","pingTimeout"}
  ping: '2',
  pong: '3',
  connect: `40${NSP},`, // ours; the server answers the same prefix followed by {"sid","pid"}
  disconnect: `41${NSP},`,
  connectError: `44${NSP},`,
  event: `42${NSP},`,
  bid: `42${NSP},["lot.bid",`,
  closed: `42${NSP},["lot.closed",`,
  watchAck: `43${NSP},${WATCH_ACK_ID}[`,
};

if (process.argv[2] === '--watcher-child') runChild();

function runChild() {
  const sockets = [];
  let phaseFrom = 0;
  let hist = new MsHistogram();
  let received = 0;
  let disconnects = 0;

  /** One socket's record; `close` closes it without counting a disconnect. */
  const newState = (lotId) => ({ lotId, close: () => undefined, seqs: [], ats: [], last: 0, closed: 0, disconnect: null });

  // What both kinds record, written once.
  const recordBid = (state, e) => {
    if (e.lotId !== state.lotId || e.seq < phaseFrom) return;
    const now = Date.now();
    received++;
    hist.add(now - Date.parse(e.committedAt));
    state.seqs.push(e.seq);
    state.ats.push(now);
    if (e.seq > state.last) state.last = e.seq;
  };
  const recordClosed = (state, e) => {
    if (e.lotId === state.lotId) state.closed += 1;
  };
  const recordDisconnect = (state, reason) => {
    disconnects++;
    if (!state.disconnect) state.disconnect = { reason, at: Date.now() };
  };

  /** Settles once: a watching socket joins `sockets`, a failed one is closed. */
  const settler = (state, resolve) => {
    let settled = false;
    return (ok, why) => {
      if (settled) return;
      settled = true;
      if (ok) sockets.push(state);
      else state.close();
      resolve({ ok, why });
    };
  };

  const connectSocketIo = (url, lotId, reconnection) =>
    new Promise((resolve) => {
      const socket = io(`${url}${NSP}`, { transports: ['websocket'], forceNew: true, reconnection, timeout: 60_000 });
      const state = newState(lotId);
      state.close = () => socket.close();
      const done = settler(state, resolve);
      socket.on('lot.bid', (e) => recordBid(state, e));
      socket.on('lot.closed', (e) => recordClosed(state, e));
      socket.on('disconnect', (reason) => {
        if (reason !== 'io client disconnect') recordDisconnect(state, reason);
      });
      socket.once('connect_error', (err) => done(false, `connect_error: ${err.message}`));
      socket.once('connect', () => {
        socket
          .timeout(60_000)
          .emitWithAck('lot.watch', { lotId })
          .then(
            (ack) => (ack?.ok === false ? done(false, `lot.watch: ${ack.error?.code}`) : done(true)),
            (err) => done(false, `lot.watch: ${err.message}`),
          );
      });
    });

  /**
   * The wire client: Engine.IO open → namespace connect → lot.watch with its ack, within 60 s each (the
   * socket.io path's timeouts), then events. Failure reasons are worded as socket.io-client words them.
   */
  const connectWire = (url, lotId) =>
    new Promise((resolve) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
      const state = newState(lotId);
      let closing = false; // closed by us: not a disconnect
      let joined = false; // the namespace connect was answered
      let transportError = false;
      state.close = () => {
        if (closing) return;
        closing = true;
        if (ws.readyState === WebSocket.OPEN && joined) ws.send(WIRE.disconnect);
        ws.close();
      };
      const settle = settler(state, resolve);
      const timer = setTimeout(() => done(false, joined ? 'lot.watch: operation has timed out' : 'connect_error: timeout'), 60_000);
      const done = (ok, why) => {
        clearTimeout(timer);
        settle(ok, why);
      };
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const text = data.toString();
        if (text.startsWith(WIRE.bid)) recordBid(state, JSON.parse(text.slice(WIRE.event.length))[1]);
        else if (text === WIRE.ping) ws.send(WIRE.pong);
        else if (text.startsWith(WIRE.closed)) recordClosed(state, JSON.parse(text.slice(WIRE.event.length))[1]);
        else if (text.startsWith(WIRE.event)) return; // another event (lot.status…): not recorded
        else if (text.startsWith(WIRE.watchAck)) {
          const [ack] = JSON.parse(text.slice(WIRE.watchAck.length - 1));
          if (ack?.ok === false) done(false, `lot.watch: ${ack.error?.code}`);
          else done(true);
        } else if (text.startsWith(WIRE.connect)) {
          joined = true;
          timer.refresh();
          ws.send(`${WIRE.event}${WATCH_ACK_ID}${JSON.stringify(['lot.watch', { lotId }])}`);
        } else if (text.startsWith(WIRE.connectError)) {
          done(false, `connect_error: ${JSON.parse(text.slice(WIRE.connectError.length)).message}`);
        } else if (text.startsWith(WIRE.disconnect)) {
          // The server left the namespace ('io server disconnect'): record it and drop the connection.
          if (!closing) recordDisconnect(state, 'io server disconnect');
          closing = true;
          ws.close();
          done(false, 'lot.watch: socket has been disconnected');
        } else if (text[0] === WIRE.open) ws.send(WIRE.connect);
      });
      ws.on('error', () => {
        transportError = true; // 'close' follows
      });
      ws.on('close', () => {
        if (closing) return;
        closing = true;
        if (joined) recordDisconnect(state, transportError ? 'transport error' : 'transport close');
        done(false, joined ? 'lot.watch: socket has been disconnected' : 'connect_error: websocket error');
      });
    });

  /**
   * Connects perLot sockets to each lot, `concurrency` handshakes at a time. A handshake that fails is tried
   * again (up to 3 times): on a loaded machine a connect may time out without the API being at fault, and
   * what the tests look at is delivery to sockets that are watching. Retries are counted and reported.
   */
  // WatcherGroup.connect (the parent) has refused a client kind or option this cannot serve.
  async function connect({ url, lots, perLot, concurrency = 50, reconnection = false, client = 'socket.io' }) {
    const connectOne = client === 'wire' ? connectWire : connectSocketIo;
    const started = Date.now();
    const jobs = [];
    for (const lotId of lots) for (let i = 0; i < perLot; i++) jobs.push(lotId);
    let ok = 0;
    let retried = 0;
    const errors = {};
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const lotId = jobs[next++];
        for (let attempt = 1; ; attempt++) {
          const r = await connectOne(url, lotId, reconnection);
          if (r.ok) {
            ok++;
            break;
          }
          errors[r.why] = (errors[r.why] ?? 0) + 1;
          if (attempt >= 3) break;
          retried++;
          await new Promise((res) => setTimeout(res, 250 * attempt));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
    return { type: 'connected', ok, failed: jobs.length - ok, retried, errors, ms: Date.now() - started };
  }

  function summary({ from, to }) {
    const expected = to >= from ? to - from + 1 : 0;
    let missed = 0;
    let socketsMissing = 0;
    let outOfOrder = 0;
    let duplicates = 0;
    for (const s of sockets) {
      const seen = new Set();
      let max = 0;
      for (const seq of s.seqs) {
        if (seq < from || seq > to) continue;
        if (seen.has(seq)) duplicates++;
        if (seq < max) outOfOrder++;
        else max = seq;
        seen.add(seq);
      }
      if (seen.size < expected) {
        missed += expected - seen.size;
        socketsMissing++;
      }
    }
    return { type: 'summary', sockets: sockets.length, expected, received, missed, socketsMissing, outOfOrder, duplicates, disconnects, hist: hist.toSparse() };
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
        disconnects = 0;
        for (const s of sockets) {
          s.seqs = [];
          s.ats = [];
          s.last = 0;
        }
        process.send({ type: 'phase-ok' });
        break;
      case 'progress': {
        let minLast = Number.MAX_SAFE_INTEGER;
        for (const s of sockets) if (s.last < minLast) minLast = s.last;
        process.send({ type: 'progress', minLast: sockets.length ? minLast : 0, received });
        break;
      }
      case 'report':
        process.send({ type: 'report', sockets: sockets.map((s) => ({ lotId: s.lotId, events: s.seqs.map((seq, i) => [seq, s.ats[i]]), closed: s.closed, disconnect: s.disconnect })) });
        break;
      case 'summary':
        process.send(summary(msg));
        break;
      case 'disconnect':
        for (const s of sockets) s.close();
        sockets.length = 0;
        process.send({ type: 'disconnected' });
        break;
      case 'close':
        for (const s of sockets) s.close();
        process.send({ type: 'closed' });
        setTimeout(() => process.exit(0), 50);
        break;
      default:
        break;
    }
  });
  process.send({ type: 'ready' });
}

/** Parent side: one child process of watchers. */
export class WatcherGroup {
  constructor(name, cleanup) {
    this.name = name;
    this.child = fork(import.meta.filename, ['--watcher-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = this.next('ready');
    this.ready.catch(() => undefined);
    cleanup.add(`watchers ${name}`, () => {
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    });
  }

  get pid() {
    return this.child.pid;
  }

  get alive() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The next message of `type`; rejects if the child exits first or nothing comes in `timeoutMs`. */
  next(type, timeoutMs = 15 * 60_000) {
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      const onMessage = (m) => {
        if (m.type !== type) return;
        finish();
        resolve(m);
      };
      const onExit = (code, signal) => {
        finish();
        reject(new Error(`watcher process ${this.name} exited (${code ?? signal}) before '${type}'`));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`watcher process ${this.name}: no '${type}' in ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  async rpc(msg, replyType) {
    await this.ready;
    const p = this.next(replyType);
    this.child.send(msg);
    return p;
  }

  /**
   * `perLot` sockets in each of `lots`, of `client` 'socket.io' (the default) or 'wire' (no reconnection);
   * → { ok, failed, retried, errors, ms }.
   */
  async connect(url, lots, perLot, { concurrency = 50, reconnection = false, client = 'socket.io' } = {}) {
    const refused = unsupported(client, reconnection);
    if (refused) throw new Error(`watchers ${this.name}: ${refused}`);
    return this.rpc({ type: 'connect', url, lots, perLot, concurrency, reconnection, client }, 'connected');
  }

  phase(from) {
    return this.rpc({ type: 'phase', from }, 'phase-ok');
  }

  progress() {
    return this.rpc({ type: 'progress' }, 'progress');
  }

  /** Every socket's events ([seq, receipt ms]), `lot.closed` count and unexpected disconnect. */
  async report() {
    return (await this.rpc({ type: 'report' }, 'report')).sockets;
  }

  /** Figures over seqs from…to: missed, out of order, duplicates, and the delay histogram (sparse). */
  summary(from, to) {
    return this.rpc({ type: 'summary', from, to }, 'summary');
  }

  disconnect() {
    return this.rpc({ type: 'disconnect' }, 'disconnected');
  }

  async close() {
    if (!this.alive) return;
    const p = this.next('closed', 30_000).catch(() => undefined);
    this.child.send({ type: 'close' });
    await p;
    if (this.alive) this.child.kill('SIGKILL');
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
