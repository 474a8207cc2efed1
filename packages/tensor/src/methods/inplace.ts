import * as inplace from '../ops/inplace.js';
import { Tensor, type TensorLike } from '../tensor.js';

// Tensor methods of the in-place ops, declared by module augmentation and installed on the prototype by
// `installInPlaceMethods` (called from index.ts), so that tensor.ts stays small. Each is a one-line
// delegation to the function of the same name.

declare module '../index.js' {
  interface Tensor {
    /** this += alpha * other (other broadcasts to this shape). */
    add_(other: TensorLike, alpha?: number): this;
    /** this -= alpha * other. */
    sub_(other: TensorLike, alpha?: number): this;
    /** this *= other. */
    mul_(other: TensorLike): this;
    /** this /= other (true division: floating tensors only). */
    div_(other: TensorLike): this;
    /** this += value * t1 * t2 */
    addcmul_(t1: Tensor, t2: Tensor, value?: number): this;
    /** this += value * t1 / t2 */
    addcdiv_(t1: Tensor, t2: Tensor, value?: number): this;
    /** this += weight * (end - this) */
    lerp_(end: TensorLike, weight: TensorLike): this;
    /** Clamps this tensor's elements into [min, max] in place. */
    clamp_(min?: TensorLike | null, max?: TensorLike | null): this;
    /** this = maximum(this, other). */
    maximum_(other: TensorLike): this;
    /** Square root in place. */
    sqrt_(): this;
    /** Negates in place. */
    neg_(): this;
    /** this = minimum(this, other). */
    minimum_(other: TensorLike): this;
    /** this = this ** exponent. */
    pow_(exponent: TensorLike): this;
    /** |x| in place. */
    abs_(): this;
    /** e^x in place (floating tensors only). */
    exp_(): this;
    /** Natural logarithm in place (floating tensors only). */
    log_(): this;
    /** max(0, x) in place. */
    relu_(): this;
    /** Logistic function in place (floating tensors only). */
    sigmoid_(): this;
    /** Hyperbolic tangent in place (floating tensors only). */
    tanh_(): this;
    /** Copies `src` (broadcast, cast to this dtype) into this tensor's elements. */
    copy_(src: TensorLike): this;
    /** Sets every element to `value`. */
    fill_(value: number | boolean): this;
    /** Sets every element to 0. */
    zero_(): this;
  }
}

/** Installs the methods declared above on `Tensor.prototype` (idempotent). */
export function installInPlaceMethods(): void {
  const p = Tensor.prototype as unknown as Record<string, unknown>;
  const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
    add_(other: TensorLike, alpha?: number) {
      return inplace.add_(this, other, alpha);
    },
    sub_(other: TensorLike, alpha?: number) {
      return inplace.sub_(this, other, alpha);
    },
    mul_(other: TensorLike) {
      return inplace.mul_(this, other);
    },
    div_(other: TensorLike) {
      return inplace.div_(this, other);
    },
    addcmul_(t1: Tensor, t2: Tensor, value?: number) {
      return inplace.addcmul_(this, t1, t2, value);
    },
    addcdiv_(t1: Tensor, t2: Tensor, value?: number) {
      return inplace.addcdiv_(this, t1, t2, value);
    },
    lerp_(end: TensorLike, weight: TensorLike) {
      return inplace.lerp_(this, end, weight);
    },
    clamp_(min?: TensorLike | null, max?: TensorLike | null) {
      return inplace.clamp_(this, min, max);
    },
    maximum_(other: TensorLike) {
      return inplace.maximum_(this, other);
    },
    sqrt_() {
      return inplace.sqrt_(this);
    },
    neg_() {
      return inplace.neg_(this);
    },
    minimum_(other: TensorLike) {
      return inplace.minimum_(this, other);
    },
    pow_(exponent: TensorLike) {
      return inplace.pow_(this, exponent);
    },
    abs_() {
      return inplace.unary_(this, 'abs');
    },
    exp_() {
      return inplace.unary_(this, 'exp');
    },
    log_() {
      return inplace.unary_(this, 'log');
    },
    relu_() {
      return inplace.unary_(this, 'relu');
    },
    sigmoid_() {
      return inplace.unary_(this, 'sigmoid');
    },
    tanh_() {
      return inplace.unary_(this, 'tanh');
    },
    copy_(src: TensorLike) {
      return inplace.copy_(this, src);
    },
    fill_(value: number | boolean) {
      return inplace.fill_(this, value);
    },
    zero_() {
      return inplace.fill_(this, 0);
    },
  };
  for (const [name, fn] of Object.entries(methods)) p[name] = fn;
}
