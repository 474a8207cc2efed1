import { full, type Tensor } from '@tessera/tensor';

// In-place update steps used by the optimizers. Each writes into `target` and disposes every
// temporary it creates, so a step leaves no tensors behind but the ones kept in the state.
// Scalars are passed to tensor ops as 0-d tensors made (and disposed) here: a JS number operand
// would make the op create a 0-d tensor that lives until garbage collection.
// The arithmetic order follows PyTorch's CPU kernels (e.g. addcdiv is `self + value * t1 / t2`).

/** A 0-d tensor holding `v`, with `like`'s dtype and device. The caller disposes it. */
export function scalar(like: Tensor, v: number): Tensor {
  return full([], v, { dtype: like.dtype, device: like.device });
}

// Inside `withScalarCache` (an optimizer's step), the 0-d operands are made once per value, dtype
// and device and shared by every parameter's update: Adam uses the same β₂, bias correction and ε
// for all of them, and each 0-d tensor costs an allocation, a fill and a dispose. They are
// operands only (never written) and are disposed when the step ends.

let cache: Map<string, Tensor> | null = null;

/** Runs `fn` with the 0-d operands of the helpers below shared, and disposes them afterwards. */
export function withScalarCache<T>(fn: () => T): T {
  if (cache !== null) return fn();
  const own = new Map<string, Tensor>();
  cache = own;
  try {
    return fn();
  } finally {
    cache = null;
    for (const s of own.values()) s.dispose();
  }
}

/** A 0-d operand holding `v` for `like`; hand it back with `release`. */
function operand(like: Tensor, v: number): Tensor {
  if (cache === null) return scalar(like, v);
  // Object.is keeps -0 apart from 0 (their string forms are the same).
  const k = `${like.dtype}:${like.device}:${Object.is(v, -0) ? '-0' : v}`;
  let s = cache.get(k);
  if (s === undefined) {
    s = scalar(like, v);
    cache.set(k, s);
  }
  return s;
}

/** Disposes an operand from `operand` unless the step's cache owns it. */
function release(s: Tensor): void {
  if (cache === null) s.dispose();
}

/** t *= v. */
export function mulS_(t: Tensor, v: number): void {
  if (v === 1) return;
  const s = operand(t, v);
  t.mul_(s);
  release(s);
}

/** t += v. */
export function addS_(t: Tensor, v: number): void {
  const s = operand(t, v);
  t.add_(s);
  release(s);
}

/** t /= v. */
export function divS_(t: Tensor, v: number): void {
  const s = operand(t, v);
  t.div_(s);
  release(s);
}

/** t * v, a new tensor. */
export function mulS(t: Tensor, v: number): Tensor {
  const s = operand(t, v);
  const r = t.mul(s);
  release(s);
  return r;
}

/** t + v, a new tensor. */
export function addS(t: Tensor, v: number): Tensor {
  const s = operand(t, v);
  const r = t.add(s);
  release(s);
  return r;
}

/** t / v, a new tensor. */
export function divS(t: Tensor, v: number): Tensor {
  const s = operand(t, v);
  const r = t.div(s);
  release(s);
  return r;
}

/** t ** v, a new tensor. */
export function powS(t: Tensor, v: number): Tensor {
  const s = operand(t, v);
  const r = t.pow(s);
  release(s);
  return r;
}

// The updates below call tensor's in-place ops, which run as one fused pass over contiguous
// operands where the backend has the kernels (no temporaries) and fall back to the same chain of
// ops, in the same order, otherwise.

/** target += alpha * other. */
export function addScaled(target: Tensor, other: Tensor, alpha: number): void {
  target.add_(other, alpha);
}

/** target += alpha * t, where `t` is a temporary owned by the caller: it is scaled in place and disposed. */
export function addScaledConsume(target: Tensor, t: Tensor, alpha: number): void {
  mulS_(t, alpha);
  target.add_(t);
  t.dispose();
}

/** target += value * t1 * t2, as (value * t1) * t2. */
export function addcmul(target: Tensor, t1: Tensor, t2: Tensor, value: number): void {
  target.addcmul_(t1, t2, value);
}

/** target += value * t1 / t2, as (value * t1) / t2. */
export function addcdiv(target: Tensor, t1: Tensor, t2: Tensor, value: number): void {
  target.addcdiv_(t1, t2, value);
}

/**
 * target += weight * (end - target), with PyTorch's two-sided formula: for |weight| >= 0.5 it
 * computes `end - (end - target) * (1 - weight)`, which is more accurate there.
 */
export function lerpTo(target: Tensor, end: Tensor, weight: number): void {
  target.lerp_(end, weight);
}

/**
 * The gradient an update uses: `grad`, negated when maximising, plus `weightDecay * value`
 * (PyTorch's coupled L2 penalty). `owned` tells whether it is a new tensor the caller must dispose.
 */
export function effectiveGrad(
  value: Tensor,
  grad: Tensor,
  maximize: boolean,
  weightDecay: number,
): { g: Tensor; owned: boolean } {
  if (weightDecay === 0) return maximize ? { g: grad.neg(), owned: true } : { g: grad, owned: false };
  // (±grad) + wd * value, computed as wd * value ± grad (IEEE addition is commutative).
  const g = mulS(value, weightDecay);
  if (maximize) g.sub_(grad);
  else g.add_(grad);
  return { g, owned: true };
}
