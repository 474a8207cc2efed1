import { registerGradRule as rule } from '../rule.js';
import { sumToShape } from './util.js';

// matmul (operands of at least 2 dims; 1-D operands are reshaped around the recorded op):
// dA = dY @ B^T, dB = A^T @ dY, summed over broadcast batch dims.
rule('matmul', {
  saveInputs: true,
  backward(ctx, g) {
    const a = ctx.input(0);
    const b = ctx.input(1);
    return [
      ctx.needsInputGrad(0) ? sumToShape(g.matmul(b.mT), ctx.inputShape(0)) : null,
      ctx.needsInputGrad(1) ? sumToShape(a.mT.matmul(g), ctx.inputShape(1)) : null,
    ];
  },
});
