import { cat, ones, type Tensor, where, zeros } from '@tessera/tensor';
import type { BuiltinGradRule, BuiltinRules } from '../rule.js';
import { expandReduced, unreduce } from './util.js';

// Gradient rules of reductions, scans and softmax. Attrs: `dims` (sorted, non-negative) and
// `keepdim` for reductions, `dim` for scans and softmax.

interface ReduceAttrs {
  dims: readonly number[];
  keepdim: boolean;
}

const sumRule: BuiltinGradRule<'sum'> = {
  backward(ctx, g) {
    const { dims, keepdim } = ctx.attrs as ReduceAttrs;
    return [expandReduced(g, dims, keepdim, ctx.inputShape(0))];
  },
};

/**
 * prod: d out / d x_i is the product of the other elements of its slice, computed without any
 * division as (exclusive cumprod from the left) * (exclusive cumprod from the right), so zeros
 * are exact, and second derivatives are too (as PyTorch's prod_safe_zeros_backward).
 */
const prodRule: BuiltinGradRule<'prod'> = {
  saveInputs: true,
  backward(ctx, g) {
    const { dims, keepdim } = ctx.attrs as ReduceAttrs;
    const x = ctx.input(0);
    const shape = ctx.inputShape(0);
    const gu = unreduce(g, dims, keepdim, shape);
    const n = dims.reduce((acc, d) => acc * shape[d]!, 1);
    if (n === 0 || x.numel() === 0) return [zeros(shape, { dtype: x.dtype, device: x.device })];
    const kept = shape.map((_, i) => i).filter((i) => !dims.includes(i));
    const perm = [...kept, ...dims];
    const identity = perm.every((d, i) => d === i);
    const keptShape = kept.map((d) => shape[d]!);
    const permuted = identity ? x : x.permute(perm);
    const rows = permuted.reshape([...keptShape, n]);
    const one = ones([...keptShape, 1], { dtype: x.dtype, device: x.device });
    const last = keptShape.length;
    const left = cat([one, rows.narrow(last, 0, n - 1)], last).cumprod(last);
    const right = cat([one, rows.flip([last]).narrow(last, 0, n - 1)], last)
      .cumprod(last)
      .flip([last]);
    let others = left.mul(right).reshape(permuted.shape);
    if (!identity) {
      const inv = new Array<number>(perm.length);
      perm.forEach((d, i) => {
        inv[d] = i;
      });
      others = others.permute(inv);
    }
    return [others.mul(gu)];
  },
};

/** amax / amin: the gradient is split evenly between the elements equal to the extreme value. */
function extremeRule(): BuiltinGradRule<'amax' | 'amin'> {
  return {
    saveInputs: true,
    saveOutputs: true,
    backward(ctx, g) {
      const { dims, keepdim } = ctx.attrs as ReduceAttrs;
      const shape = ctx.inputShape(0);
      const x = ctx.input(0);
      const mask = x.eq(unreduce(ctx.output(0), dims, keepdim, shape));
      const count = mask.sum(dims, true).cast(x.dtype);
      return [where(mask, unreduce(g, dims, keepdim, shape).div(count), 0)];
    },
  };
}

/**
 * Vector p-norm. Where the norm is 0 the gradient is 0 (a subgradient), as PyTorch. p = ±Inf
 * splits the gradient evenly between the elements of extreme magnitude; p = 0 has zero gradient.
 */
const normRule: BuiltinGradRule<'norm'> = {
  saveInputs: true,
  saveOutputs: true,
  backward(ctx, g) {
    const { p, dims, keepdim } = ctx.attrs as ReduceAttrs & { p: number };
    const shape = ctx.inputShape(0);
    const x = ctx.input(0);
    const gu = unreduce(g, dims, keepdim, shape);
    if (p === 0) return [x.mul(0)];
    if (p === 1) return [x.sign().mul(gu)];
    const out = unreduce(ctx.output(0), dims, keepdim, shape);
    const isZero = out.eq(0);
    const safeOut = where(isZero, 1, out);
    if (!Number.isFinite(p)) {
      const mask = x.abs().eq(out);
      const count = mask.sum(dims, true).cast(x.dtype);
      return [where(mask, x.sign().mul(gu).div(count), 0)];
    }
    if (p === 2) return [where(isZero, 0, x.div(safeOut).mul(gu))];
    const ax = x.abs();
    const xZero = x.eq(0);
    const scaled = where(xZero, 0, x.sign().mul(where(xZero, 1, ax).pow(p - 1)));
    return [where(isZero, 0, scaled.mul(gu).div(safeOut.pow(p - 1)))];
  },
};

/** Sum from the end: out[i] = t[i] + t[i+1] + ... along `dim`. */
function reverseCumsum(t: Tensor, dim: number): Tensor {
  return t.flip([dim]).cumsum(dim).flip([dim]);
}

const cumsumRule: BuiltinGradRule<'cumsum'> = {
  backward: (ctx, g) => [reverseCumsum(g, ctx.attrs.dim as number)],
};

/**
 * cumprod: grad_i = sum_{k >= i} g_k * prod_{j <= k, j != i} x_j. Before the first zero of a row
 * that is reverseCumsum(g * y)_i / x_i; at the first zero it is reverseCumsum(g * y')_i where y'
 * is the cumprod with that zero replaced by 1; after it, 0. No division by zero anywhere. First
 * derivatives are exact everywhere; second derivatives are exact except with respect to a zero
 * for positions after it (the formula is locally constant there).
 */
const cumprodRule: BuiltinGradRule<'cumprod'> = {
  saveInputs: true,
  saveOutputs: true,
  backward(ctx, g) {
    const dim = ctx.attrs.dim as number;
    const x = ctx.input(0);
    const y = ctx.output(0);
    const isZero = x.eq(0);
    const zerosSoFar = isZero.cumsum(dim);
    const before = zerosSoFar.eq(0);
    const firstZero = isZero.and(zerosSoFar.eq(1));
    const safe = where(before, x, 1);
    const regular = reverseCumsum(g.mul(y), dim).div(safe);
    const yWithout = where(firstZero, 1, x).cumprod(dim);
    const atZero = reverseCumsum(g.mul(yWithout), dim);
    return [where(before, regular, where(firstZero, atZero, 0))];
  },
};

const softmaxRule: BuiltinGradRule<'softmax'> = {
  saveOutputs: true,
  backward(ctx, g) {
    const dim = ctx.attrs.dim as number;
    const y = ctx.output(0);
    return [y.mul(g.sub(g.mul(y).sum(dim, true)))];
  },
};

const logSoftmaxRule: BuiltinGradRule<'logSoftmax'> = {
  saveOutputs: true,
  backward(ctx, g) {
    const dim = ctx.attrs.dim as number;
    const y = ctx.output(0);
    return [g.sub(y.exp().mul(g.sum(dim, true)))];
  },
};

/** The rules of this family, keyed by op name. */
export const REDUCE_RULES = {
  amax: extremeRule(),
  amin: extremeRule(),
  sum: sumRule,
  prod: prodRule,
  norm: normRule,
  cumsum: cumsumRule,
  cumprod: cumprodRule,
  softmax: softmaxRule,
  logSoftmax: logSoftmaxRule,
} satisfies BuiltinRules;
