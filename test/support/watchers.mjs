/**
 * Watcher sockets in child processes, for the fault tests and the benchmark, in namespace /auctions: each
 * socket in `lot.watch` of one lot, recording every `lot.bid` (seq and receipt time) and `lot.closed`, and a
 * millisecond histogram of receipt − the event's `committedAt` (both from this machine's clock). Two kinds of
 * client, chosen per `connect` (`client`), recording through the same code:
 *
 * - `socket.io` (the default; the fault tests): socket.io-client, websocket transport, optionally reconnecting
 *   (connection state recovery then replays what it missed; every disconnect is still counted).
 * - `wire`: a WebSocket client of its own on a raw `node:net` socket (RFC 6455, only what a watcher needs),
 *   speaking Engine.IO v4 / Socket.IO v5 itself. WebSocket: the `GET /socket.io/?EIO=4&transport=websocket`
 *   upgrade with a random `Sec-WebSocket-Key`, its `101` and `Sec-WebSocket-Accept` checked, no extension
 *   (no permessage-deflate); every socket of the process reads into one static buffer (net's `onread`: no
 *   allocation and no stream 'data' event per read) and parses the server's frames where they lie, copying
 *   only the bytes of a frame that is not complete yet; text messages (fragmented ones joined), ping → pong,
 *   close → close, binary ignored; our frames masked. Engine.IO / Socket.IO: the server's open packet `0{…}`;
 *   `40/auctions,` → the server's `40/auctions,{"sid","pid"}` (`44/auctions,{message}` is a connect error);
 *   `lot.watch` as `42/auctions,1["lot.watch",{lotId}]`, acknowledged by `43/auctions,1[{…}]`; events
 *   `42/auctions,["lot.bid",{…}(, offset)]` and `["lot.closed",…]` recognised by their prefix bytes and
 *   parsed once (the trailing offset of connection state recovery is ignored); every other event is skipped
 *   undecoded; the server's ping `2` is answered `3` at once. http:// URLs only (no TLS). No reconnection
 *   (asking for it throws) and no client-side ping timeout: a server that goes silent shows as missed events,
 *   not as a disconnect. It costs a fraction of socket.io-client's CPU per event (test/bench/README.md), which
 *   matters when the watchers share the cores of the API they measure.
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
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import net from 'node:net';
import { io } from 'socket.io-client';
import { MsHistogram } from './stats.mjs';

export const WATCHER_CLIENTS = ['socket.io', 'wire'];

/** Why a watcher of `client` with `reconnection` cannot be made (for `url`), or null. */
function unsupported(client, reconnection, url) {
  if (!WATCHER_CLIENTS.includes(client)) return `unknown watcher client '${client}' (one of ${WATCHER_CLIENTS.join(', ')})`;
  if (client === 'wire' && reconnection) return "the 'wire' watcher client does not reconnect: use client 'socket.io' for reconnection: true";
  if (client === 'wire' && !/^(http|ws):\/\//.test(url)) return `the 'wire' watcher client speaks plain http:// (no TLS), not ${url}: use client 'socket.io'`;
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

/** The same prefixes as bytes, compared where the frame lies in the read buffer (all ASCII). */
const WIRE_BYTES = {
  ping: WIRE.ping.charCodeAt(0),
  event: Buffer.from(WIRE.event),
  bid: Buffer.from(WIRE.bid),
  closed: Buffer.from(WIRE.closed),
};

/** Whether `buf[start…end)` begins with the bytes of `prefix`. */
function hasPrefix(buf, start, end, prefix) {
  const n = prefix.length;
  if (end - start < n) return false;
  for (let i = 0; i < n; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/** RFC 6455 (WebSocket) as the wire client speaks it: opcodes, the GUID of Sec-WebSocket-Accept (§1.3). */
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_MESSAGE = 100 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * One client frame (§5.2): FIN (ours are never fragmented), `opcode`, the MASK bit and a fresh random 4-byte
 * masking key (a client MUST mask every frame, §5.3), and the payload XORed with it. Only a few small frames
 * per socket are sent (namespace connect, lot.watch, pongs, closing), so this allocates freely.
 */
function wsFrame(opcode, payload) {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + 4 + n);
  frame[0] = 0x80 | opcode;
  if (n < 126) frame[1] = 0x80 | n;
  else if (n < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  randomFillSync(frame, head, 4);
  for (let i = 0; i < n; i++) frame[head + 4 + i] = payload[i] ^ frame[head + (i & 3)];
  return frame;
}

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
   * Every wire socket of this process reads into this one buffer (net's `onread`): the callback runs
   * synchronously for each read, before the next read of any socket can overwrite it, so what is parsed in
   * place needs no copy; the bytes of an incomplete frame are copied out (`carry`). 64 KiB is more than a
   * socket ever has waiting here (one ~300-byte event per read, a few at most behind a slow tick).
   */
  const readBuffer = Buffer.allocUnsafeSlow(64 * 1024);

  /**
   * The wire client: WebSocket upgrade → Engine.IO open → namespace connect → lot.watch with its ack, within
   * 60 s each (the socket.io path's timeouts), then events. Failure reasons are worded as socket.io-client
   * words them, and disconnects counted as it (on ws) counts them: the connection closed, by a close frame or
   * the TCP connection ending or failing (a reset too: ws reports no error for it), is 'transport close'; a
   * frame breaking RFC 6455 is 'transport error'; the server leaving the namespace, 'io server disconnect'.
   */
  const connectWire = (url, lotId) =>
    new Promise((resolve) => {
      const { hostname, port, pathname } = new URL(url);
      const host = hostname.replace(/^\[(.*)\]$/, '$1'); // an IPv6 literal without its brackets, for net
      const key = randomBytes(16).toString('base64');
      const socket = net.connect({ host, port: Number(port || 80), noDelay: true, onread: { buffer: readBuffer, callback: onRead } });
      const state = newState(lotId);
      let upgraded = false; // the server's 101 was checked: what follows is frames
      let carry = null; // bytes of an incomplete frame (or of the 101's head), copied out of readBuffer
      let fragments = null; // a fragmented message so far: [] of text payloads, or 'binary' (ignored)
      let closeSent = false; // our close frame is out: nothing more is written
      let stopped = false; // a close frame came, or the connection is being failed: further bytes are ignored
      let closing = false; // closed by us: not a disconnect
      let joined = false; // the namespace connect was answered
      let transportError = false;
      const settle = settler(state, resolve);
      const timer = setTimeout(() => done(false, joined ? 'lot.watch: operation has timed out' : 'connect_error: timeout'), 60_000);
      const done = (ok, why) => {
        clearTimeout(timer);
        settle(ok, why);
      };

      // The upgrade request (RFC 6455 §4.1): no Origin (not a browser), no subprotocol, no extension.
      socket.write(
        `GET ${pathname.replace(/\/$/, '')}/socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${hostname}${port ? `:${port}` : ''}\r\n` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );

      const send = (text) => {
        if (!closeSent && socket.writable) socket.write(wsFrame(OP_TEXT, Buffer.from(text)));
      };
      /** Closes the connection (§7.1.2): our close frame (`code`, or none), then the server answers with its own and ends TCP. */
      const closeTransport = (code) => {
        if (!upgraded) return void socket.destroy();
        if (closeSent) return;
        closeSent = true;
        socket.end(wsFrame(OP_CLOSE, code ?? EMPTY));
        // As ws: a server that never ends the TCP connection after our close frame has it destroyed.
        setTimeout(() => socket.destroy(), 30_000).unref();
      };
      /** Fails the connection (§7.1.7) on a frame that breaks the protocol: close 1002 (or 1009), nothing more read. */
      const fail = (status = 1002) => {
        stopped = true;
        transportError = true;
        const code = Buffer.allocUnsafe(2);
        code.writeUInt16BE(status);
        closeTransport(code);
      };
      state.close = () => {
        if (closing) return;
        closing = true;
        if (upgraded && joined) send(WIRE.disconnect);
        closeTransport();
      };

      /** One text message, `buf[start…end)`: the per-event cases by their bytes first, the rare packets as text. */
      const onMessage = (buf, start, end) => {
        if (hasPrefix(buf, start, end, WIRE_BYTES.bid)) recordBid(state, JSON.parse(buf.utf8Slice(start + WIRE_BYTES.event.length, end))[1]);
        else if (end - start === 1 && buf[start] === WIRE_BYTES.ping) send(WIRE.pong);
        else if (hasPrefix(buf, start, end, WIRE_BYTES.closed)) recordClosed(state, JSON.parse(buf.utf8Slice(start + WIRE_BYTES.event.length, end))[1]);
        else if (hasPrefix(buf, start, end, WIRE_BYTES.event)) return; // another event (lot.status…): not recorded
        else onPacket(buf.utf8Slice(start, end));
      };
      const onPacket = (text) => {
        if (text.startsWith(WIRE.watchAck)) {
          const [ack] = JSON.parse(text.slice(WIRE.watchAck.length - 1));
          if (ack?.ok === false) done(false, `lot.watch: ${ack.error?.code}`);
          else done(true);
        } else if (text.startsWith(WIRE.connect)) {
          joined = true;
          timer.refresh();
          send(`${WIRE.event}${WATCH_ACK_ID}${JSON.stringify(['lot.watch', { lotId }])}`);
        } else if (text.startsWith(WIRE.connectError)) {
          done(false, `connect_error: ${JSON.parse(text.slice(WIRE.connectError.length)).message}`);
        } else if (text.startsWith(WIRE.disconnect)) {
          // The server left the namespace ('io server disconnect'): record it and drop the connection.
          if (!closing) recordDisconnect(state, 'io server disconnect');
          closing = true;
          closeTransport();
          done(false, 'lot.watch: socket has been disconnected');
        } else if (text[0] === WIRE.open) send(WIRE.connect);
      };

      /** One whole frame (§5.2), its payload `buf[start…end)`. */
      const onFrame = (fin, opcode, buf, start, end) => {
        if (opcode >= OP_CLOSE && (!fin || end - start > 125)) return fail(); // control frames: unfragmented, ≤ 125 bytes (§5.5)
        switch (opcode) {
          case OP_TEXT:
          case OP_BINARY:
            if (fragments !== null) return fail(); // a new message inside a fragmented one (§5.4)
            if (opcode === OP_BINARY) fragments = fin ? null : 'binary';
            else if (fin) onMessage(buf, start, end);
            else fragments = [Buffer.from(buf.subarray(start, end))];
            return;
          case OP_CONTINUATION:
            if (fragments === null) return fail();
            if (fragments !== 'binary') fragments.push(Buffer.from(buf.subarray(start, end)));
            if (fin) {
              const whole = fragments === 'binary' ? null : Buffer.concat(fragments);
              fragments = null;
              if (whole) onMessage(whole, 0, whole.length);
            }
            return;
          case OP_PING: // answered with a pong of the same payload (§5.5.2)
            if (!closeSent && socket.writable) socket.write(wsFrame(OP_PONG, buf.subarray(start, end)));
            return;
          case OP_PONG:
            return;
          case OP_CLOSE: // the server closes: our close frame echoes its status code (§5.5.1), then it ends TCP
            stopped = true; // no frame may follow a close frame
            closeTransport(end - start >= 2 ? Buffer.from(buf.subarray(start, start + 2)) : undefined);
            return;
          default:
            return fail(); // a reserved opcode
        }
      };

      /** Whether the response `head` (up to the blank line) accepts our upgrade: `101 Switching Protocols` (§4.1, §4.2.2). */
      const acceptsUpgrade = (head) => {
        const [status, ...lines] = head.split('\r\n');
        const fields = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          if (colon > 0) fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        return (
          /^HTTP\/1\.1 101 /.test(`${status} `) &&
          fields.upgrade?.toLowerCase() === 'websocket' &&
          /(^|,)\s*upgrade\s*(,|$)/i.test(fields.connection ?? '') &&
          fields['sec-websocket-accept'] === createHash('sha1').update(key + WS_GUID).digest('base64') &&
          // Nothing was asked for, so nothing may be granted: an extension would change the frames' meaning.
          fields['sec-websocket-extensions'] === undefined &&
          fields['sec-websocket-protocol'] === undefined
        );
      };

      /** net's `onread` callback: `nread` new bytes at the start of readBuffer. */
      function onRead(nread, fresh) {
        if (stopped) return;
        let buf = fresh;
        let end = nread;
        if (carry !== null) {
          buf = Buffer.concat([carry, fresh.subarray(0, nread)]);
          end = buf.length;
          carry = null;
        }
        let i = 0;
        if (!upgraded) {
          const blank = buf.subarray(0, end).indexOf('\r\n\r\n');
          if (blank < 0) {
            if (end > 16 * 1024) return void socket.destroy(); // no HTTP response head is that long here
            carry = Buffer.from(buf.subarray(0, end));
            return;
          }
          if (!acceptsUpgrade(buf.latin1Slice(0, blank))) return void socket.destroy();
          upgraded = true;
          i = blank + 4; // bytes after the head in the same read are already frames
        }
        // Frames (§5.2): FIN, RSV1–3, opcode | MASK, 7-bit length (126: 16-bit follows; 127: 64-bit), payload.
        while (end - i >= 2) {
          const b0 = buf[i];
          const b1 = buf[i + 1];
          if (b0 & 0x70 || b1 & 0x80) return fail(); // RSV bits without an extension; a masked server frame (§5.1)
          let at = i + 2;
          let len = b1 & 0x7f;
          if (len === 126) {
            if (end - at < 2) break;
            len = (buf[at] << 8) | buf[at + 1];
            at += 2;
          } else if (len === 127) {
            if (end - at < 8) break;
            const high = buf.readUInt32BE(at);
            len = high * 2 ** 32 + buf.readUInt32BE(at + 4);
            at += 8;
            if (len > MAX_MESSAGE) return fail(1009); // as ws's maxPayload; also keeps the length a safe integer
          }
          if (end - at < len) break;
          onFrame(b0 & 0x80, b0 & 0x0f, buf, at, at + len);
          if (stopped) return;
          i = at + len;
        }
        // An incomplete frame waits for the next read, copied (readBuffer is overwritten by the next read; the
        // frames here are small, so joining it to each following read until it is whole costs nothing).
        if (i < end) carry = buf === fresh ? Buffer.from(buf.subarray(i, end)) : buf.subarray(i, end);
      }

      socket.on('error', () => undefined); // 'close' follows; ws reports no error for a failing TCP connection either
      socket.on('close', () => {
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
    const refused = unsupported(client, reconnection, url);
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
