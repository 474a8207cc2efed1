// Independent float64 reference helpers for the shaping and indexing tests: plain JS arrays in
// row-major order, no tensor ops involved. Also builds the same values in non-contiguous layouts.
import { type DType, type OpCall, setOpObserver, type Tensor, tensor } from '@tessera/tensor';

/** A row-major reference array. */
export interface Ref {
  shape: number[];
  data: number[];
}

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Number of elements of `shape`. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The multi-index of flat position `i`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

/** The flat position of a multi-index. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let p = 0;
  for (let d = 0; d < shape.length; d++) p = p * shape[d]! + idx[d]!;
  return p;
}

/** A reference array with element f(index). */
export function make(shape: readonly number[], f: (idx: number[]) => number): Ref {
  const n = numel(shape);
  const data = new Array<number>(n);
  for (let i = 0; i < n; i++) data[i] = f(unravel(i, shape));
  return { shape: [...shape], data };
}

/** Deterministic pseudo-random integers in [lo, hi) (a small LCG; independent of the library). */
export function lcg(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0 || 1;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo));
  };
}

/** A reference array of distinct-ish values 1, 2, 3, ... (element i is i + 1). */
export function iota(shape: readonly number[]): Ref {
  return make(shape, (idx) => ravel(idx, shape) + 1);
}

/** A tensor's values as a Ref (row-major, as numbers). */
export function toRef(t: Tensor): Ref {
  return { shape: [...t.shape], data: Array.from(t.dataSync()) };
}

/** A contiguous tensor of `r`. */
export function fromRef(r: Ref, dtype: DType = 'float32'): Tensor {
  return tensor(r.data, { shape: r.shape, dtype });
}

/**
 * The same values as `r` in several memory layouts: contiguous, permuted storage (transposed view),
 * stepped slices (stride 2 in every dim) and negative steps (reversed storage read backwards).
 */
export function layouts(r: Ref, dtype: DType = 'float32'): [string, Tensor][] {
  const out: [string, Tensor][] = [['contiguous', fromRef(r, dtype)]];
  const nd = r.shape.length;
  if (nd === 0) return out;
  // permuted: store with dims reversed, then permute back
  const rev = [...r.shape].reverse();
  const stored = make(rev, (idx) => r.data[ravel([...idx].reverse(), r.shape)]!);
  const perm = Array.from({ length: nd }, (_, i) => nd - 1 - i);
  out.push(['permuted', fromRef(stored, dtype).permute(perm)]);
  // stepped: every dim twice as large, values at even positions, sliced with step 2
  const big = r.shape.map((s) => 2 * s);
  const sparse = make(big, (idx) =>
    idx.every((i) => i % 2 === 0)
      ? r.data[
          ravel(
            idx.map((i) => i / 2),
            r.shape,
          )
        ]!
      : -999,
  );
  let st = fromRef(sparse, dtype);
  for (let d = 0; d < nd; d++) st = st.slice(d, 0, undefined, 2);
  out.push(['stepped', st]);
  // negative steps: every dim stored reversed, then read with step -1
  const flipped = make(
    r.shape,
    (idx) =>
      r.data[
        ravel(
          idx.map((i, d) => r.shape[d]! - 1 - i),
          r.shape,
        )
      ]!,
  );
  let ng = fromRef(flipped, dtype);
  for (let d = 0; d < nd; d++) ng = ng.slice(d, undefined, undefined, -1);
  out.push(['negative-step', ng]);
  return out;
}

/** Runs `fn` with an observer attached and returns the op calls it saw (names + attrs). */
export function recordOps(fn: () => unknown): OpCall[] {
  const calls: OpCall[] = [];
  const prev = setOpObserver({
    run(call, compute) {
      calls.push(call);
      return compute();
    },
  });
  try {
    fn();
  } finally {
    setOpObserver(prev);
  }
  return calls;
}
