import type { BinaryOp, UnaryAttrs, UnaryOp, View } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { sizeOf } from '../shape.js';
import { elementwiseKernels, type WasmBinaryOp, type WasmUnaryOp } from '../wasm/index.js';
import { type KernelBinaryOp, rowContiguous, rowScalarLeft, rowScalarRight } from './binary-rows.js';
import { arr } from './buffer.js';
import { elementwiseWalker, flatStep } from './iterate.js';
import { erf, geluTanh, intPow, pyRemainder, roundHalfEven, sigmoid } from './math.js';
import { reluF32 } from './threshold.js';
import { unaryF32 } from './unary-f32.js';
import { mathRow } from './unary-math.js';

// Elementwise kernels, keyed by the op declarations (ops/*-decls.ts). Attributes arrive complete (the
// declaration's defaults filled in by the op), so no default is repeated here. Every op's inner loop is written out in a switch case so that V8 compiles
// it without a call per element; the strided walk happens one row at a time (see iterate.ts), and
// the common row shapes (all operands stride 1, one operand broadcast with stride 0) get loops of
// their own. Kernels honour `out`'s strides too, although callers pass a contiguous `out`.
//
// Integer semantics (int32 buffers): results are computed in doubles and stored with the typed
// array's conversion, which truncates toward zero and wraps modulo 2^32; `mul` and `pow` use
// 32-bit integer multiplication so that wrapping is exact; `div` truncates (x / 0 stores 0).

/** Sets every element of `out` to `value` (converted as the dtype stores it; bool is `!= 0`). */
export function fill(out: View, value: number): void {
  const o = arr(out);
  const v = out.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
  if (flatStep(out.shape, out.strides) === 1) {
    const n = sizeOf(out.shape);
    o.fill(v, out.offset, out.offset + n);
    return;
  }
  const w = elementwiseWalker(out.shape, [out.strides], [out.offset]);
  if (w === null) return;
  const so = w.step[0]!;
  const at = w.at;
  for (let r = 0; r < w.rows; r++, w.next()) {
    let oo = at[0]!;
    if (so === 1) o.fill(v, oo, oo + w.n);
    else for (let i = 0; i < w.n; i++, oo += so) o[oo] = v;
  }
}

/** Strided copy with dtype conversion (float → int truncates toward zero, → bool is `!= 0`). */
export function copy(out: View, x: View): void {
  const o = arr(out);
  const a = arr(x);
  const toBool = out.dtype === 'bool' && x.dtype !== 'bool';
  if (flatStep(out.shape, out.strides) === 1) {
    const sa = flatStep(out.shape, x.strides);
    if (sa >= 0) {
      copyRow(toBool, o, out.offset, 1, a, x.offset, sa, sizeOf(out.shape));
      return;
    }
  }
  const w = elementwiseWalker(out.shape, [out.strides, x.strides], [out.offset, x.offset]);
  if (w === null) return;
  const so = w.step[0]!;
  const sa = w.step[1]!;
  const n = w.n;
  const at = w.at;
  for (let r = 0; r < w.rows; r++, w.next()) copyRow(toBool, o, at[0]!, so, a, at[1]!, sa, n);
}

/** Copies one row of `n` elements (converting; `toBool` for a non-bool source into bool). */
function copyRow(
  toBool: boolean,
  o: TypedArray,
  oo: number,
  so: number,
  a: TypedArray,
  ao: number,
  sa: number,
  n: number,
): void {
  if (toBool) for (let i = 0; i < n; i++, oo += so, ao += sa) o[oo] = a[ao]! !== 0 ? 1 : 0;
  else stridedCopy(o, oo, so, a, ao, sa, n);
}

/** o[oo + i*so] = a[ao + i*sa] for i < n, converting as element assignment does. */
export function stridedCopy(
  o: TypedArray,
  oo: number,
  so: number,
  a: TypedArray,
  ao: number,
  sa: number,
  n: number,
): void {
  // TypedArray.set converts between element types exactly as element assignment does.
  if (so === 1 && sa === 1) o.set(a.subarray(ao, ao + n), oo);
  else if (so === 1 && sa === 0) o.fill(a[ao]!, oo, oo + n);
  else for (let i = 0; i < n; i++, oo += so, ao += sa) o[oo] = a[ao]!;
}

