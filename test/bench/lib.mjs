/**
 * Small helpers of the benchmark: CPU and memory of processes from /proc, percentiles, a millisecond
 * histogram, HTTP calls over an undici pool, and concurrency-limited loops. No dependencies beyond undici.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process in clock ticks and its start time (to tell a reused pid apart), or null. */
export function procTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime = field 14, stime = 15, cutime = 16, cstime = 17, starttime = 22.
    return { ticks: Number(fields[11]) + Number(fields[12]), childTicks: Number(fields[13]) + Number(fields[14]), start: fields[19] };
  } catch {
    return null;
  }
}

export const ticksToSeconds = (ticks) => ticks / CLK_TCK;

/** VmRSS of a process in MB, or null. */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * CPU of a changing set of processes (PostgreSQL backends come and go): samples every `everyMs`, keeps the
 * last reading of every process it has seen (also after it exits), and answers the CPU used between two marks.
 */
export class CpuTracker {
  constructor(listPids, everyMs = 250, refreshEveryMs = 1000) {
    this.listPids = listPids; // async () => number[]
    this.latest = new Map(); // `${pid}:${start}` -> ticks
    this.pids = [];
    this.everyMs = everyMs;
    this.refreshEveryMs = refreshEveryMs;
    this.lastRefresh = 0;
    this.timer = null;
    this.busy = false;
  }
  async refresh() {
    try {
      this.pids = await this.listPids();
    } catch {
      /* keep the previous list */
    }
    this.lastRefresh = Date.now();
  }
  sample() {
    for (const pid of this.pids) {
      const t = procTicks(pid);
      if (t) this.latest.set(`${pid}:${t.start}`, t.ticks);
    }
  }
  async tick() {
    if (this.busy) return;
    this.busy = true;
    try {
      if (Date.now() - this.lastRefresh >= this.refreshEveryMs) await this.refresh();
      this.sample();
    } finally {
      this.busy = false;
    }
  }
  async start() {
    await this.refresh();
    this.sample();
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
  }
  stop() {
    clearInterval(this.timer);
  }
  /** A snapshot to measure from. */
  async mark() {
    await this.refresh();
    this.sample();
    return new Map(this.latest);
  }
  /** CPU seconds used since `from` (a mark). */
  async since(from) {
    await this.refresh();
    this.sample();
    let ticks = 0;
    for (const [key, value] of this.latest) ticks += value - (from.get(key) ?? 0);
    return ticksToSeconds(ticks);
  }
}

/** CPU seconds the whole machine spent busy (all cores, from /proc/stat): user + nice + system + irq + softirq + steal. */
export function machineBusySeconds() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return ticksToSeconds(f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0));
  } catch {
    return NaN;
  }
}

/** CPU seconds of a fixed list of processes (the API, the load generator and its children). */
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) ticks += procTicks(pid)?.ticks ?? 0;
  return ticksToSeconds(ticks);
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** A histogram of whole milliseconds (0 … max−1, the rest in the last bucket), mergeable across processes. */
export class MsHistogram {
  constructor(max = 120_000) {
    this.counts = new Uint32Array(max + 1);
    this.n = 0;
    this.maxSeen = 0;
  }
  add(ms) {
    const v = ms < 0 ? 0 : Math.round(ms);
    this.counts[Math.min(v, this.counts.length - 1)]++;
    this.n++;
    if (v > this.maxSeen) this.maxSeen = v;
  }
  toSparse() {
    const out = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]) out.push([i, this.counts[i]]);
    return { n: this.n, max: this.maxSeen, buckets: out };
  }
  merge(sparse) {
    for (const [ms, c] of sparse.buckets) this.counts[ms] += c;
    this.n += sparse.n;
    if (sparse.max > this.maxSeen) this.maxSeen = sparse.max;
  }
  percentile(p) {
    if (this.n === 0) return NaN;
    const rank = Math.ceil((p / 100) * this.n);
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i];
      if (acc >= rank) return i;
    }
    return this.maxSeen;
  }
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** JSON over an undici Pool; never throws for an HTTP status, only for a network error. */
export async function call(pool, method, path, body, token, headers = {}) {
  const res = await pool.request({
    method,
    path,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = { raw: text.slice(0, 200) };
    }
  }
  return { status: res.statusCode, body: json };
}

/** Runs `fn` over `items` with at most `limit` at a time; `onDone(count)` after each. */
export async function mapLimit(items, limit, fn, onDone = () => undefined) {
  const results = new Array(items.length);
  let next = 0;
  let done = 0;
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await fn(items[i], i);
      done++;
      onDone(done);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function fmt(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
