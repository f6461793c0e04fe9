// Reading the services' Prometheus metrics in a bench: a scrape before and after a phase, and
// the phase's histogram from the difference (the benches read these, not log lines).

/** Samples of one scrape: `name{labels}` → value. */
export async function scrape(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  const samples = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** A counter's increase between two scrapes (`series` as printed, e.g. `x_total{outcome="joined"}`). */
export function increase(before, after, series) {
  return (after.get(series) ?? 0) - (before.get(series) ?? 0);
}

/** A histogram's observations between two scrapes: cumulative buckets, sum, count; `labels` picks one series. */
export function histogramBetween(before, after, name, labels = {}) {
  const want = Object.entries(labels);
  const labelsOf = (series, suffix) => {
    const m = new RegExp(`^${name}_${suffix}(?:\\{(.*)\\})?$`).exec(series);
    if (!m) return undefined;
    const have = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    return want.every(([k, v]) => have[k] === v) ? have : undefined;
  };
  const h = { buckets: [], sum: 0, count: 0 };
  const byLe = new Map();
  for (const [series, v] of after) {
    const d = v - (before.get(series) ?? 0);
    const b = labelsOf(series, 'bucket');
    if (b) byLe.set(b.le, (byLe.get(b.le) ?? 0) + d);
    else if (labelsOf(series, 'sum')) h.sum += d;
    else if (labelsOf(series, 'count')) h.count += d;
  }
  h.buckets = [...byLe].map(([le, count]) => ({ le: le === '+Inf' ? Infinity : Number(le), count })).sort((a, b) => a.le - b.le);
  return h;
}

/** Several phases' histograms as one (same buckets). */
export function sumHistograms(hs) {
  const out = { buckets: [], sum: 0, count: 0 };
  for (const h of hs) {
    out.sum += h.sum;
    out.count += h.count;
    h.buckets.forEach((b, i) => (out.buckets[i] = { le: b.le, count: (out.buckets[i]?.count ?? 0) + b.count }));
  }
  return out;
}

/** The q-quantile (0-1), interpolated inside its bucket as Prometheus's histogram_quantile does. */
export function quantile(h, q) {
  if (h.count === 0) return NaN;
  const rank = q * h.count;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / Math.max(1, b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/** Share of observations at or under `le` (exact when `le` is a bucket bound). */
export function shareAtMost(h, le) {
  const b = h.buckets.find((x) => x.le >= le);
  return h.count === 0 || !b ? NaN : b.count / h.count;
}

export const mean = (h) => (h.count === 0 ? NaN : h.sum / h.count);
