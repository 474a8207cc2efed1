/**
 * @tessera/example-softclip: an op added to Tessera from outside its core packages with the
 * extension API. `softclip(x, lo, hi)` is a smooth clamp to [lo, hi]:
 *
 *   softclip(x) = lo + softplus(x - lo) - softplus(x - hi)
 *
 * It is declared once (`registerOp`: name, result dtype, attributes with their defaults), given a
 * CPU kernel and a WGSL kernel, and a gradient rule (`registerGradient`) written with tensor ops,
 * so autograd, double backward and the WebGPU backend work as for a built-in op.
 */
import { registerGradient } from '@tessera/autograd';
import { callOp, registerOp, Tensor } from '@tessera/tensor';

/** softplus(z) = log(1 + e^z), computed without overflow. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** The same in WGSL (`log1p_` is one of @tessera/gpu's accurate helpers). */
const softplusWgsl = (z: string): string => `(max(${z}, 0.0) + log1p_(exp(-abs(${z}))))`;

/** The declaration of `softclip`: the key of its kernels and its gradient rule. */
export const SOFTCLIP = registerOp(
  {
    name: 'softclip',
    kind: 'unary',
    dtype: 'float',
    attrs: { lo: -1, hi: 1 },
    doc: 'lo + softplus(x − lo) − softplus(x − hi): a smooth clamp to [lo, hi]',
  },
  {
    cpu: (x, { lo, hi }) => lo + softplus(x - lo) - softplus(x - hi),
    wgsl: `LO + ${softplusWgsl('x - LO')} - ${softplusWgsl('x - HI')}`,
  },
);

// d/dx softclip = sigmoid(x - lo) - sigmoid(x - hi); written with tensor ops, so it differentiates
// again (double backward).
registerGradient(SOFTCLIP, {
  saveInputs: true,
  backward: (ctx, g) => {
    const x = ctx.input(0);
    const { lo, hi } = ctx.attrs;
    return [g.mul(x.sub(lo).sigmoid().sub(x.sub(hi).sigmoid()))];
  },
});

/**
 * Smoothly clamps `x` into [lo, hi] (defaults: the declaration's, -1 and 1). Integer and bool
 * inputs compute in float32.
 */
export function softclip(x: Tensor, lo?: number, hi?: number): Tensor {
  const l = lo ?? SOFTCLIP.attrs.lo;
  const h = hi ?? SOFTCLIP.attrs.hi;
  if (!(l < h)) throw new RangeError(`softclip: lo must be less than hi, got lo = ${l}, hi = ${h}`);
  return callOp(SOFTCLIP, [x], { lo: l, hi: h });
}

declare module '@tessera/tensor' {
  interface Tensor {
    /** Smooth clamp into [lo, hi] (see `softclip` in @tessera/example-softclip). */
    softclip(lo?: number, hi?: number): Tensor;
  }
}

(Tensor.prototype as unknown as { softclip: (this: Tensor, lo?: number, hi?: number) => Tensor }).softclip =
  function (this: Tensor, lo?: number, hi?: number): Tensor {
    return softclip(this, lo, hi);
  };
