/**
 * Keeps the server's state across restarts, as Stripe does: without it, a platform restarted in offline
 * mode holds PaymentIntent ids the new server has never heard of, and every release, capture or refund of
 * a deposit taken before the restart fails with "No such payment_intent" for ever (found by hand: deposits
 * stuck in `releasing` after a restart across a lot's end).
 *
 * An append-only file of JSON lines, one per changed object, written synchronously after every request
 * that can change state and before it is answered: whatever a client was told exists is on disk. At start
 * the file is replayed (last line of an object wins; a torn last line from a crash is ignored) and rewritten
 * compactly. What changed is found by comparing each object's JSON with the last one written: O(objects)
 * per write request, fine for a test and demo server.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { JsonObject } from './errors.js';
import type { Engine } from './engine.js';
import type { IdempotencyStore, IdempotencyEntry } from './idempotency.js';

type Kind = 'paymentIntents' | 'charges' | 'refunds' | 'paymentMethods' | 'customers';
const KINDS: Kind[] = ['paymentIntents', 'charges', 'refunds', 'paymentMethods', 'customers'];

type Line =
  | { t: Kind; r: { id: string } & Record<string, unknown> }
  | { t: 'event'; r: JsonObject }
  | { t: 'idem'; k: string; e: IdempotencyEntry }
  | { t: 'seq'; v: number }
  | { t: 'reset' };

export class StateJournal {
  private fd: number | null = null;
  private readonly written = new Map<string, string>();
  private eventsWritten = 0;
  private seqWritten = 0;
  private idemWritten = new Map<string, string>();

  constructor(
    private readonly file: string,
    private readonly engine: Engine,
    private readonly idempotency: IdempotencyStore,
  ) {}

  /** Replays the file into the (empty) engine and idempotency store, then rewrites it compactly. */
  open(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    if (existsSync(this.file)) this.replay(readFileSync(this.file, 'utf8'));
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    this.fd = fd;
    this.written.clear();
    this.idemWritten.clear();
    this.eventsWritten = 0;
    this.seqWritten = 0;
    this.flush();
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
    this.fd = openSync(this.file, 'a');
  }

  /** Appends what changed since the last call. */
  flush(): void {
    if (this.fd === null) return;
    const lines: string[] = [];
    for (const kind of KINDS) {
      for (const [id, record] of this.engine[kind] as Map<string, object>) {
        const json = JSON.stringify(record);
        const key = `${kind}:${id}`;
        if (this.written.get(key) !== json) {
          this.written.set(key, json);
          lines.push(`{"t":"${kind}","r":${json}}`);
        }
      }
    }
    const events = this.engine.events;
    // Events only grow (the oldest are dropped past the limit): write those added since last time.
    const total = this.engine.eventsAppended;
    for (let i = Math.max(0, events.length - (total - this.eventsWritten)); i < events.length; i++) lines.push(JSON.stringify({ t: 'event', r: events[i] }));
    this.eventsWritten = total;
    for (const [key, entry] of this.idempotency.persisted()) {
      const json = JSON.stringify(entry);
      if (this.idemWritten.get(key) !== json) {
        this.idemWritten.set(key, json);
        lines.push(JSON.stringify({ t: 'idem', k: key, e: entry }));
      }
    }
    const seq = this.engine.sequence;
    if (seq !== this.seqWritten) {
      this.seqWritten = seq;
      lines.push(JSON.stringify({ t: 'seq', v: seq }));
    }
    if (lines.length) writeSync(this.fd, `${lines.join('\n')}\n`);
  }

  /** Everything was cleared (`/_control/reset`). */
  reset(): void {
    if (this.fd === null) return;
    this.written.clear();
    this.idemWritten.clear();
    this.eventsWritten = this.engine.eventsAppended;
    this.seqWritten = 0;
    writeSync(this.fd, '{"t":"reset"}\n');
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private replay(text: string): void {
    const lines = text.split('\n').filter((l) => l.length > 0);
    lines.forEach((raw, i) => {
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch (error) {
        if (i === lines.length - 1) return; // torn by a crash mid-write: that request was never answered
        throw new Error(`stripe-local: ${this.file} line ${i + 1} is not JSON: ${(error as Error).message}`, { cause: error });
      }
      switch (line.t) {
        case 'event':
          this.engine.restoreEvent(line.r);
          break;
        case 'idem':
          this.idempotency.restore(line.k, line.e);
          break;
        case 'seq':
          this.engine.restoreSequence(line.v);
          break;
        case 'reset':
          this.engine.reset();
          this.idempotency.clear();
          break;
        default:
          (this.engine[line.t] as Map<string, object>).set(line.r.id, line.r);
      }
    });
  }
}
