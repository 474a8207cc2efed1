import { Tensor } from '@tessera/tensor';

/**
 * A parameter given as a plain record: the tensor being optimised and its gradient (`null` when
 * there is none, e.g. the parameter did not take part in the loss).
 */
export interface ParamSlot {
  value: Tensor;
  grad: Tensor | null;
}

/**
 * A tensor that may carry a gradient. `@tessera/autograd` gives tensors a settable `grad`
 * property (nn Parameters are such tensors); without autograd a tensor has none, which counts as
 * "no gradient".
 */
export type TensorWithGrad = Tensor & { grad?: Tensor | null };

/**
 * What the optimizers, the gradient clipping functions and the state dicts accept as a parameter:
 * a tensor with a `grad` property, or a `{ value, grad }` record. The optimizer only needs to read
 * the value and gradient and to reset the gradient, so it does not depend on autograd.
 */
export type ParamLike = TensorWithGrad | ParamSlot;

/** Whether `x` is usable as a parameter (a tensor, or a record with a `value` tensor). */
export function isParamLike(x: unknown): x is ParamLike {
  if (x instanceof Tensor) return true;
  return typeof x === 'object' && x !== null && (x as { value?: unknown }).value instanceof Tensor;
}

/** The tensor being optimised. */
export function paramValue(p: ParamLike): Tensor {
  return p instanceof Tensor ? p : p.value;
}

/** The parameter's gradient, or null when it has none. */
export function gradOf(p: ParamLike): Tensor | null {
  const g = p instanceof Tensor ? (p as TensorWithGrad).grad : p.grad;
  return g ?? null;
}

/** Clears the gradient (sets it to null). A tensor without any `grad` property is left alone. */
export function clearGrad(p: ParamLike): void {
  if (p instanceof Tensor) {
    if ('grad' in p) (p as { grad: Tensor | null }).grad = null;
  } else {
    p.grad = null;
  }
}

/** A short description of a non-parameter value, for error messages. */
export function describeValue(x: unknown): string {
  if (x instanceof Tensor) return `a tensor of shape [${x.shape.join(', ')}]`;
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return 'an object without a `value` tensor';
  return `${typeof x} ${String(x)}`;
}

/** A Module (anything with a `parameters()` method) passed where its parameters were meant. */
export function isModuleLike(x: unknown): boolean {
  return (
    typeof x === 'object' &&
    x !== null &&
    !(x instanceof Tensor) &&
    typeof (x as { parameters?: unknown }).parameters === 'function'
  );
}

/**
 * Turns a single parameter or an iterable of them into an array, checking every element. Used by
 * the gradient clipping functions (which, like PyTorch's, accept one tensor or many).
 */
export function paramList(op: string, params: ParamLike | Iterable<ParamLike>): ParamLike[] {
  if (isParamLike(params)) return [params];
  if (isModuleLike(params)) {
    throw new TypeError(`${op}: got a model (Module), not its parameters; pass model.parameters()`);
  }
  if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
    throw new TypeError(
      `${op}: expected a parameter or an iterable of parameters, got ${describeValue(params)}`,
    );
  }
  const list = [...params];
  list.forEach((p, i) => {
    if (!isParamLike(p)) {
      throw new TypeError(
        `${op}: parameter ${i} must be a tensor or a { value, grad } record, got ${describeValue(p)}`,
      );
    }
  });
  return list;
}
