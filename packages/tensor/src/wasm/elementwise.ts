import type { Pool2dParams, UpdateOp, View } from '../backend.js';
import { arr } from '../cpu-array.js';
import { isPlainPool2x2 } from '../kit-geometry.js';
import { collapse, RowWalker } from '../row-walker.js';
import { contiguousStrides } from '../shape.js';
import { WasmOutOfMemory } from './heap.js';
import { localRuntime, type Runtime } from './runtime.js';
import { denseSize, stageContiguous, stageStrided, unstage } from './stage.js';
import { MIN_ELEMENTWISE_SIZE } from './thresholds.js';
import type { SumWalk, WasmArithmeticOp, WasmBinaryOp, WasmCompareOp, WasmUnaryOp } from './types.js';

// Drivers of the memory-bound float32 kernels (kernels-wasm/elementwise.mjs, pool.mjs,
// update.mjs): unary ops, arithmetic, comparisons, where, sums, 2x2 max pooling and its gradient,
// the optimizers' fused updates. Each copies its operands into
// the arena, runs one pass on the calling thread and copies the result out; three memcpys and a
// SIMD pass cost well under the one-element-per-turn JavaScript loop they replace. Each returns
// false, having done nothing, when the call is not one it handles (the caller's TypeScript
// kernel runs it); results are bit-identical to those kernels.

/** Milliseconds spent inside kernels (not copying) during the current call, see `pass`. */
let passMs = 0;

/** Runs the pass `f` over staged operands, timing it apart from the copies around it. */
function pass(f: () => void): void {
  const t = performance.now();
  f();
  passMs += performance.now() - t;
}

/**
 * Runs `body` as one kernel call (single-threaded), reporting the time outside `pass` as copying;
 * false when the memory cannot hold it.
 */
function call(body: (rt: Runtime) => void): boolean {
  const rt = localRuntime();
  if (rt === null) return false;
  try {
    rt.begin(0);
    passMs = 0;
    const t = performance.now();
    body(rt);
    rt.end(performance.now() - t - passMs);
    return true;
  } catch (e) {
    if (e instanceof WasmOutOfMemory) return false;
    throw e;
  }
}

/** Dense float32 operands of at least MIN_ELEMENTWISE_SIZE elements: their size, else -1. */
function denseF32(out: View, ...ins: View[]): number {
  if (out.dtype !== 'float32') return -1;
  const n = denseSize(out);
  if (n < MIN_ELEMENTWISE_SIZE) return -1;
  for (const v of ins) if (v.dtype !== 'float32' || denseSize(v) !== n) return -1;
  return n;
}

/** out = op(x) for dense float32 views of the same shape; `alpha` is leakyRelu's negative slope. */
export function wasmUnary(op: WasmUnaryOp, out: View, x: View, alpha = 0): boolean {
  const n = denseF32(out, x);
  if (n < 0) return false;
  return call((rt) => {
    const src = stageContiguous(rt.heap, x).base;
    const dst = rt.heap.alloc(n * 4);
    const ew = rt.ew;
    pass(() => {
      if (op === 'leakyRelu') ew.leaky_relu_f32(dst, src, n, alpha);
      else if (op === 'relu') ew.relu_f32(dst, src, n);
      else ew[`${op}_f32`](dst, src, n);
    });
    unstage(rt.heap, dst, out, n);
  });
}

/** out = x <= threshold ? 0 : g for dense float32 views of the same shape. */
export function wasmThresholdBackward(out: View, g: View, x: View, threshold: number): boolean {
  const n = denseF32(out, g, x);
  if (n < 0 || Math.fround(threshold) !== threshold) return false;
  return call((rt) => {
    const gp = stageContiguous(rt.heap, g).base;
    const xp = stageContiguous(rt.heap, x).base;
    const dst = rt.heap.alloc(n * 4);
    pass(() => rt.ew.threshold_bwd_f32(dst, gp, xp, n, threshold));
    unstage(rt.heap, dst, out, n);
  });
}

const COMPARE_OPS: ReadonlySet<WasmBinaryOp> = new Set<WasmCompareOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/**
 * out = a op b for float32 add, sub, mul or div (float32 out) or a comparison (bool out), where
 * out is dense and each row of the collapsed iteration reads a and b with stride 1 or 0 (not
 * both 0): same-shape operands, per-row scalars such as a per-channel bias or a BatchNorm
 * statistic (one call for all rows), and numbers.
 */
