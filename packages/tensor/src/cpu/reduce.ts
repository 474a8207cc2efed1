import type { ReduceOp, View } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { contiguousStrides, sizeOf } from '../shape.js';
import { elementwiseKernels } from '../wasm/index.js';
import { arr } from './buffer.js';
import { collapse, forEachRow } from './iterate.js';
import { forEachLine } from './lines.js';

export { scan } from './scan.js';
export { sort } from './sort.js';

// Reduction kernels. The input is walked in place (any strides) in memory order: its dims are
// ordered by decreasing |stride| and collapsed, with the output's strides set to 0 on reduced
// dims. Each innermost row is then either reduced into one accumulator (output stride 0) or
// combined elementwise into a run of accumulators. Accumulators are JS doubles (a Float64Array),
// so float32 sums do not lose precision as they grow.

type AccOp = Exclude<ReduceOp, 'argmax' | 'argmin'>;

const IDENTITY: Record<AccOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, any: 0, all: 1 };

/**
 * Reduces `x` over the sorted, distinct `axes` into the contiguous `out` (shape of `x` without
 * `axes`). Empty reductions give the identity (sum 0, prod 1, any false, all true); the caller
 * rejects empty max/min/argmax/argmin. max/min propagate NaN. argmax/argmin take one axis and
 * return the first index of the extreme value (NaN counts as the extreme, as in PyTorch).
 */
export function reduce(op: ReduceOp, out: View, x: View, axes: readonly number[]): void {
  if (op === 'argmax' || op === 'argmin') {
    argReduce(op === 'argmax', out, x, axes[0]!);
    return;
  }
  const nOut = sizeOf(out.shape);
  if (nOut === 0) return;
  const nd = x.shape.length;
  const outC = contiguousStrides(out.shape);
  const os = new Array<number>(nd);
  for (let d = 0, k = 0; d < nd; d++) os[d] = axes.includes(d) ? 0 : outC[k++]!;
  // Walk x in memory order: dims by decreasing |stride| (stable, so contiguous inputs keep theirs).
  const order = Array.from({ length: nd }, (_, d) => d).sort(
    (a, b) => Math.abs(x.strides[b]!) - Math.abs(x.strides[a]!) || a - b,
  );
  const c = collapse(
    order.map((d) => x.shape[d]!),
    [order.map((d) => os[d]!), order.map((d) => x.strides[d]!)],
  );
  const last = c.shape.length - 1;
  const so = c.strides[0]![last]!;
  const sx = c.strides[1]![last]!;
  const wasmSum = op === 'sum' && x.dtype === 'float32' && sx === 1 && (so === 0 || so === 1);
  if (wasmSum && elementwiseKernels(sizeOf(x.shape))?.sum(out, x, c, nOut)) return;
  const acc = new Float64Array(nOut).fill(IDENTITY[op]);
  const xa = arr(x);
  // Integer products wrap like int32 arithmetic (Math.imul) instead of losing low bits in doubles.
  const intProd = op === 'prod' && x.dtype !== 'float32' && x.dtype !== 'float64';
  const rop: AccOp | 'iprod' = intProd ? 'iprod' : op;
  forEachRow(c.shape, c.strides, [0, x.offset], (off, n) => {
    if (so === 0) acc[off[0]!] = reduceRow(rop, acc[off[0]!]!, xa, off[1]!, sx, n);
    else combineRow(rop, acc, off[0]!, so, xa, off[1]!, sx, n);
  });
  // Storing into an Int32Array wraps modulo 2^32, like int32 arithmetic.
  arr(out).set(acc, out.offset);
}

/** Folds `n` elements of `x` (from `xo`, stride `sx`) into the accumulator value `a`. */
function reduceRow(op: AccOp | 'iprod', a: number, x: TypedArray, xo: number, sx: number, n: number): number {
  switch (op) {
    case 'sum':
      // Separate functions per array type keep the hot loops monomorphic.
      if (sx === 1 && x instanceof Float32Array) return a + sumF32(x, xo, n);
      if (sx === 1 && x instanceof Float64Array) return a + sumF64(x, xo, n);
      return a + sumStrided(x, xo, sx, n);
    case 'prod':
      for (let i = 0; i < n; i++, xo += sx) a *= x[xo]!;
      return a;
    case 'iprod':
      for (let i = 0; i < n; i++, xo += sx) a = Math.imul(a, x[xo]!);
      return a;
    case 'max':
      for (let i = 0; i < n; i++, xo += sx) {
        const v = x[xo]!;
        if (v > a || Number.isNaN(v)) a = v; // once a is NaN it stays NaN
      }
      return a;
    case 'min':
      for (let i = 0; i < n; i++, xo += sx) {
        const v = x[xo]!;
        if (v < a || Number.isNaN(v)) a = v;
      }
      return a;
    case 'any':
      if (a !== 0) return a;
      for (let i = 0; i < n; i++, xo += sx) if (x[xo]! !== 0) return 1;
      return 0;
    case 'all':
      if (a === 0) return a;
      for (let i = 0; i < n; i++, xo += sx) if (x[xo]! === 0) return 0;
      return 1;
  }
}

// Contiguous sums with eight independent accumulators, which hide the latency of floating-point
// adds. sumF32 and sumF64 have identical bodies on purpose (one array type each).

