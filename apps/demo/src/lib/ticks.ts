import { fmtNum } from './dom.js';

/**
 * Tick labels of the y axis: short labels (see `tick`), or, where two of them would read the same
 * (close ticks on a nearly flat curve), as many decimals as tell them apart.
 */
export function ticks(vals: (number | null)[], log: boolean): string[] {
  const short = vals.map((v) => (v == null ? '' : tick(v)));
  const distinct = (labels: string[]) => new Set(labels.filter((l) => l !== '')).size;
  const want = new Set(vals.filter((v) => v != null)).size;
  if (log || distinct(short) === want) return short;
  for (let d = 1; d <= 10; d++) {
    const fixed = vals.map((v) => (v == null ? '' : v.toFixed(d)));
    if (distinct(fixed) === want) return fixed;
  }
  return short;
}

/** Axis tick label: short exponents for very small or large values. */
export function tick(v: number): string {
  const a = Math.abs(v);
  if (v !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(0).replace('e+', 'e');
  return fmtNum(v, 3);
}

/**
 * Tick positions of a log-scale axis from `min` to `max` (both positive): powers of ten, every
 * n-th decade so that there are at most `maxTicks` (a gradient norm can span ten decades).
 */
export function logSplits(min: number, max: number, maxTicks = 5): number[] {
  if (!(min > 0 && max >= min && maxTicks >= 2)) return [];
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  // Less than two decades in view: 1, 2 and 5 times the powers of ten, so there are labels.
  if (hi - lo < 1) return fineLogSplits(min, max);
  const stride = Math.max(1, Math.ceil((hi - lo) / (maxTicks - 1)));
  const out: number[] = [];
  // Multiples of the stride, so the labelled decades stay put while the range grows.
  for (let k = Math.ceil(lo / stride) * stride; k <= hi; k += stride) out.push(10 ** k);
  return out;
}

/** 1, 2 and 5 times the powers of ten from `min` to `max`. */
function fineLogSplits(min: number, max: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) {
    for (const m of [1, 2, 5]) {
      // Rounded, so that 2 * 10^-3 reads 0.002 and not 0.0020000000000000005.
      const v = Number((m * 10 ** k).toPrecision(6));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** Width in pixels of the widest label, measured with `measure` (a canvas's measureText). */
export function labelWidth(
  labels: readonly (string | null)[] | null,
  measure: (s: string) => number,
): number {
  let w = 0;
  for (const l of labels ?? []) if (l) w = Math.max(w, measure(l));
  return w;
}