export function wasmBinary(op: WasmBinaryOp, out: View, a: View, b: View): boolean {
  const cmp = COMPARE_OPS.has(op);
  if (out.dtype !== (cmp ? 'bool' : 'float32') || a.dtype !== 'float32' || b.dtype !== 'float32')
    return false;
  const n = denseSize(out);
  if (n < MIN_ELEMENTWISE_SIZE) return false;
  const c = collapse(out.shape, [contiguousStrides(out.shape), a.strides, b.strides]);
  const nd = c.shape.length;
  const ia = c.strides[1]![nd - 1]!;
  const ib = c.strides[2]![nd - 1]!;
  if ((ia !== 0 && ia !== 1) || (ib !== 0 && ib !== 1) || ia + ib === 0) return false;
  return call((rt) => {
    const sa = stageStrided(rt.heap, a);
    const sb = stageStrided(rt.heap, b);
    const dst = rt.heap.alloc(n * (cmp ? 1 : 4));
    // The staged copies keep the views' strides unless they were gathered (then contiguous).
    const cs = collapse(out.shape, [contiguousStrides(out.shape), sa.strides, sb.strides]);
    const ns = cs.shape.length;
    const w = new RowWalker(cs.shape, cs.strides, [0, 0, 0]);
    const ka = cs.strides[1]![ns - 1]!;
    const kb = cs.strides[2]![ns - 1]!;
    if (ka + kb === 0) throw new Error(`wasmBinary: unexpected row layout (${ka}, ${kb}) after staging`);
    const len = w.n;
    // Per-row scalars against a dense operand: gather the scalars, then one call for all rows.
    if (!cmp && ka + kb === 1 && w.rows > 1 && denseSize(ka === 1 ? a : b) === n) {
      const vals = rt.heap.alloc(w.rows * 4);
      const f32 = rt.heap.f32;
      const from = (ka === 1 ? sb.base : sa.base) >> 2;
      const k = ka === 1 ? 2 : 1;
      for (let r = 0, v = vals >> 2; r < w.rows; r++, w.next()) f32[v + r] = f32[from + w.at[k]!]!;
      const dense = ka === 1 ? sa.base : sb.base;
      const o = op as WasmArithmeticOp;
      if (ka === 1) pass(() => rt.ew[`${o}_vr_f32`](dst, dense, vals, w.rows, len));
      else pass(() => rt.ew[`${o}_rv_f32`](dst, vals, dense, w.rows, len));
      unstage(rt.heap, dst, out, n);
      return;
    }
    const f32 = rt.heap.f32;
    const fa = sa.base >> 2;
    const fb = sb.base >> 2;
    const pre = cmp ? 'c' : '';
    const ew = rt.ew as unknown as Record<string, (o: number, x: number, y: number, z: number) => void>;
    const vv = ew[`${op}_${pre}vv_f32`]!;
    const vs = ew[`${op}_${pre}vs_f32`]!;
    const sv = ew[`${op}_${pre}sv_f32`]!;
    const at = w.at;
    const bytes = cmp ? 1 : 4;
    pass(() => {
      for (let r = 0; r < w.rows; r++, w.next()) {
        const o = dst + bytes * at[0]!;
        if (ka === 1 && kb === 1) vv(o, sa.base + 4 * at[1]!, sb.base + 4 * at[2]!, len);
        else if (kb === 0) vs(o, sa.base + 4 * at[1]!, len, f32[fb + at[2]!]!);
        else sv(o, sb.base + 4 * at[2]!, len, f32[fa + at[1]!]!);
      }
    });
    if (cmp) {
      (arr(out) as Uint8Array).set(rt.heap.u8.subarray(dst, dst + n), out.offset);
    } else unstage(rt.heap, dst, out, n);
  });
}

/** out = cond ? a : b for a bool cond and float32 a, b, all dense views of out's shape. */
export function wasmWhere(out: View, cond: View, a: View, b: View): boolean {
  const n = denseF32(out, a, b);
  if (n < 0 || cond.dtype !== 'bool' || denseSize(cond) !== n) return false;
  return call((rt) => {
    const cp = rt.heap.alloc(n);
    rt.heap.u8.set((arr(cond) as Uint8Array).subarray(cond.offset, cond.offset + n), cp);
    const ap = stageContiguous(rt.heap, a).base;
    const bp = stageContiguous(rt.heap, b).base;
    const dst = rt.heap.alloc(n * 4);
    pass(() => rt.ew.where_f32(dst, cp, ap, bp, n));
    unstage(rt.heap, dst, out, n);
  });
}

/**
 * Max pooling with 2x2 windows, stride 2, no padding or dilation, of a dense float32 x
 * [N, C, H, W] into a dense out [N, C, OH, OW] and, when given, dense int32 indices (flat h * W + w).
 */
export function wasmMaxPool2x2(out: View, indices: View | null, x: View, p: Pool2dParams): boolean {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [OH, OW] = [out.shape[2]!, out.shape[3]!];
  const plain = isPlainPool2x2(p, OH, OW, H, W);
  const size = N * C * H * W;
  if (!plain || x.dtype !== 'float32' || size < MIN_ELEMENTWISE_SIZE || denseSize(x) !== size) return false;
  const m = N * C * OH * OW;
  if (denseF32Any(out) !== m || (indices !== null && (indices.dtype !== 'int32' || denseSize(indices) !== m)))
    return false;
  return call((rt) => {
    const src = stageContiguous(rt.heap, x).base;
    const dst = rt.heap.alloc(m * 4);
    const idx = rt.heap.alloc(m * 4);
    pass(() => rt.ew.maxpool2x2_f32(dst, idx, src, N * C, OH, OW, H, W));
    unstage(rt.heap, dst, out, m);
    if (indices !== null) {
      (arr(indices) as Int32Array).set(rt.heap.i32.subarray(idx >> 2, (idx >> 2) + m), indices.offset);
    }
  });
}

