import type { Backend, BinaryOp, View } from '../backend.js';
import { hasOpObservers, runOp } from '../dispatch.js';
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { BINARY_DECLS } from './binary-decls.js';
import { broadcastView } from './elementwise.js';
import { asTensor, emptyOut } from './util.js';

// Binary ops with one JS-number operand (`x.mul(0.5)`, `2 - x`): the number travels as an
// attribute of the recorded op and as an argument of the backend's `binaryScalar` kernel, so no
// 0-d tensor is made for it (on the GPU that was a buffer and a fill per call).

/**
 * The attributes a binary op with a JS-number operand records (inputs: the tensor operand only):
 * `scalar`, the number, already converted to the op's compute dtype as a 0-d operand of that
 * dtype would hold it (bool → 0/1, int32 truncated; float values keep their double value and the
 * kernel rounds them to the dtype), and `scalarFirst`, 1 when the number is the left operand
 * (`2 - x`), else 0.
 */
export type ScalarAttrs = {
  readonly scalar: number;
  readonly scalarFirst: 0 | 1;
};

/** Whether a recorded op's attrs are those of a binary op with a scalar operand (see `ScalarAttrs`). */
export function isScalarAttrs(attrs: Readonly<Record<string, unknown>>): attrs is ScalarAttrs {
  return typeof attrs.scalar === 'number' && (attrs.scalarFirst === 0 || attrs.scalarFirst === 1);
}

/**
 * Runs `x op s` (or `s op x` when `first`) with `x` already of the compute dtype, recording op
 * `op` with inputs [x] and `ScalarAttrs`. `s` is the converted scalar (see `storedValue`).
 */
export function binaryScalarKernel(
  op: BinaryOp,
  x: Tensor,
  s: number,
  first: boolean,
  outDtype: DType,
): Tensor {
  // Without an observer, skip building the call (attrs, closure and input list): it would run as is.
  if (!hasOpObservers()) return scalarCompute(op, x, s, first, outDtype);
  const attrs: ScalarAttrs = { scalar: s, scalarFirst: first ? 1 : 0 };
  return runOp(BINARY_DECLS[op], [x], attrs, () => scalarCompute(op, x, s, first, outDtype));
}

function scalarCompute(op: BinaryOp, x: Tensor, s: number, first: boolean, outDtype: DType): Tensor {
  const be = x.storage(op).backend;
  const out = emptyOut(be, outDtype, x.shape);
  if (out.numel() > 0) runScalarKernel(be, op, out.viewFor(op), x, s, first);
  return out;
}

/**
 * out = x op s (s op x when `first`) with kernels: the backend's `binaryScalar`, or, for a backend
 * without it, its `binary` kernel with the scalar as a 0-d operand broadcast to x's shape.
 */
export function runScalarKernel(
  be: Backend,
  op: BinaryOp,
  out: View,
  x: Tensor,
  s: number,
  first: boolean,
): void {
  const xv = x.viewFor(op);
  if (be.binaryScalar !== undefined) {
    be.binaryScalar(op, out, xv, s, first);
    return;
  }
  const c = broadcastView(op, asTensor(op, s, x, x.dtype), x.shape);
  be.binary(op, out, first ? c : xv, first ? xv : c);
}
