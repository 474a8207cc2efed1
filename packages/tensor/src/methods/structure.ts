import { DTYPES, type DType } from '../dtype.js';
import type { Conv2dOptions } from '../ops/conv.js';
import * as conv from '../ops/conv.js';
import * as ew from '../ops/elementwise.js';
import type { ScatterOptions } from '../ops/indexing.js';
import * as idx from '../ops/indexing.js';
import * as mv from '../ops/movement.js';
import * as shp from '../ops/shaping.js';
import { Tensor, type TensorLike } from '../tensor.js';

// Tensor methods for conversion, views, shaping, indexing and the conv2d shortcut, declared by
// module augmentation and installed on the prototype by `installStructureMethods` (called from
// index.ts). They live here rather than in tensor.ts so that the core (tensor.ts and the files
// beside it) never imports the ops: the ops folder depends on the core, not the other way round.

declare module '../index.js' {
  interface Tensor {
    // ---- conversion -------------------------------------------------------------------------
    /** Converts to a dtype (`'int32'`, ...) or moves to a device (`'webgpu'`, ...). No-op when equal. */
    to(target: DType | string): Tensor;
    /** Converts to a dtype (PyTorch's `.to(dtype)`); a copy unless already that dtype. */
    cast(dtype: DType): Tensor;
    /** `cast('float32')`. */
    float(): Tensor;
    /** `cast('float64')`. */
    double(): Tensor;
    /** `cast('int32')`. */
    int(): Tensor;
    /** `cast('bool')`. */
    bool(): Tensor;
    // ---- views and copies ------------------------------------------------------------------
    /** Same data with a new shape (one size may be -1); a view when the strides allow, else a copy. */
    reshape(...shape: number[] | [readonly number[]]): Tensor;
    /** Like reshape but never copies: errors if the strides make a view impossible. */
    view(...shape: number[] | [readonly number[]]): Tensor;
    /** Flattens dims startDim..endDim into one. */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** Splits one dim into `sizes`. */
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    /** Removes size-1 dims (all, or the given ones). */
    squeeze(dim?: number | readonly number[]): Tensor;
    /** Inserts a size-1 dim at `dim`. */
    unsqueeze(dim: number): Tensor;
    /** Reorders dims. */
    permute(...dims: number[] | [readonly number[]]): Tensor;
    /** Swaps two dims. */
    transpose(dim0: number, dim1: number): Tensor;
    /** All dims reversed (PyTorch's `.T`, for tensors of at most 2 dims). */
    readonly T: Tensor;
    /** The last two dims swapped (batched matrix transpose). */
    readonly mT: Tensor;
    /** Broadcasts size-1 dims to `shape` (-1 keeps a size) without copying. */
    expand(...shape: number[] | [readonly number[]]): Tensor;
    /** expand to another tensor's shape. */
    expandAs(other: Tensor): Tensor;
    /** Broadcasts to `shape` (NumPy rules) without copying. */
    broadcastTo(shape: readonly number[]): Tensor;
    /** Elements start..end (exclusive) by `step` along `dim`; negative indices count from the end. */
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    /** `length` elements from `start` along `dim`. */
    narrow(dim: number, start: number, length: number): Tensor;
    /** The sub-tensor at `index` along `dim` (that dim removed). */
    select(dim: number, index: number): Tensor;
    /** The diagonal of dims dim1/dim2 (moved last), shifted by `offset`. */
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    /** This tensor if contiguous, else a contiguous copy. */
    contiguous(): Tensor;
    /** A contiguous copy. */
    clone(): Tensor;
    // ---- shaping (copies) ------------------------------------------------------------------
    /** Reverses the order of elements along `dims`. */
    flip(dims: number | readonly number[]): Tensor;
    /** Tiles the tensor `repeats` times along each dim (PyTorch's `repeat`). */
    repeat(...repeats: number[] | [readonly number[]]): Tensor;
    /** NumPy-style tile. */
    tile(...reps: number[] | [readonly number[]]): Tensor;
    /** Rolls elements along dims (circular shift). */
    roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor;
    /** Lower triangle of the last two dims (others zeroed). */
    tril(diagonal?: number): Tensor;
    /** Upper triangle of the last two dims. */
    triu(diagonal?: number): Tensor;
    /** Splits into pieces of `sizeOrSizes` along `dim`. */
    split(sizeOrSizes: number | readonly number[], dim?: number): Tensor[];
    /** Splits into `chunks` nearly equal pieces along `dim`. */
    chunk(chunks: number, dim?: number): Tensor[];
    // ---- indexing --------------------------------------------------------------------------
    /** Values along `dim` picked by `index` (PyTorch's `gather`). */
    gather(dim: number, index: Tensor): Tensor;
    /** A copy with `src` written at `index` along `dim` (optionally reduced: `opts.reduce`). */
    scatter(dim: number, index: Tensor, src: TensorLike, opts?: ScatterOptions): Tensor;
    /** A copy with `src` added at `index` along `dim` (repeated indices accumulate). */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** The slices at `index` along `dim`. */
    indexSelect(dim: number, index: Tensor): Tensor;
    /** A copy with `alpha * source` added to the slices at `index` along `dim`. */
    indexAdd(dim: number, index: Tensor, source: Tensor, alpha?: number): Tensor;
    /** The elements where `mask` (broadcast) is true, as a 1-D tensor. */
    maskedSelect(mask: Tensor): Tensor;
    // ---- convolution shortcuts -------------------------------------------------------------
    /** See `conv2d`. */
    conv2d(weight: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): Tensor;
  }
}