/** out = op(x), elementwise. */
export function unary(op: UnaryOp, out: View, x: View, attrs: UnaryAttrs): void {
  const o = arr(out);
  const a = arr(x);
  if (flatStep(out.shape, out.strides) === 1) {
    const sx = flatStep(out.shape, x.strides);
    if (sx >= 0) {
      const n = sizeOf(out.shape);
      if (sx === 1 && n >= LONG_ROW && o instanceof Float32Array && a instanceof Float32Array) {
        if (WASM_UNARY.has(op) && elementwiseKernels(n)?.unary(op as WasmUnaryOp, out, x, attrs.alpha))
          return;
        if (
          op === 'relu'
            ? reluF32(o, out.offset, a, x.offset, n)
            : unaryF32(op, part32(o, out.offset, n), part32(a, x.offset, n), n)
        )
          return;
      }
      if (n > 0) unaryRow(op, o, out.offset, 1, a, x.offset, sx, n, attrs);
      return;
    }
  }
  const w = elementwiseWalker(out.shape, [out.strides, x.strides], [out.offset, x.offset]);
  if (w === null) return;
  const so = w.step[0]!;
  const sx = w.step[1]!;
  const at = w.at;
  for (let r = 0; r < w.rows; r++, w.next()) unaryRow(op, o, at[0]!, so, a, at[1]!, sx, w.n, attrs);
}

function unaryRow(
  op: UnaryOp,
  o: TypedArray,
  oo: number,
  so: number,
  x: TypedArray,
  xo: number,
  sx: number,
  n: number,
  p: UnaryAttrs,
): void {
  const end = oo + n * so;
  // `oo !== end` rather than `<`: `so` may be negative for a flipped output.
  switch (op) {
    case 'neg':
      for (; oo !== end; oo += so, xo += sx) o[oo] = -x[xo]!;
      return;
    case 'abs':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.abs(x[xo]!);
      return;
    case 'sign':
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = v > 0 ? 1 : v < 0 ? -1 : v; // keeps NaN and ±0
      }
      return;
    case 'exp':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.exp(x[xo]!);
      return;
    case 'exp2':
      for (; oo !== end; oo += so, xo += sx) o[oo] = 2 ** x[xo]!;
      return;
    case 'log':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.log(x[xo]!);
      return;
    case 'log2':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.log2(x[xo]!);
      return;
    case 'log1p':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.log1p(x[xo]!);
      return;
    case 'expm1':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.expm1(x[xo]!);
      return;
    case 'sqrt':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.sqrt(x[xo]!);
      return;
    case 'rsqrt':
      for (; oo !== end; oo += so, xo += sx) o[oo] = 1 / Math.sqrt(x[xo]!);
      return;
    case 'square':
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = v * v;
      }
      return;
    case 'sin':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.sin(x[xo]!);
      return;
    case 'cos':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.cos(x[xo]!);
      return;
    case 'tan':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.tan(x[xo]!);
      return;
    case 'tanh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.tanh(x[xo]!);
      return;
    case 'sigmoid':
      for (; oo !== end; oo += so, xo += sx) o[oo] = sigmoid(x[xo]!);
      return;
    case 'erf':
      for (; oo !== end; oo += so, xo += sx) o[oo] = erf(x[xo]!);
      return;
    case 'relu':
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = v > 0 || Number.isNaN(v) ? v : 0; // NaN propagates, as in PyTorch
      }
      return;
    case 'leakyRelu': {
      const a = p.alpha!;
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = v > 0 ? v : v * a;
      }
      return;
    }
    case 'elu': {
      const a = p.alpha!;
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = v > 0 ? v : a * Math.expm1(v);
      }
      return;
    }
    case 'gelu':
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
      }
      return;
    case 'geluTanh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = geluTanh(x[xo]!);
      return;
    case 'silu':
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = v * sigmoid(v);
      }
      return;
    case 'softplus': {
      const beta = p.beta!;
      const th = p.threshold!;
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = v * beta > th ? v : Math.log1p(Math.exp(beta * v)) / beta;
      }
      return;
    }
    case 'round':
      for (; oo !== end; oo += so, xo += sx) o[oo] = roundHalfEven(x[xo]!);
      return;
    case 'reciprocal':
      for (; oo !== end; oo += so, xo += sx) o[oo] = 1 / x[xo]!;
      return;
    case 'clamp': {
      // min(max(x, lo), hi): with lo > hi every element becomes hi, as in PyTorch; NaN stays NaN.
      const lo = p.min!;
      const hi = p.max!;
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.min(Math.max(x[xo]!, lo), hi);
      return;
    }
    default:
      // The rest of the declared ops (unary-math.ts); the compiler rejects an op handled nowhere.
      mathRow(op, o, oo, so, x, xo, sx, n);
  }
}

