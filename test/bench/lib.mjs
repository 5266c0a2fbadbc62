/**
 * Small helpers of the benchmark: CPU and memory of processes from /proc, number formatting. (Processes,
 * HTTP calls, actors, watchers and statistics shared with the fault tests are in test/support/*.mjs.)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

export function fmt(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
