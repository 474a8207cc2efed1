import type { View } from '../backend.js';
import { runOp } from '../dispatch.js';
import { fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast, mul } from './elementwise.js';
import { reshape, unsqueeze } from './movement.js';
import { MATMUL_OP } from './nn-decls.js';
import { checkTensor, empty, emptyOut, sameBackend } from './util.js';

export { einsum } from './einsum.js';

// Matrix products. `matmul` is the one recorded op (name 'matmul', inputs of at least 2 dims);
// mm, bmm, dot and 1-D promotion are checks and reshapes around it, outer is a broadcast multiply.

/**
 * Matrix product with PyTorch's `torch.matmul` rules: 1-D·1-D is a dot product (0-d result);
 * a 1-D first operand is treated as a row vector and a 1-D second one as a column vector (the added
 * dim is removed afterwards); for 2 or more dims, the last two dims are multiplied and the leading
 * (batch) dims broadcast. Both operands must have the same dtype; int32 is computed exactly in
 * float64 (for sums below 2^53) and converted back.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return matmulChecked('matmul', a, b);
}

function matmulChecked(op: string, a: Tensor, b: Tensor): Tensor {
  checkTensor(op, a, 'first operand');
  checkTensor(op, b, 'second operand');
  const be = sameBackend(op, a, b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(
      `${op}: both operands must have at least 1 dim, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`,
    );
  }
  if (a.dtype !== b.dtype) {
    throw new TypeError(
      `${op}: operands must have the same dtype, got ${a.dtype} and ${b.dtype}; cast one with .to()`,
    );
  }
  if (a.dtype === 'bool')
    throw new TypeError(`${op}: bool tensors cannot be multiplied; cast to int32 or a float dtype`);
  const ka = a.shape[a.ndim - 1]!;
  const kb = b.shape[b.ndim === 1 ? 0 : b.ndim - 2]!;
  if (ka !== kb) {
    throw new RangeError(
      `${op}: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied (${ka} != ${kb})`,
    );
  }
  const batch = broadcastBatch(op, a, b);
  if (a.dtype === 'int32') {
    const wide = be.supportsDType('float64') ? 'float64' : 'float32';
    return cast(matmulChecked(op, cast(a, wide), cast(b, wide)), 'int32');
  }
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, 1) : b;
  const m = a2.shape[a2.ndim - 2]!;
  const n = b2.shape[b2.ndim - 1]!;
  const outShape = [...batch, m, n];
  const out = runOp(MATMUL_OP, [a2, b2], {}, () => {
    // The kernel writes every element, so only an empty shared dim needs a cleared output.
    const res = ka === 0 ? empty(be, a.dtype, outShape) : emptyOut(be, a.dtype, outShape);
    if (res.numel() === 0) return res;
    if (ka === 0) be.fill(res.viewFor(op), 0);
    else be.matmul(res.viewFor(op), batchView(op, a2, batch), batchView(op, b2, batch));
    return res;
  });
  if (a.ndim === 1 || b.ndim === 1) {
    const shape = [...batch];
    if (a.ndim !== 1) shape.push(m);
    if (b.ndim !== 1) shape.push(n);
    return reshape(out, shape);
  }
  return out;
}

/** Broadcast batch shape of two matmul operands (dims before the last two; 1-D has none). */
function broadcastBatch(op: string, a: Tensor, b: Tensor): number[] {
  const ba = a.shape.slice(0, Math.max(0, a.ndim - 2));
  const bb = b.shape.slice(0, Math.max(0, b.ndim - 2));
  const n = Math.max(ba.length, bb.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = ba[ba.length - n + i] ?? 1;
    const db = bb[bb.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: batch dims ${fmt(ba)} and ${fmt(bb)} of shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be broadcast (${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** The kernel's view of a ≥2-D operand: batch dims expanded to `batch` with stride 0, no copy. */
function batchView(op: string, t: Tensor, batch: readonly number[]): View {
  const v = t.viewFor(op);
  const nb = t.ndim - 2;
  const off = batch.length - nb;
  const strides: number[] = [];
  for (let i = 0; i < batch.length; i++) {
    const d = i - off;
    strides.push(d < 0 || t.shape[d] !== batch[i] ? 0 : t.strides[d]!);
  }
  strides.push(t.strides[nb]!, t.strides[nb + 1]!);
  return { ...v, shape: [...batch, t.shape[nb]!, t.shape[nb + 1]!], strides };
}

/** Product of two 2-D matrices (no broadcasting). */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkTensor('mm', a, 'first operand');
  checkTensor('mm', b, 'second operand');
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new RangeError(`mm: expected 2-D matrices, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  return matmulChecked('mm', a, b);
}

/** Batched product of 3-D tensors [B, M, K] @ [B, K, N] with equal batch sizes (no broadcasting). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkTensor('bmm', a, 'first operand');
  checkTensor('bmm', b, 'second operand');
  if (a.ndim !== 3 || b.ndim !== 3) {
    throw new RangeError(`bmm: expected 3-D tensors, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  if (a.shape[0] !== b.shape[0]) {
    throw new RangeError(
      `bmm: batch sizes differ: shapes ${fmt(a.shape)} and ${fmt(b.shape)} (${a.shape[0]} != ${b.shape[0]})`,
    );
  }
  return matmulChecked('bmm', a, b);
}

/** Dot product of two 1-D tensors of equal length (a 0-d tensor). */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor('dot', a, 'first operand');
  checkTensor('dot', b, 'second operand');
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new RangeError(`dot: expected 1-D tensors, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  if (a.shape[0] !== b.shape[0]) {
    throw new RangeError(`dot: tensors have different lengths: shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  return matmulChecked('dot', a, b);
}

/** Outer product of two 1-D tensors: out[i][j] = a[i] * b[j] (dtypes promote as in `mul`). */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkTensor('outer', a, 'first operand');
  checkTensor('outer', b, 'second operand');
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new RangeError(`outer: expected 1-D tensors, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  return mul(unsqueeze(a, 1), unsqueeze(b, 0));
}
