/** Percentiles and a mergeable millisecond histogram (the watcher processes send theirs to the parent). */

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
