import { checkOptions, div, isFloating, type Tensor, tensor } from '@tessera/tensor';
import { withoutRecording } from './no-grad.js';
import { gradOf, type ParamLike, paramList } from './params.js';
import { checkNumber } from './validate.js';

/** Options of `clipGradNorm_`. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or ±Infinity instead of scaling by it (default false). */
  errorIfNonfinite?: boolean;
}

/** The p-norm of a list of 0-d norms, i.e. the norm of all the gradients together. */
function combineNorms(norms: Tensor[], p: number): Tensor {
  if (norms.length === 1) return norms[0]!;
  if (p === Infinity) {
    let acc = norms[0]!.maximum(norms[1]!);
    for (let i = 2; i < norms.length; i++) {
      const next = acc.maximum(norms[i]!);
      acc.dispose();
      acc = next;
    }
    for (const n of norms) n.dispose();
    return acc;
  }
  let acc = norms[0]!.pow(p);
  for (let i = 1; i < norms.length; i++) {
    const t = norms[i]!.pow(p);
    const next = acc.add(t);
    acc.dispose();
    t.dispose();
    acc = next;
  }
  for (const n of norms) n.dispose();
  const total = acc.pow(1 / p);
  acc.dispose();
  return total;
}

/**
 * Rescales the gradients of `params` in place so that their total `normType`-norm (computed over
 * all gradients together, as if concatenated) is at most `maxNorm`, as
 * `torch.nn.utils.clip_grad_norm_`: each gradient is multiplied by min(1, maxNorm/(total + 1e-6)).
 * `normType` is a positive number or `Infinity` (also `'inf'`). Parameters without a gradient are
 * skipped. Returns the total norm before clipping (a new 0-d tensor; 0 when there are no
 * gradients). With `errorIfNonfinite`, a NaN/infinite total throws (this reads the value back,
 * so on backends that cannot read synchronously leave it off and check the returned norm).
 */
export function clipGradNorm_(
  params: ParamLike | Iterable<ParamLike>,
  maxNorm: number,
  normType: number | 'inf' = 2,
  opts: ClipGradNormOptions = {},
): Tensor {
  const op = 'clipGradNorm_';
  const { errorIfNonfinite = false } = checkOptions(op, opts, { errorIfNonfinite: 'boolean' });
  const list = paramList(op, params);
  checkNumber(op, 'maxNorm', maxNorm, { min: 0, allowInfinite: true });
  const p = checkNumber(op, 'normType', normType === 'inf' ? Infinity : normType, {
    min: 0,
    minExclusive: true,
    allowInfinite: true,
  });
  const grads = list.map(gradOf).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return tensor(0, { dtype: 'float32' });
  const device = grads[0]!.device;
  grads.forEach((g, i) => {
    if (!isFloating(g.dtype))
      throw new TypeError(`${op}: gradient ${i} has dtype ${g.dtype}, not a floating point type`);
    if (g.device !== device) {
      throw new Error(
        `${op}: gradients are on different devices (${device} and ${g.device}); move them to one device`,
      );
    }
  });
  return withoutRecording(() => {
    // Empty gradients add nothing to any p-norm (and have no ∞-norm of their own).
    const nonEmpty = grads.filter((g) => g.numel() > 0);
    const total =
      nonEmpty.length === 0
        ? tensor(0, { dtype: grads[0]!.dtype, device })
        : combineNorms(
            nonEmpty.map((g) => g.norm(p)),
            p,
          );
    if (errorIfNonfinite) {
      const finite = total.isfinite();
      const ok = finite.item();
      finite.dispose();
      if (!ok) {
        const v = total.item();
        total.dispose();
        throw new RangeError(
          `${op}: the total norm of order ${p} of the gradients is non-finite (${v}), so it cannot be clipped; pass errorIfNonfinite: false to scale the gradients by it anyway`,
        );
      }
    }
    const den = total.add(1e-6);
    const coef = div(maxNorm, den);
    den.dispose();
    coef.clamp_(null, 1);
    const byDtype = new Map<string, Tensor>([[coef.dtype, coef]]);
    for (const g of grads) {
      let c = byDtype.get(g.dtype);
      if (c === undefined) {
        c = coef.cast(g.dtype);
        byDtype.set(g.dtype, c);
      }
      g.mul_(c);
    }
    for (const c of byDtype.values()) c.dispose();
    return total;
  });
}

/**
 * Clamps every gradient of `params` in place to [-clipValue, clipValue], as
 * `torch.nn.utils.clip_grad_value_`. Parameters without a gradient are skipped.
 */
export function clipGradValue_(params: ParamLike | Iterable<ParamLike>, clipValue: number): void {
  const op = 'clipGradValue_';
  const list = paramList(op, params);
  checkNumber(op, 'clipValue', clipValue, { min: 0, allowInfinite: true });
  withoutRecording(() => {
    for (const p of list) gradOf(p)?.clamp_(-clipValue, clipValue);
  });
}
