import { pad } from '@tessera/tensor';
import type { BuiltinGradRule, BuiltinRules } from '../rule.js';

// Gradient rules of copying shape ops.

// cat: the gradient is cut back into the inputs' pieces.
const catRule: BuiltinGradRule<'cat'> = {
  backward(ctx, g) {
    const { dim, sizes } = ctx.attrs as { dim: number; sizes: readonly number[] };
    let pos = 0;
    return sizes.map((size, i) => {
      const start = pos;
      pos += size;
      return ctx.needsInputGrad(i) ? g.narrow(dim, start, size) : null;
    });
  },
};

const flipRule: BuiltinGradRule<'flip'> = {
  backward: (ctx, g) => [g.flip(ctx.attrs.dims as readonly number[])],
};

// Constant padding: the gradient is cropped back (padding by the negated amounts).
const padRule: BuiltinGradRule<'pad'> = {
  backward(ctx, g) {
    const amounts = ctx.attrs.pad as readonly number[];
    return [
      pad(
        g,
        amounts.map((p) => -p),
      ),
    ];
  },
};

/** The rules of this family, keyed by op name. */
export const SHAPING_RULES = {
  cat: catRule,
  flip: flipRule,
  pad: padRule,
} satisfies BuiltinRules;
