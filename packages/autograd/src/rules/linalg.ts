import type { Tensor } from '@tessera/tensor';
import type { BuiltinGradRule, BuiltinRules } from '../rule.js';
import { sumToShape } from './util.js';

// matmul (operands of at least 2 dims; 1-D operands are reshaped around the recorded op):
// dA = dY @ B^T, dB = A^T @ dY, summed over broadcast batch dims.
const matmulRule: BuiltinGradRule<'matmul'> = {
  saveInputs: true,
  backward(ctx, g) {
    const a = ctx.input(0);
    const b = ctx.input(1);
    // dA = dY B^T, dB = A^T dY. As PyTorch's mm_mat1/mat2_backward, the gradient of a transposed
    // 2-D operand (`w.mT` in linear) is computed transposed, (B dY^T)^T or (dY^T A)^T, so that
    // after the transpose's own backward it is contiguous and becomes `.grad` without a copy.
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (ctx.needsInputGrad(0)) ga = transposed(a) ? viewT(mm(b, false, g, true)) : mm(g, false, b, true);
    if (ctx.needsInputGrad(1)) gb = transposed(b) ? viewT(mm(g, true, a, false)) : mm(a, true, g, false);
    return [
      ga === null ? null : sumToShape(ga, ctx.inputShape(0)),
      gb === null ? null : sumToShape(gb, ctx.inputShape(1)),
    ];
  },
};

/** Whether `t` is 2-D and laid out column-major (the transposed view of a contiguous matrix). */
function transposed(t: Tensor): boolean {
  return t.ndim === 2 && t.shape[0]! > 1 && t.strides[0] === 1 && t.strides[1] === t.shape[0];
}

/** (x or x^T) @ (y or y^T); the transposed views made here are released at once. */
function mm(x: Tensor, tx: boolean, y: Tensor, ty: boolean): Tensor {
  const xv = tx ? x.mT : x;
  const yv = ty ? y.mT : y;
  const r = xv.matmul(yv);
  if (tx) xv.dispose();
  if (ty) yv.dispose();
  return r;
}

/** r^T as a view; `r`, a temporary, is released (the view keeps its memory). */
function viewT(r: Tensor): Tensor {
  const t = r.mT;
  r.dispose();
  return t;
}

/** The rules of this family, keyed by op name. */
export const LINALG_RULES = {
  matmul: matmulRule,
} satisfies BuiltinRules;
