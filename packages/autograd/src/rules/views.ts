import { diagonalScatter, type OpAttrs, selectScatter, sliceScatter, type Tensor } from '@tessera/tensor';
import type { BuiltinGradRule, BuiltinRules } from '../rule.js';
import { sumToShape, zerosForInput, zerosLikeShape } from './util.js';

// Gradient rules of view ops (and copies that keep the shape): the gradient is viewed back, or
// written into zeros at the viewed positions with the matching *Scatter op.

const reshapeRule: BuiltinGradRule<'reshape'> = { backward: (ctx, g) => [g.reshape(ctx.inputShape(0))] };
const permuteRule: BuiltinGradRule<'permute'> = {
  backward(ctx, g) {
    const dims = ctx.attrs.dims as readonly number[];
    const inv = new Array<number>(dims.length);
    dims.forEach((d, i) => {
      inv[d] = i;
    });
    return [g.permute(inv)];
  },
};
const expandRule: BuiltinGradRule<'expand'> = { backward: (ctx, g) => [sumToShape(g, ctx.inputShape(0))] };
const contiguousRule: BuiltinGradRule<'contiguous'> = { backward: (_ctx, g) => [g] };
const cloneRule: BuiltinGradRule<'clone'> = { backward: (_ctx, g) => [g] };

/** `end` for calling slice/sliceScatter with a recorded slice's (start, length, step). */
function sliceEnd(start: number, length: number, step: number): number | undefined {
  const end = start + length * step;
  return end < 0 ? undefined : end;
}

const sliceRule: BuiltinGradRule<'slice'> = {
  backward(ctx, g) {
    const { dim, start, length, step } = ctx.attrs as {
      dim: number;
      start: number;
      length: number;
      step: number;
    };
    const z = zerosForInput(ctx, 0);
    if (length === 0) return [z];
    return [sliceScatter(z, g, dim, start, sliceEnd(start, length, step), step)];
  },
};
const selectRule: BuiltinGradRule<'select'> = {
  backward(ctx, g) {
    const { dim, index } = ctx.attrs as { dim: number; index: number };
    return [selectScatter(zerosForInput(ctx, 0), g, dim, index)];
  },
};
const diagonalRule: BuiltinGradRule<'diagonal'> = {
  backward(ctx, g) {
    const { offset, dim1, dim2 } = ctx.attrs as { offset: number; dim1: number; dim2: number };
    return [diagonalScatter(zerosForInput(ctx, 0), g, offset, dim1, dim2)];
  },
};

/** Gradients of a *Scatter op: base gets g with the window zeroed, src gets g's window. */
function scatterView<N extends 'sliceScatter' | 'selectScatter' | 'diagonalScatter'>(
  window: (g: Tensor, a: OpAttrs<N>) => Tensor,
  write: (g: Tensor, z: Tensor, a: OpAttrs<N>) => Tensor,
): BuiltinGradRule<N> {
  return {
    backward(ctx, g) {
      return [
        ctx.needsInputGrad(0) ? write(g, zerosLikeShape(g, ctx.inputShape(1)), ctx.attrs) : null,
        ctx.needsInputGrad(1) ? window(g, ctx.attrs) : null,
      ];
    },
  };
}

const sliceScatterRule = scatterView<'sliceScatter'>(
  (g, a) => g.slice(a.dim, a.start, sliceEnd(a.start, a.length, a.step), a.step),
  (g, z, a) =>
    a.length === 0 ? g : sliceScatter(g, z, a.dim, a.start, sliceEnd(a.start, a.length, a.step), a.step),
);
const selectScatterRule = scatterView<'selectScatter'>(
  (g, a) => g.select(a.dim, a.index),
  (g, z, a) => selectScatter(g, z, a.dim, a.index),
);
const diagonalScatterRule = scatterView<'diagonalScatter'>(
  (g, a) => g.diagonal(a.offset, a.dim1, a.dim2),
  (g, z, a) => diagonalScatter(g, z, a.offset, a.dim1, a.dim2),
);

// dtype conversion: the gradient is converted back.
const castRule: BuiltinGradRule<'cast'> = { backward: (ctx, g) => [g.cast(ctx.inputDtype(0))] };
// device transfer: the gradient moves back to the input's device.
const toRule: BuiltinGradRule<'to'> = { backward: (ctx, g) => [g.to(ctx.inputDevice(0))] };

/** The rules of this family, keyed by op name. */
export const VIEW_RULES = {
  reshape: reshapeRule,
  permute: permuteRule,
  expand: expandRule,
  contiguous: contiguousRule,
  clone: cloneRule,
  slice: sliceRule,
  select: selectRule,
  diagonal: diagonalRule,
  sliceScatter: sliceScatterRule,
  selectScatter: selectScatterRule,
  diagonalScatter: diagonalScatterRule,
  cast: castRule,
  to: toRule,
} satisfies BuiltinRules;
