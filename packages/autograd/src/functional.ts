import { Tensor, zerosLike } from '@tessera/tensor';
import { autogradGrad } from './backward.js';
import { requiresGrad } from './meta.js';
import { enableGrad, isGradEnabled } from './mode.js';
import { isFloatDType } from './util.js';

/** One gradient per argument of `f`: a tensor for tensor arguments, null for the others. */
export type GradsOf<A extends readonly unknown[]> = { [K in keyof A]: A[K] extends Tensor ? Tensor : null };

interface Prepared {
  args: unknown[];
  /** Positions of the arguments that are differentiated. */
  positions: number[];
  /** Whether an argument was already part of a graph (nested differentiation). */
  nested: boolean;
}

/**
 * Makes every floating-point tensor argument a graph input: arguments that already require grad
 * are used as they are (so an enclosing differentiation sees through), others become fresh leaves
 * sharing their data. Integer and bool tensors are passed through and get no gradient.
 */
function prepare(args: readonly unknown[]): Prepared {
  const out = [...args];
  const positions: number[] = [];
  let nested = false;
  args.forEach((a, i) => {
    if (!(a instanceof Tensor) || !isFloatDType(a.dtype)) return;
    positions.push(i);
    if (requiresGrad(a)) nested = true;
    else out[i] = a.detach().requiresGrad_(true);
  });
  return { args: out, positions, nested: nested && isGradEnabled() };
}

/**
 * Returns a function computing `f`'s value and its gradients with respect to every floating-point
 * tensor argument (JAX's `value_and_grad`). `f` must return a one-element tensor. No `.grad` is
 * touched; arguments `f` does not use get zero gradients; integer/bool tensor arguments and
 * non-tensor arguments get null. Calls compose: `grad(x => grad(f)(x)[0])` is the second derivative.
 */
export function valueAndGrad<A extends unknown[]>(
  f: (...args: A) => Tensor,
): (...args: A) => [Tensor, GradsOf<A>] {
  return (...args: A): [Tensor, GradsOf<A>] => {
    const p = prepare(args);
    const value = enableGrad(() => f(...(p.args as A)));
    if (!(value instanceof Tensor)) throw new TypeError('valueAndGrad: the function must return a tensor');
    if (value.numel() !== 1) {
      throw new RangeError(
        `valueAndGrad: the function must return a one-element tensor, got shape [${value.shape.join(',')}]; use vjp() for other outputs`,
      );
    }
    const grads = gradsOf(value, p, undefined);
    return [p.nested ? value : value.detach(), grads as GradsOf<A>];
  };
}

/** Returns a function computing the gradients of `f` (see `valueAndGrad`). */
export function grad<A extends unknown[]>(f: (...args: A) => Tensor): (...args: A) => GradsOf<A> {
  const vg = valueAndGrad(f);
  return (...args: A): GradsOf<A> => vg(...args)[1];
}

/**
 * Vector-Jacobian product: evaluates `f(...inputs)` and the gradient of `sum(output * v)` with
 * respect to each input (`v` may be omitted for one-element outputs). Returns
 * `[output, gradients]` with one gradient per input (zeros for inputs the output does not use).
 */
export function vjp(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor | readonly Tensor[],
  v?: Tensor,
): [Tensor, Tensor[]] {
  const list = inputs instanceof Tensor ? [inputs] : [...inputs];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor) || !isFloatDType(t.dtype)) {
      throw new TypeError(`vjp: inputs[${i}] must be a floating-point tensor`);
    }
  });
  const p = prepare(list);
  const out = enableGrad(() => f(...(p.args as Tensor[])));
  if (!(out instanceof Tensor)) throw new TypeError('vjp: the function must return a tensor');
  const grads = gradsOf(out, p, v);
  return [p.nested ? out : out.detach(), grads as Tensor[]];
}

function gradsOf(out: Tensor, p: Prepared, v: Tensor | undefined): (Tensor | null)[] {
  const res: (Tensor | null)[] = p.args.map(() => null);
  const inputs = p.positions.map((i) => p.args[i] as Tensor);
  if (inputs.length === 0) return res;
  let gs: (Tensor | null)[];
  if (requiresGrad(out)) {
    gs = autogradGrad(out, inputs, v ?? null, { createGraph: p.nested, allowUnused: true });
  } else {
    if (v === undefined && out.numel() !== 1) {
      throw new Error(`vjp: a gradient v is needed for an output of shape [${out.shape.join(',')}]`);
    }
    gs = inputs.map(() => null);
  }
  p.positions.forEach((pos, k) => {
    res[pos] = gs[k] ?? zerosLike(inputs[k]!);
  });
  return res;
}
