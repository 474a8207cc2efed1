// Float64 reference reductions for the reduction tests, written with plain JS loops and no
// tensor ops (the input values are read with dataSync, which only uses the copy kernel).

/** Row-major multi-index of flat position `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d]!;
    idx[d] = i % s;
    i = Math.floor(i / s);
  }
  return idx;
}

/** The values reduced into each output element, in input order, and the output shape. */
export function buckets(
  data: ArrayLike<number>,
  shape: readonly number[],
  dims: readonly number[],
  keepdim = false,
): { shape: number[]; groups: number[][] } {
  const kept = shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const outShape = keepdim ? shape.map((s, d) => (dims.includes(d) ? 1 : s)) : kept.map((d) => shape[d]!);
  let nOut = 1;
  for (const d of kept) nOut *= shape[d]!;
  const groups: number[][] = Array.from({ length: nOut }, () => []);
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    let o = 0;
    for (const d of kept) o = o * shape[d]! + idx[d]!;
    groups[o]!.push(data[i]!);
  }
  return { shape: outShape, groups };
}

/** Reference reduction: `f` applied to each group of reduced values. */
export function refReduce(
  data: ArrayLike<number>,
  shape: readonly number[],
  dims: readonly number[],
  f: (vals: number[]) => number,
  keepdim = false,
): { shape: number[]; data: number[] } {
  const b = buckets(data, shape, dims, keepdim);
  return { shape: b.shape, data: b.groups.map(f) };
}

export const refSum = (v: number[]): number => v.reduce((a, b) => a + b, 0);
export const refProd = (v: number[]): number => v.reduce((a, b) => a * b, 1);
export const refMax = (v: number[]): number => (v.some(Number.isNaN) ? Number.NaN : Math.max(...v));
export const refMin = (v: number[]): number => (v.some(Number.isNaN) ? Number.NaN : Math.min(...v));
export const refMean = (v: number[]): number => refSum(v) / v.length;
export function refVar(v: number[], correction = 1): number {
  const m = refMean(v);
  let s = 0;
  for (const x of v) s += (x - m) * (x - m);
  return s / Math.max(0, v.length - correction);
}
export function refArgmax(v: number[]): number {
  let bi = 0;
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i]!)) return i;
    if (v[i]! > v[bi]!) bi = i;
  }
  return bi;
}
export function refArgmin(v: number[]): number {
  let bi = 0;
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i]!)) return i;
    if (v[i]! < v[bi]!) bi = i;
  }
  return bi;
}

/** Expects every element of `actual` within `rtol * |e| + atol` of `expected` (NaN matches NaN). */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-5,
  atol = 1e-6,
): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= rtol * Math.abs(e) + atol)) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}
