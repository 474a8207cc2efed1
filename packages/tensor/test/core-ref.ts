// Float64 reference arrays for the core tests: an n-d array as plain JS numbers (row-major) with
// the index arithmetic of views, broadcasting and elementwise ops written out independently of the
// library. Values of tensors under test are only read back through arraySync/dataSync.

/** A dense n-d array of JS numbers in row-major order. */
export interface Ref {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

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

/** Flat position of a multi-index in `shape`. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let p = 0;
  for (let d = 0; d < shape.length; d++) p = p * shape[d]! + idx[d]!;
  return p;
}

/** Builds a Ref from a function of the multi-index. */
export function build(shape: readonly number[], f: (idx: number[]) => number): Ref {
  const n = numel(shape);
  const data = new Array<number>(n);
  for (let i = 0; i < n; i++) data[i] = f(unravel(i, shape));
  return { shape: [...shape], data };
}

/** The element at a multi-index. */
export function at(r: Ref, idx: readonly number[]): number {
  return r.data[ravel(idx, r.shape)]!;
}

/** Nested JS arrays of a Ref (a number for 0-d), to compare with `arraySync()`. */
export function nested(r: Ref): unknown {
  if (r.shape.length === 0) return r.data[0];
  let pos = 0;
  const rec = (d: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; i < r.shape[d]!; i++) out.push(d === r.shape.length - 1 ? r.data[pos++] : rec(d + 1));
    return out;
  };
  return rec(0);
}

/** NumPy broadcasting of two shapes, or null when incompatible. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** The element of `r` read at an index of a broadcast shape. */
function atBroadcast(r: Ref, idx: readonly number[]): number {
  const off = idx.length - r.shape.length;
  return at(
    r,
    r.shape.map((s, d) => (s === 1 ? 0 : idx[d + off]!)),
  );
}

/** Elementwise binary op on broadcast operands. */
export function zip(a: Ref, b: Ref, f: (x: number, y: number) => number): Ref {
  const shape = broadcastShape(a.shape, b.shape);
  if (shape === null) throw new Error('reference: shapes do not broadcast');
  return build(shape, (idx) => f(atBroadcast(a, idx), atBroadcast(b, idx)));
}

/** Elementwise unary op. */
export function map(a: Ref, f: (x: number) => number): Ref {
  return { shape: a.shape, data: a.data.map(f) };
}

/** Dims reordered: result dim i is dim perm[i]. */
export function permute(a: Ref, perm: readonly number[]): Ref {
  return build(
    perm.map((p) => a.shape[p]!),
    (idx) => {
      const src = new Array<number>(perm.length);
      perm.forEach((p, i) => {
        src[p] = idx[i]!;
      });
      return at(a, src);
    },
  );
}

/** The indices Python's `range(size)[start:end:step]` selects. */
export function pySliceIndices(
  size: number,
  start: number | undefined,
  end: number | undefined,
  step: number,
): number[] {
  const out: number[] = [];
  if (step > 0) {
    let s = start === undefined ? 0 : start < 0 ? Math.max(start + size, 0) : Math.min(start, size);
    const e = end === undefined ? size : end < 0 ? Math.max(end + size, 0) : Math.min(end, size);
    for (; s < e; s += step) out.push(s);
  } else {
    let s =
      start === undefined ? size - 1 : start < 0 ? Math.max(start + size, -1) : Math.min(start, size - 1);
    const e = end === undefined ? -1 : end < 0 ? Math.max(end + size, -1) : Math.min(end, size - 1);
    for (; s > e; s += step) out.push(s);
  }
  return out;
}

/** Python-style slice along one dim. */
export function slice(
  a: Ref,
  dim: number,
  start: number | undefined,
  end: number | undefined,
  step: number,
): Ref {
  const picks = pySliceIndices(a.shape[dim]!, start, end, step);
  const shape = [...a.shape];
  shape[dim] = picks.length;
  return build(shape, (idx) => {
    const src = [...idx];
    src[dim] = picks[idx[dim]!]!;
    return at(a, src);
  });
}

/** Deterministic pseudo-random values (a tiny LCG), so reference data needs no library RNG. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A Ref of `shape` with values uniform in [lo, hi) (rounded to float32 so they are exact in it). */
export function randomRef(shape: readonly number[], seed: number, lo = -2, hi = 2): Ref {
  const r = lcg(seed);
  return build(shape, () => Math.fround(lo + (hi - lo) * r()));
}

/** Expects two flat number arrays to agree within a relative/absolute tolerance (NaN == NaN). */
export function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) return `element ${i}: ${a} != ${e}`;
  }
  return null;
}
