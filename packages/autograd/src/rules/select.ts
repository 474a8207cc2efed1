import { thresholdBackward, where } from '@tessera/tensor';
import type { BuiltinGradRule, BuiltinRules } from '../rule.js';
import { sumToShape } from './util.js';

// Gradient rules of ops that route the gradient through a mask: where and relu's backward.

// where(cond, a, b): the gradient goes to the selected branch; cond gets none.
const whereRule: BuiltinGradRule<'where'> = {
  saveInputs: [0],
  backward(ctx, g) {
    const cond = ctx.input(0);
    return [
      null,
      ctx.needsInputGrad(1) ? sumToShape(where(cond, g, 0), ctx.inputShape(1)) : null,
      ctx.needsInputGrad(2) ? sumToShape(where(cond, 0, g), ctx.inputShape(2)) : null,
    ];
  },
};

// thresholdBackward is linear in the incoming gradient; the mask input gets none.
const thresholdBackwardRule: BuiltinGradRule<'thresholdBackward'> = {
  saveInputs: [1],
  backward: (ctx, g) => [
    ctx.needsInputGrad(0) ? thresholdBackward(g, ctx.input(1), ctx.attrs.threshold) : null,
    null,
  ],
};

/** The rules of this family, keyed by op name. */
export const SELECT_RULES = {
  where: whereRule,
  thresholdBackward: thresholdBackwardRule,
} satisfies BuiltinRules;
