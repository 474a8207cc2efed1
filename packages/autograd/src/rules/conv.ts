import {
  avgPool2d,
  avgPool2dBackward,
  type Conv2dParams,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  fold,
  maxPool2dBackward,
  type Pool2dParams,
  type Tensor,
  unfold,
} from '@tessera/tensor';
import type { BuiltinGradRule, BuiltinRules } from '../rule.js';

// Gradient rules of convolution, pooling and im2col/col2im. conv2d and its two backward ops are
// each other's gradients (they are bilinear), so second derivatives come for free.

type ConvGrad = (g: Tensor, a: Tensor, b: Tensor, params: Conv2dParams) => Tensor;

/**
 * The rule of a bilinear convolution op f(a, b) (`attrs.params`: its Conv2dParams): the gradient
 * of input a is `gradA(g, a, b, params)`, that of b `gradB(...)`, each one of the three conv ops.
 */
function bilinearConvRule(
  gradA: ConvGrad,
  gradB: ConvGrad,
): BuiltinGradRule<'conv2d' | 'conv2dBackwardInput' | 'conv2dBackwardWeight'> {
  return {
    saveInputs: true,
    backward(ctx, g) {
      const params = ctx.attrs.params;
      const a = ctx.input(0);
      const b = ctx.input(1);
      return [
        ctx.needsInputGrad(0) ? gradA(g, a, b, params) : null,
        ctx.needsInputGrad(1) ? gradB(g, a, b, params) : null,
      ];
    },
  };
}

// y = conv2d(x, w)
const conv2dRule = bilinearConvRule(
  (g, x, w, p) => conv2dBackwardInput(g, w, x.shape, p),
  (g, x, w, p) => conv2dBackwardWeight(x, g, w.shape, p),
);
// dx = conv2dBackwardInput(dy, w)
const conv2dBackwardInputRule = bilinearConvRule(
  (g, _dy, w, p) => conv2d(g, w, null, p),
  (g, dy, w, p) => conv2dBackwardWeight(g, dy, w.shape, p),
);
// dw = conv2dBackwardWeight(x, dy)
const conv2dBackwardWeightRule = bilinearConvRule(
  (g, x, dy, p) => conv2dBackwardInput(dy, g, x.shape, p),
  (g, x, _dy, p) => conv2d(x, g, null, p),
);

// maxPool2d: outputs [values, indices]; the gradient goes to each window's maximum.
const maxPool2dRule: BuiltinGradRule<'maxPool2d'> = {
  saveOutputs: [1],
  backward(ctx, g) {
    return [maxPool2dBackward(g, ctx.output(1), ctx.attrs.inputShape as readonly number[])];
  },
};

// maxPool2dBackward is linear in dy: its gradient reads the incoming gradient at the indices.
const maxPool2dBackwardRule: BuiltinGradRule<'maxPool2dBackward'> = {
  saveInputs: [1],
  backward(ctx, g) {
    const indices = ctx.input(1);
    const dyShape = ctx.inputShape(0);
    return [g.flatten(2).gather(2, indices.flatten(2)).reshape(dyShape), null];
  },
};

const avgPool2dRule: BuiltinGradRule<'avgPool2d'> = {
  backward(ctx, g) {
    return [avgPool2dBackward(g, ctx.inputShape(0), ctx.attrs.params as Pool2dParams)];
  },
};

// avgPool2dBackward is linear in dy and the adjoint of avgPool2d.
const avgPool2dBackwardRule: BuiltinGradRule<'avgPool2dBackward'> = {
  backward(ctx, g) {
    const { kernel, ...opts } = ctx.attrs.params as Pool2dParams;
    return [avgPool2d(g, kernel, opts)];
  },
};

/** unfold/fold options equivalent to a recorded im2col/col2im's params (symmetric padding). */
function foldOptions(p: Conv2dParams) {
  return {
    stride: p.stride,
    dilation: p.dilation,
    padding: [p.padding[0], p.padding[2]] as [number, number],
  };
}

// im2col (unfold) and col2im (fold) are adjoint: each one's gradient is the other.
const im2colRule: BuiltinGradRule<'im2col'> = {
  backward(ctx, g) {
    const shape = ctx.inputShape(0);
    const kernel = ctx.attrs.kernel as [number, number];
    return [fold(g, [shape[2]!, shape[3]!], kernel, foldOptions(ctx.attrs.params as Conv2dParams))];
  },
};

const col2imRule: BuiltinGradRule<'col2im'> = {
  backward(ctx, g) {
    const kernel = ctx.attrs.kernel as [number, number];
    return [unfold(g, kernel, foldOptions(ctx.attrs.params as Conv2dParams)) as Tensor];
  },
};

/** The rules of this family, keyed by op name. */
export const CONV_RULES = {
  conv2d: conv2dRule,
  conv2dBackwardInput: conv2dBackwardInputRule,
  conv2dBackwardWeight: conv2dBackwardWeightRule,
  maxPool2d: maxPool2dRule,
  maxPool2dBackward: maxPool2dBackwardRule,
  avgPool2d: avgPool2dRule,
  avgPool2dBackward: avgPool2dBackwardRule,
  im2col: im2colRule,
  col2im: col2imRule,
} satisfies BuiltinRules;