/** Size of a dense float32 view of any size, else -1. */
function denseF32Any(v: View): number {
  return v.dtype === 'float32' ? denseSize(v) : -1;
}

/**
 * The gradient of max pooling: out [N, C, H, W] (dense float32) = 0 plus dy [N, C, OH, OW]
 * (float32) added at each saved flat index of `indices` (int32), in order. Declines (false, `out`
 * untouched) when an index lies outside its plane.
 */
export function wasmMaxPool2dBackward(out: View, dy: View, indices: View): boolean {
  const size = denseF32Any(out);
  if (size < MIN_ELEMENTWISE_SIZE || dy.dtype !== 'float32' || indices.dtype !== 'int32') return false;
  const [N, C, OH, OW] = dy.shape as [number, number, number, number];
  const m = N * C * OH * OW;
  if (denseSize(dy) !== m || denseSize(indices) !== m) return false;
  const plane = out.shape[2]! * out.shape[3]!;
  let bad = 0;
  const ran = call((rt) => {
    const g = stageContiguous(rt.heap, dy).base;
    const idx = rt.heap.alloc(m * 4);
    const dst = rt.heap.alloc(size * 4);
    const heap = rt.heap;
    heap.i32.set((arr(indices) as Int32Array).subarray(indices.offset, indices.offset + m), idx >> 2);
    heap.f32.fill(0, dst >> 2, (dst >> 2) + size);
    pass(() => {
      bad = rt.ew.maxpool_bwd_f32(dst, g, idx, N * C, OH * OW, plane);
    });
    if (bad === 0) unstage(rt.heap, dst, out, size);
  });
  // Indices outside their plane: declined, so that the TypeScript kernel reports them.
  return ran && bad === 0;
}

/**
 * The optimizers' fused in-place update of a dense float32 `out` from `b` (and `c` for addcmul
 * and addcdiv) with the scalar `s`, as src/cpu/update.ts computes it (same roundings).
 */
export function wasmUpdate(op: UpdateOp, out: View, b: View, c: View | null, s: number): boolean {
  const two = op === 'addcmul' || op === 'addcdiv';
  const n = two && c !== null ? denseF32(out, b, c) : denseF32(out, b);
  if (n < 0 || (two && c === null)) return false;
  return call((rt) => {
    const o = stageContiguous(rt.heap, out).base;
    const x = stageContiguous(rt.heap, b).base;
    const y = two ? stageContiguous(rt.heap, c!).base : 0;
    const ew = rt.ew;
    pass(() => {
      if (op === 'axpy') ew.axpy_f32(o, x, n, s);
      // lerp: PyTorch's two-sided formula, picked as the TypeScript kernel picks it.
      else if (op === 'lerp' && Math.abs(s) < 0.5) ew.lerp_lo_f32(o, x, n, s);
      else if (op === 'lerp') ew.lerp_hi_f32(o, x, n, 1 - s);
      else if (op === 'addcmul') ew.addcmul_f32(o, x, y, n, s);
      else ew.addcdiv_f32(o, x, y, n, s);
    });
    unstage(rt.heap, o, out, n);
  });
}

/**
 * out (float32, `nOut` elements) = the float64 sums of a dense float32 x along the walk `c` that
 * src/cpu/reduce.ts planned (innermost stride of x 1; of the accumulators 0, a row folded into one,
 * or 1, a row added into a run), with its roundings: bit-identical results.
 */
export function wasmSum(out: View, x: View, c: SumWalk, nOut: number): boolean {
  const size = denseF32Any(x);
  const last = c.shape.length - 1;
  const so = c.strides[0]![last]!;
  if (size < MIN_ELEMENTWISE_SIZE || out.dtype !== 'float32' || c.strides[1]![last] !== 1) return false;
  if (so !== 0 && so !== 1) return false;
  return call((rt) => {
    const src = stageContiguous(rt.heap, x).base;
    const acc = rt.heap.alloc(nOut * 8);
    const f64 = rt.heap.f64;
    const a0 = acc >> 3;
    f64.fill(0, a0, a0 + nOut);
    const w = new RowWalker(c.shape, c.strides, [0, 0]);
    const at = w.at;
    const n = w.n;
    const ew = rt.ew;
    pass(() => {
      for (let r = 0; r < w.rows; r++, w.next()) {
        if (so === 0) f64[a0 + at[0]!] = f64[a0 + at[0]!]! + ew.sum8_f32(src + 4 * at[1]!, n);
        else ew.acc_f32(acc + 8 * at[0]!, src + 4 * at[1]!, n);
      }
    });
    (arr(out) as Float32Array).set(f64.subarray(a0, a0 + nOut), out.offset);
  });
}