/** Accepts `f(2, 3)` and `f([2, 3])` alike. */
function flatArgs(args: number[] | [readonly number[]]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as number[]);
}

/** Installs the methods declared above on `Tensor.prototype` (idempotent). */
export function installStructureMethods(): void {
  const p = Tensor.prototype as unknown as Record<string, unknown>;
  const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
    to(target: DType | string) {
      if ((DTYPES as readonly string[]).includes(target)) return ew.cast(this, target as DType);
      return mv.toDevice(this, target);
    },
    cast(dtype: DType) {
      return ew.cast(this, dtype);
    },
    float() {
      return ew.cast(this, 'float32');
    },
    double() {
      return ew.cast(this, 'float64');
    },
    int() {
      return ew.cast(this, 'int32');
    },
    bool() {
      return ew.cast(this, 'bool');
    },
    reshape(...shape: number[] | [readonly number[]]) {
      return mv.reshape(this, flatArgs(shape));
    },
    view(...shape: number[] | [readonly number[]]) {
      return mv.view(this, flatArgs(shape));
    },
    flatten(startDim?: number, endDim?: number) {
      return mv.flatten(this, startDim, endDim);
    },
    unflatten(dim: number, sizes: readonly number[]) {
      return mv.unflatten(this, dim, sizes);
    },
    squeeze(dim?: number | readonly number[]) {
      return mv.squeeze(this, dim);
    },
    unsqueeze(dim: number) {
      return mv.unsqueeze(this, dim);
    },
    permute(...dims: number[] | [readonly number[]]) {
      return mv.permute(this, flatArgs(dims));
    },
    transpose(dim0: number, dim1: number) {
      return mv.transpose(this, dim0, dim1);
    },
    expand(...shape: number[] | [readonly number[]]) {
      return mv.expand(this, flatArgs(shape));
    },
    expandAs(other: Tensor) {
      return mv.expand(this, other.shape);
    },
    broadcastTo(shape: readonly number[]) {
      return mv.broadcastTo(this, shape);
    },
    slice(dim: number, start?: number, end?: number, step?: number) {
      return mv.slice(this, dim, start, end, step);
    },
    narrow(dim: number, start: number, length: number) {
      return mv.narrow(this, dim, start, length);
    },
    select(dim: number, index: number) {
      return mv.select(this, dim, index);
    },
    diagonal(offset?: number, dim1?: number, dim2?: number) {
      return mv.diagonal(this, offset, dim1, dim2);
    },
    contiguous() {
      return mv.contiguous(this);
    },
    clone() {
      return mv.clone(this);
    },
    flip(dims: number | readonly number[]) {
      return shp.flip(this, dims);
    },
    repeat(...repeats: number[] | [readonly number[]]) {
      return shp.repeat(this, flatArgs(repeats));
    },
    tile(...reps: number[] | [readonly number[]]) {
      return shp.tile(this, flatArgs(reps));
    },
    roll(shifts: number | readonly number[], dims?: number | readonly number[]) {
      return shp.roll(this, shifts, dims);
    },
    tril(diagonal?: number) {
      return shp.tril(this, diagonal);
    },
    triu(diagonal?: number) {
      return shp.triu(this, diagonal);
    },
    split(sizeOrSizes: number | readonly number[], dim?: number) {
      return shp.split(this, sizeOrSizes, dim);
    },
    chunk(chunks: number, dim?: number) {
      return shp.chunk(this, chunks, dim);
    },
    gather(dim: number, index: Tensor) {
      return idx.gather(this, dim, index);
    },
    scatter(dim: number, index: Tensor, src: TensorLike, opts?: ScatterOptions) {
      return idx.scatter(this, dim, index, src, opts);
    },
    scatterAdd(dim: number, index: Tensor, src: Tensor) {
      return idx.scatterAdd(this, dim, index, src);
    },
    indexSelect(dim: number, index: Tensor) {
      return idx.indexSelect(this, dim, index);
    },
    indexAdd(dim: number, index: Tensor, source: Tensor, alpha?: number) {
      return idx.indexAdd(this, dim, index, source, alpha);
    },
    maskedSelect(mask: Tensor) {
      return idx.maskedSelect(this, mask);
    },
    conv2d(weight: Tensor, bias?: Tensor | null, opts?: Conv2dOptions) {
      return conv.conv2d(this, weight, bias, opts);
    },
  };
  for (const [name, fn] of Object.entries(methods)) p[name] = fn;
  Object.defineProperty(p, 'T', {
    configurable: true,
    get(this: Tensor) {
      return mv.T(this);
    },
  });
  Object.defineProperty(p, 'mT', {
    configurable: true,
    get(this: Tensor) {
      return mv.mT(this);
    },
  });
}
