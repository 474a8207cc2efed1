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
