import { pad, scatterAdd, type Tensor } from '@tessera/tensor';
import type { BuiltinGradRule, BuiltinRules, GradContext } from '../rule.js';
import { sameShape } from '../util.js';
import { zerosForInput } from './util.js';

// Gradient rules of index ops. Index tensors (int32) never get gradients. Gathered positions are
// routed back with scatterAdd / indexAdd, so repeated indices add up.

/** `t` (the shape of `index`) zero-padded at the end of each dim up to forward input `i`'s shape. */
function padTo(ctx: GradContext, t: Tensor, i: number): Tensor {
  const shape = ctx.inputShape(i);
  if (sameShape(t.shape, shape)) return t;
  const amounts: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) amounts.push(0, shape[d]! - t.shape[d]!);
  return pad(t, amounts);
}

const gatherRule: BuiltinGradRule<'gather'> = {
  saveInputs: [1],
  backward(ctx, g) {
    const dim = ctx.attrs.dim as number;
    return [scatterAdd(zerosForInput(ctx, 0), dim, ctx.input(1), g), null];
  },
};

const scatterRule: BuiltinGradRule<'scatter'> = {
  saveInputs: [1],
  backward(ctx, g) {
    const dim = ctx.attrs.dim as number;
    const index = ctx.input(1);
    return [
      ctx.needsInputGrad(0) ? g.scatter(dim, index, 0) : null,
      null,
      ctx.needsInputGrad(2) ? padTo(ctx, g.gather(dim, index), 2) : null,
    ];
  },
};

const scatterAddRule: BuiltinGradRule<'scatterAdd'> = {
  saveInputs: [1],
  backward(ctx, g) {
    const dim = ctx.attrs.dim as number;
    return [g, null, ctx.needsInputGrad(2) ? padTo(ctx, g.gather(dim, ctx.input(1)), 2) : null];
  },
};

const indexSelectRule: BuiltinGradRule<'indexSelect'> = {
  saveInputs: [1],
  backward(ctx, g) {
    const dim = ctx.attrs.dim as number;
    return [zerosForInput(ctx, 0).indexAdd(dim, ctx.input(1), g), null];
  },
};

const indexAddRule: BuiltinGradRule<'indexAdd'> = {
  saveInputs: [1],
  backward(ctx, g) {
    const { dim, alpha } = ctx.attrs as { dim: number; alpha: number };
    if (!ctx.needsInputGrad(2)) return [g, null, null];
    const s = g.indexSelect(dim, ctx.input(1));
    return [g, null, alpha === 1 ? s : s.mul(alpha)];
  },
};

/** The rules of this family, keyed by op name. */
export const INDEXING_RULES = {
  gather: gatherRule,
  scatter: scatterRule,
  scatterAdd: scatterAddRule,
  indexSelect: indexSelectRule,
  indexAdd: indexAddRule,
} satisfies BuiltinRules;
