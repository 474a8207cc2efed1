import { pad } from '@tessera/tensor';
import { registerGradRule as rule } from '../rule.js';

// Gradient rules of copying shape ops.

// cat: the gradient is cut back into the inputs' pieces.
rule('cat', {
  backward(ctx, g) {
    const { dim, sizes } = ctx.attrs as { dim: number; sizes: readonly number[] };
    let pos = 0;
    return sizes.map((size, i) => {
      const start = pos;
      pos += size;
      return ctx.needsInputGrad(i) ? g.narrow(dim, start, size) : null;
    });
  },
});

rule('flip', { backward: (ctx, g) => [g.flip(ctx.attrs.dims as readonly number[])] });

// Constant padding: the gradient is cropped back (padding by the negated amounts).
rule('pad', {
  backward(ctx, g) {
    const amounts = ctx.attrs.pad as readonly number[];
    return [
      pad(
        g,
        amounts.map((p) => -p),
      ),
    ];
  },
});
