import * as m from '../ops/math.js';
import * as scr from '../ops/scatter-reduce.js';
import * as sel from '../ops/selection.js';
import * as st from '../ops/structural.js';
import { Tensor, type TensorLike } from '../tensor.js';

// Tensor methods of the math, structural and selection ops, declared by module augmentation and
// installed on the prototype by `installMathMethods` (called from index.ts), so that tensor.ts
// stays small. Each is a one-line delegation to the function of the same name.

declare module '../index.js' {
  interface Tensor {
    /** Arcsine. */
    asin(): Tensor;
    /** Arccosine. */
    acos(): Tensor;
    /** Arctangent. */
    atan(): Tensor;
    /** Hyperbolic sine. */
    sinh(): Tensor;
    /** Hyperbolic cosine. */
    cosh(): Tensor;
    /** Inverse hyperbolic sine. */
    asinh(): Tensor;
    /** Inverse hyperbolic cosine. */
    acosh(): Tensor;
    /** Inverse hyperbolic tangent. */
    atanh(): Tensor;
    /** Base-10 logarithm. */
    log10(): Tensor;
    /** True where ±Infinity. */
    isinf(): Tensor;
    /** True where +Infinity. */
    isposinf(): Tensor;
    /** True where -Infinity. */
    isneginf(): Tensor;
    /** Alias of `clamp`. */
    clip(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    /** Elementwise closeness to `other` (see `isclose`). */
    isclose(other: Tensor, opts?: m.IsCloseOptions): Tensor;
    /** Whether every element is close to `other` (see `allclose`). */
    allclose(other: Tensor, opts?: m.IsCloseOptions): boolean;
    /** `this + weight * (end - this)` (see `lerp`). */
    lerp(end: Tensor, weight: TensorLike): Tensor;
    /** `this + value * t1 * t2`. */
    addcmul(t1: Tensor, t2: Tensor, value?: number): Tensor;
    /** `this + value * t1 / t2`. */
    addcdiv(t1: Tensor, t2: Tensor, value?: number): Tensor;
    /** The slices along `dim` (see `unbind`). */
    unbind(dim?: number): Tensor[];
    /** Moves dims (see `movedim`). */
    movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    /** n-th forward difference along `dim` (see `diff`). */
    diff(n?: number, dim?: number, prepend?: Tensor, append?: Tensor): Tensor;
    /** Sum of the main diagonal of a 2-D tensor. */
    trace(): Tensor;
    /** Diagonal matrix from a vector, or a matrix's diagonal (see `diag`). */
    diag(offset?: number): Tensor;
    /** Cross product along `dim` (see `cross`). */
    cross(other: Tensor, dim?: number): Tensor;
    /** Lower median of all elements (see `median`). */
    median(): Tensor;
    /** Lower median along `dim` with its indices (see `median`). */
    median(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
    /** Indices of the non-zero elements, [count, ndim] (see `nonzero`). */
    nonzero(): Tensor;
    /** Distinct elements, ascending (see `unique`). */
    unique(opts?: sel.UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
    /** Distinct elements with inverse indices and/or counts (see `unique`). */
    unique(opts: sel.UniqueAsked): sel.UniqueResult;
    /** Reduces `src` into a copy of this tensor at `index` along `dim` (see `scatterReduce`). */
    scatterReduce(
      dim: number,
      index: Tensor,
      src: Tensor,
      reduce: scr.ScatterReduce,
      opts?: scr.ScatterReduceOptions,
    ): Tensor;
  }
}

/** Installs the methods declared above on `Tensor.prototype` (idempotent). */
export function installMathMethods(): void {
  const p = Tensor.prototype as unknown as Record<string, unknown>;
  // never[]: each method keeps its own parameter types (any function of a Tensor `this` fits).
  const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
    asin() {
      return m.asin(this);
    },
    acos() {
      return m.acos(this);
    },
    atan() {
      return m.atan(this);
    },
    sinh() {
      return m.sinh(this);
    },
    cosh() {
      return m.cosh(this);
    },
    asinh() {
      return m.asinh(this);
    },
    acosh() {
      return m.acosh(this);
    },
    atanh() {
      return m.atanh(this);
    },
    log10() {
      return m.log10(this);
    },
    isinf() {
      return m.isinf(this);
    },
    isposinf() {
      return m.isposinf(this);
    },
    isneginf() {
      return m.isneginf(this);
    },
    clip(min?: TensorLike | null, max?: TensorLike | null) {
      return this.clamp(min, max);
    },
    isclose(other: Tensor, opts?: m.IsCloseOptions) {
      return m.isclose(this, other, opts);
    },
    allclose(other: Tensor, opts?: m.IsCloseOptions) {
      return m.allclose(this, other, opts);
    },
    lerp(end: Tensor, weight: TensorLike) {
      return m.lerp(this, end, weight);
    },
    addcmul(t1: Tensor, t2: Tensor, value?: number) {
      return m.addcmul(this, t1, t2, value);
    },
    addcdiv(t1: Tensor, t2: Tensor, value?: number) {
      return m.addcdiv(this, t1, t2, value);
    },
    unbind(dim?: number) {
      return st.unbind(this, dim);
    },
    movedim(source: number | readonly number[], destination: number | readonly number[]) {
      return st.movedim(this, source, destination);
    },
    diff(n?: number, dim?: number, prepend?: Tensor, append?: Tensor) {
      return st.diff(this, n, dim, prepend, append);
    },
    trace() {
      return st.trace(this);
    },
    diag(offset?: number) {
      return st.diag(this, offset);
    },
    cross(other: Tensor, dim?: number) {
      return st.cross(this, other, dim);
    },
    median(dim?: number, keepdim?: boolean) {
      return dim === undefined ? sel.median(this) : sel.median(this, dim, keepdim);
    },
    nonzero() {
      return sel.nonzero(this);
    },
    unique(opts?: sel.UniqueOptions) {
      return sel.unique(this, opts ?? {});
    },
    scatterReduce(
      dim: number,
      index: Tensor,
      src: Tensor,
      reduce: scr.ScatterReduce,
      opts?: scr.ScatterReduceOptions,
    ) {
      return scr.scatterReduce(this, dim, index, src, reduce, opts);
    },
  };
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(p, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
}