/** Unary and binary ops the WebAssembly kernels run for float32 operands (wasm/elementwise.ts). */
const WASM_UNARY: ReadonlySet<UnaryOp> = new Set<WasmUnaryOp>([
  'relu',
  'sqrt',
  'square',
  'neg',
  'abs',
  'leakyRelu',
]);
const WASM_BINARY: ReadonlySet<KernelBinaryOp> = new Set<WasmBinaryOp>([
  'add',
  'sub',
  'mul',
  'div',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
]);

/** out = a op b, elementwise; `a` and `b` arrive broadcast to out's shape (stride 0). */
export function binary(binOp: BinaryOp, out: View, a: View, b: View): void {
  const o = arr(out);
  const x = arr(a);
  const y = arr(b);
  // int32 arithmetic that doubles cannot wrap exactly gets integer loops.
  const op: KernelBinaryOp =
    out.dtype === 'int32' && (binOp === 'mul' || binOp === 'pow' || binOp === 'div') ? INT_OPS[binOp] : binOp;
  if (
    a.dtype === 'float32' &&
    WASM_BINARY.has(op) &&
    elementwiseKernels(sizeOf(out.shape))?.binary(op as WasmBinaryOp, out, a, b)
  )
    return;

  // One flat run (contiguous operands, or broadcast scalars): no strided walk to plan.
  if (flatStep(out.shape, out.strides) === 1) {
    const sa = flatStep(out.shape, a.strides);
    const sb = sa < 0 ? -1 : flatStep(out.shape, b.strides);
    if (sb >= 0) {
      const n = sizeOf(out.shape);
      if (n > 0)
        binaryRun(op, rowLayout(n, 1, sa, sb), o, out.offset, 1, x, a.offset, sa, y, b.offset, sb, n);
      return;
    }
  }
  const w = elementwiseWalker(
    out.shape,
    [out.strides, a.strides, b.strides],
    [out.offset, a.offset, b.offset],
  );
  if (w === null) return;
  const so = w.step[0]!;
  const sa = w.step[1]!;
  const sb = w.step[2]!;
  const n = w.n;
  const at = w.at;
  const layout = rowLayout(n, so, sa, sb);
  for (let r = 0; r < w.rows; r++, w.next())
    binaryRun(op, layout, o, at[0]!, so, x, at[1]!, sa, y, at[2]!, sb, n);
}

/**
 * One row of a binary op. Long rows in the three common layouts run zero-based loops on
 * subarrays (no offset arithmetic), with float32 in loops of its own so that they stay
 * monomorphic; the rest take the general strided loop.
 */