function sumF32(x: Float32Array, p: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  const end = p + n;
  for (; p + 7 < end; p += 8) {
    s0 += x[p]!;
    s1 += x[p + 1]!;
    s2 += x[p + 2]!;
    s3 += x[p + 3]!;
    s4 += x[p + 4]!;
    s5 += x[p + 5]!;
    s6 += x[p + 6]!;
    s7 += x[p + 7]!;
  }
  for (; p < end; p++) s0 += x[p]!;
  return s0 + s1 + (s2 + s3) + (s4 + s5 + (s6 + s7));
}

function sumF64(x: Float64Array, p: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  const end = p + n;
  for (; p + 7 < end; p += 8) {
    s0 += x[p]!;
    s1 += x[p + 1]!;
    s2 += x[p + 2]!;
    s3 += x[p + 3]!;
    s4 += x[p + 4]!;
    s5 += x[p + 5]!;
    s6 += x[p + 6]!;
    s7 += x[p + 7]!;
  }
  for (; p < end; p++) s0 += x[p]!;
  return s0 + s1 + (s2 + s3) + (s4 + s5 + (s6 + s7));
}

// Run each specialised loop a few times on a tiny input at load time so that every branch has
// type feedback (V8 allocates feedback only after several calls) before the first long call.
// Otherwise V8 may compile the hot loop on-stack before the tail loop and the final adds have ever
// run, deoptimise there on every call, and give up optimising (a 10x slowdown on large sums).
for (let i = 0; i < 16; i++) {
  sumF32(new Float32Array(9), 0, 9);
  sumF64(new Float64Array(9), 0, 9);
  addF32(new Float64Array(2), 0, new Float32Array(2), 0, 2);
}

/** acc[ao + i] += x[xo + i] for i < n (the contiguous float32 case of an outer sum). */
function addF32(acc: Float64Array, ao: number, x: Float32Array, xo: number, n: number): void {
  for (let i = 0; i < n; i++) acc[ao + i]! += x[xo + i]!;
}

/** Sum of any array type at any stride, four accumulators. */
function sumStrided(x: TypedArray, p: number, sx: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4, p += 4 * sx) {
    s0 += x[p]!;
    s1 += x[p + sx]!;
    s2 += x[p + 2 * sx]!;
    s3 += x[p + 3 * sx]!;
  }
  for (; i < n; i++, p += sx) s0 += x[p]!;
  return s0 + s1 + (s2 + s3);
}

/** acc[ao + i*so] (op)= x[xo + i*sx] for i < n: one row of an outer (non-innermost) reduction. */
function combineRow(
  op: AccOp | 'iprod',
  acc: Float64Array,
  ao: number,
  so: number,
  x: TypedArray,
  xo: number,
  sx: number,
  n: number,
): void {
  const end = ao + n * so;
  switch (op) {
    case 'sum':
      if (so === 1 && sx === 1 && x instanceof Float32Array) addF32(acc, ao, x, xo, n);
      else for (; ao !== end; ao += so, xo += sx) acc[ao]! += x[xo]!;
      return;
    case 'prod':
      for (; ao !== end; ao += so, xo += sx) acc[ao]! *= x[xo]!;
      return;
    case 'iprod':
      for (; ao !== end; ao += so, xo += sx) acc[ao] = Math.imul(acc[ao]!, x[xo]!);
      return;
    case 'max':
      for (; ao !== end; ao += so, xo += sx) {
        const v = x[xo]!;
        if (v > acc[ao]! || Number.isNaN(v)) acc[ao] = v;
      }
      return;
    case 'min':
      for (; ao !== end; ao += so, xo += sx) {
        const v = x[xo]!;
        if (v < acc[ao]! || Number.isNaN(v)) acc[ao] = v;
      }
      return;
    case 'any':
      for (; ao !== end; ao += so, xo += sx) if (x[xo]! !== 0) acc[ao] = 1;
      return;
    case 'all':
      for (; ao !== end; ao += so, xo += sx) if (x[xo]! === 0) acc[ao] = 0;
      return;
  }
}

/** argmax/argmin along one axis: the first index of the largest/smallest value (NaN wins). */
function argReduce(isMax: boolean, out: View, x: View, axis: number): void {
  const len = x.shape[axis]!;
  if (sizeOf(out.shape) === 0 || len === 0) return;
  const o = arr(out);
  const xa = arr(x);
  const sa = x.strides[axis]!;
  // out has x's shape without `axis`; give it a zero stride there so both walk the same space.
  const outC = contiguousStrides(out.shape);
  const os = x.shape.map((_, d) => (d === axis ? 0 : outC[d < axis ? d : d - 1]!));
  forEachLine(x.shape, axis, [os, x.strides], [out.offset, x.offset], (off) => {
    let p = off[1]!;
    let best = xa[p]!;
    let bi = 0;
    if (!Number.isNaN(best)) {
      p += sa;
      for (let j = 1; j < len; j++, p += sa) {
        const v = xa[p]!;
        if (Number.isNaN(v)) {
          bi = j;
          break;
        }
        if (isMax ? v > best : v < best) {
          best = v;
          bi = j;
        }
      }
    }
    o[off[0]!] = bi;
  });
}
