import type { BinaryOp } from '../backend.js';
import { runOp } from '../dispatch.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { binaryIn, cast, resultType } from './elementwise.js';
import { UNARY_DECLS } from './unary-decls.js';
import { checkTensor, emptyOut } from './util.js';

// Comparisons and logical ops: bool results, never differentiable. Both operands are promoted to
// a common dtype first (as for arithmetic); logical ops treat non-zero as true.

function compare(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  return binaryIn(op, a, b, resultType(a, b), 'bool');
}

function logical(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  return binaryIn(op, a, b, 'bool', 'bool');
}

/** a == b (bool). */
export const eq = (a: TensorLike, b: TensorLike): Tensor => compare('eq', a, b);
/** a != b (bool). */
export const ne = (a: TensorLike, b: TensorLike): Tensor => compare('ne', a, b);
/** a < b (bool). */
export const lt = (a: TensorLike, b: TensorLike): Tensor => compare('lt', a, b);
/** a <= b (bool). */
export const le = (a: TensorLike, b: TensorLike): Tensor => compare('le', a, b);
/** a > b (bool). */
export const gt = (a: TensorLike, b: TensorLike): Tensor => compare('gt', a, b);
/** a >= b (bool). */
export const ge = (a: TensorLike, b: TensorLike): Tensor => compare('ge', a, b);
/** Logical and (non-zero is true). */
export const and = (a: TensorLike, b: TensorLike): Tensor => logical('and', a, b);
/** Logical or. */
export const or = (a: TensorLike, b: TensorLike): Tensor => logical('or', a, b);
/** Logical exclusive or. */
export const xor = (a: TensorLike, b: TensorLike): Tensor => logical('xor', a, b);
/** Logical not (non-zero is true). */
export function not(x: Tensor): Tensor {
  checkTensor('not', x);
  const input = x.dtype === 'bool' ? x : cast(x, 'bool');
  return runOp(UNARY_DECLS.not, [input], undefined, () => {
    const b = input.storage('not').backend;
    const out = emptyOut(b, 'bool', input.shape);
    if (out.numel() > 0) b.unary('not', out.viewFor('not'), input.viewFor('not'), {});
    return out;
  });
}