function binaryRun(
  op: KernelBinaryOp,
  layout: number,
  o: TypedArray,
  oo: number,
  so: number,
  x: TypedArray,
  ao: number,
  sa: number,
  y: TypedArray,
  bo: number,
  sb: number,
  n: number,
): void {
  let done = false;
  if (layout === 1) done = rowContiguous(op, part(o, oo, n), part(x, ao, n), part(y, bo, n), n);
  else if (layout === 2) done = rowScalarLeft(op, part(o, oo, n), x[ao]!, part(y, bo, n), n);
  else if (layout === 3) done = rowScalarRight(op, part(o, oo, n), part(x, ao, n), y[bo]!, n);
  if (!done) binaryRow(op, o, oo, so, x, ao, sa, y, bo, sb, n);
}

/** 1: all stride 1; 2: left operand broadcast; 3: right operand broadcast; 0: general loop. */
function rowLayout(n: number, so: number, sa: number, sb: number): number {
  if (n < LONG_ROW || so !== 1) return 0;
  if (sa === 1 && sb === 1) return 1;
  if (sa === 0 && sb === 1) return 2;
  if (sa === 1 && sb === 0) return 3;
  return 0;
}

/** Rows at least this long take the specialised loops (a subarray costs about one short row). */
const LONG_ROW = 64;

/** `a` from `offset` as a zero-based array of at least `n` elements. */
function part(a: TypedArray, offset: number, n: number): TypedArray {
  return offset === 0 ? a : a.subarray(offset, offset + n);
}

/** `part` for float32 arrays (kept apart so that each stays monomorphic). */
function part32(a: Float32Array, offset: number, n: number): Float32Array {
  return offset === 0 ? a : a.subarray(offset, offset + n);
}

const INT_OPS = { mul: 'imul', pow: 'ipow', div: 'idiv' } as const;

function binaryRow(
  op: KernelBinaryOp,
  o: TypedArray,
  oo: number,
  so: number,
  a: TypedArray,
  ao: number,
  sa: number,
  b: TypedArray,
  bo: number,
  sb: number,
  n: number,
): void {
  const end = oo + n * so;
  switch (op) {
    case 'add':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! + b[bo]!;
      return;
    case 'sub':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! - b[bo]!;
      return;
    case 'mul':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! * b[bo]!;
      return;
    case 'imul':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = Math.imul(a[ao]!, b[bo]!);
      return;
    case 'div':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! / b[bo]!;
      return;
    case 'idiv':
      // Truncating integer division (the store truncates; x / 0 is ±Infinity or NaN, stored as 0).
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! / b[bo]!;
      return;
    case 'pow':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! ** b[bo]!;
      return;
    case 'ipow':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = intPow(a[ao]!, b[bo]!);
      return;
    case 'remainder':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = pyRemainder(a[ao]!, b[bo]!);
      return;
    case 'minimum':
      // Math.min is NaN when either operand is, as PyTorch's minimum.
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = Math.min(a[ao]!, b[bo]!);
      return;
    case 'maximum':
      // Math.max is NaN when either operand is, as PyTorch's maximum.
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = Math.max(a[ao]!, b[bo]!);
      return;
    case 'atan2':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = Math.atan2(a[ao]!, b[bo]!);
      return;
    case 'eq':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! === b[bo]! ? 1 : 0;
      return;
    case 'ne':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! !== b[bo]! ? 1 : 0;
      return;
    case 'lt':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! < b[bo]! ? 1 : 0;
      return;
    case 'le':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! <= b[bo]! ? 1 : 0;
      return;
    case 'gt':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! > b[bo]! ? 1 : 0;
      return;
    case 'ge':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! >= b[bo]! ? 1 : 0;
      return;
    case 'and':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! !== 0 && b[bo]! !== 0 ? 1 : 0;
      return;
    case 'or':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = a[ao]! !== 0 || b[bo]! !== 0 ? 1 : 0;
      return;
    case 'xor':
      for (; oo !== end; oo += so, ao += sa, bo += sb) o[oo] = (a[ao]! !== 0) !== (b[bo]! !== 0) ? 1 : 0;
      return;
    default: {
      // Exhaustiveness: a declared binary op without a case here does not compile.
      const missing: never = op;
      throw new Error(`cpu binary: unknown op '${missing as string}'`);
    }
  }
}
