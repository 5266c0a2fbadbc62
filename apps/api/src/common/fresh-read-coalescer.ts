/**
 * Shares one read among concurrent callers for the same key, without ever handing a caller a result read
 * before it asked. A caller that arrives while a read is running waits for the *next* read, which starts
 * when the running one settles and serves everyone who queued meanwhile; so at most two reads per key are
 * outstanding however many callers come.
 *
 * Why not share the running read: `lot.watch` joins the lot's room and then reads the snapshot; a read that
 * began before the join could miss a bid whose event was sent before the join, leaving the watcher a gap.
 * Why at all: thousands of phones open a popular lot in its last minutes, and one database read each
 * exhausted the pool (503s) where two reads serve them all.
 */
interface Waiting<V> {
  promise: Promise<V>;
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
}

interface KeyState<V> {
  running: Promise<V>;
  next: Waiting<V> | null;
}

export class FreshReadCoalescer<K, V> {
  private readonly keys = new Map<K, KeyState<V>>();

  constructor(private readonly read: (key: K) => Promise<V>) {}

  get(key: K): Promise<V> {
    const st = this.keys.get(key);
    if (!st) return this.start(key);
    if (!st.next) {
      let resolve!: (value: V) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<V>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      st.next = { promise, resolve, reject };
    }
    return st.next.promise;
  }

  /** Keys with a read outstanding (for tests). */
  get size(): number {
    return this.keys.size;
  }

  private start(key: K): Promise<V> {
    const running = Promise.resolve().then(() => this.read(key));
    const st: KeyState<V> = { running, next: null };
    this.keys.set(key, st);
    const settle = () => {
      const waiting = st.next;
      this.keys.delete(key);
      if (waiting) this.start(key).then(waiting.resolve, waiting.reject);
    };
    running.then(settle, settle);
    return running;
  }
}
