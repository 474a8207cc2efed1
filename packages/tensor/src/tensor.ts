import { type Backend, getBackend, type View } from './backend.js';
import { DTYPES, type DType, type TypedArray } from './dtype.js';
import { formatTensor, inspectTensor } from './format.js';
import * as conv from './ops/conv.js';
import * as ew from './ops/elementwise.js';
import * as idx from './ops/indexing.js';
import * as mv from './ops/movement.js';
import * as shp from './ops/shaping.js';
import { contiguousStrides, fmt, isContiguousLayout, normalizeDim, type Shape, sizeOf } from './shape.js';
import { registerTensor, Storage, trackTensor, UNCOUNTED_VIEW, untrackTensor } from './storage.js';

declare global {
  interface SymbolConstructor {
    /**
     * The explicit-resource-management symbol behind `using`. Declared here, as @types/node does, so
     * that consumers compiling against an ES2022 lib (without ESNext.Disposable) can use our types.
     */
    readonly dispose: unique symbol;
  }
}

/** A value usable where a tensor is expected: a tensor, or a JS number/boolean (a scalar). */
export type TensorLike = Tensor | number | boolean;

/** Nested arrays of numbers or booleans, as returned by `array()`. */
export type NestedArray = number | boolean | NestedArray[];

// Every counted tensor registers a tiny key it alone references, not itself: V8's
// young-generation collector keeps registered targets alive, so registering the tensor would
// promote it, its autograd graph and its buffer to the old generation. The registry (storage.ts)
// holds only a slot number.

/**
 * An n-dimensional array: a strided view (shape, strides, offset) onto a backend buffer.
 * Views (reshape, permute, slice, ...) share the buffer; ops return new tensors eagerly.
 * Memory is released by `dispose()`, by `using`, or when the tensor is garbage-collected (on the
 * CPU backend with no help from the event loop: see the package README).
 */
export class Tensor {
  /** @internal The buffer this tensor views; null once disposed. */
  _storage: Storage | null;
  /** Size of each dimension. */
  readonly shape: readonly number[];
  /** Elements to skip in the buffer to move one step along each dimension. */
  readonly strides: readonly number[];
  /** Position of element [0, 0, ...] in the buffer. */
  readonly offset: number;
  /** Element type. */
  readonly dtype: DType;
  /**
   * Extension slot for a package that observes ops (autograd keeps its per-tensor state here).
   * The tensor package never reads it.
   */
  ext: unknown = undefined;
  /**
   * @internal This tensor's finalizer slot (see `trackTensor`); negative when not counted: -2 for
   * an internal constant, `UNCOUNTED` or `UNCOUNTED_VIEW` past the registration cap.
   */
  private readonly _slot: number;
  /** @internal The object registered with the finalizer on this tensor's behalf. */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: only held, so that it lives exactly as long as this tensor
  private readonly _gcKey: object | null;
  /** @internal `viewFor`'s result, once made. */
  private _kernelView: View | null = null;

  /**
   * @internal Use the creation functions (`tensor`, `zeros`, ...) instead. `tracked: false` makes
   * an internal constant (a cached scalar operand): not counted by `memory()`, never released,
   * and `dispose()` leaves it alone.
   */
  constructor(
    storage: Storage,
    shape: readonly number[],
    strides: readonly number[],
    offset: number,
    tracked = true,
  ) {
    this._storage = storage;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.dtype = storage.dtype;
    if (!tracked) {
      storage.retain();
      this._slot = -2;
      this._gcKey = null;
      return;
    }
    const slot = trackTensor(storage.account);
    this._slot = slot;
    this._gcKey = slot >= 0 ? registerTensor(slot) : null;
  }

  /** @internal A new contiguous tensor on `backend` with uninitialised contents. */
  static _empty(backend: Backend, dtype: DType, shape: readonly number[]): Tensor {
    if (!backend.supportsDType(dtype)) {
      throw new TypeError(`dtype ${dtype} is not supported by the ${backend.name} backend`);
    }
    const size = sizeOf(shape);
    const storage = new Storage(backend, backend.alloc(dtype, size), dtype, size);
    return new Tensor(storage, shape, contiguousStrides(shape), 0);
  }

  /** @internal A new tensor viewing the same buffer. */
  _view(shape: readonly number[], strides: readonly number[], offset: number): Tensor {
    return new Tensor(this.storage('view'), shape, strides, offset);
  }

  /** @internal The storage, or a clear error if this tensor was disposed. */
  storage(op: string): Storage {
    const s = this._storage;
    if (s === null) throw new Error(`${op}: tensor of shape ${fmt(this.shape)} was used after dispose()`);
    return s;
  }

  /** @internal The strided view kernels read (made once: a tensor's layout never changes). */
  viewFor(op: string): View {
    const buffer = this.storage(op).buffer;
    let v = this._kernelView;
    if (v === null) {
      v = { buffer, dtype: this.dtype, shape: this.shape, strides: this.strides, offset: this.offset };
      this._kernelView = v;
    }
    return v;
  }

  /** @internal The backend holding this tensor's buffer. */
  get backend(): Backend {
    return this.storage('backend').backend;
  }

  /** Name of the backend holding the data: `'cpu'`, `'webgpu'`, ... */
  get device(): string {
    return this.storage('device').backend.name;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of dimensions (PyTorch's `dim()`). */
  dim(): number {
    return this.shape.length;
  }

  /** The shape, or the size of one dimension (negative dims count from the end). */
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): readonly number[] | number {
    if (dim === undefined) return this.shape;
    return this.shape[normalizeDim('size', dim, this.ndim)]!;
  }

  /** Number of elements. */
  numel(): number {
    return sizeOf(this.shape);
  }

  /**
   * Number of in-place writes so far to this tensor's buffer (shared by all its views). Autograd
   * records it when saving a tensor for backward, to detect later modification.
   */
  get _version(): number {
    return this.storage('_version').version;
  }

  /** True once `dispose()` has run. */
  get isDisposed(): boolean {
    return this._storage === null;
  }

  /** Whether the elements are laid out row-major with no gaps (views may not be). */
  isContiguous(): boolean {
    return isContiguousLayout(this.shape, this.strides);
  }

  /**
   * Releases this tensor's hold on its buffer (the buffer is freed when no view uses it).
   * Idempotent. Using the tensor afterwards throws.
   */
  dispose(): void {
    const s = this._storage;
    if (s === null || this._slot === -2) return;
    this._storage = null;
    this._kernelView = null;
    if (this._slot >= 0) untrackTensor(this._slot);
    if (this._slot !== UNCOUNTED_VIEW) s.release();
  }

  /** `using t = ...` disposes `t` at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The elements in row-major order, as a new typed array (bool → Uint8Array). */
  async data(): Promise<TypedArray> {
    this.storage('data');
    const c = this.contiguous();
    const s = c.storage('data');
    const out = await s.backend.read(s.buffer, c.dtype, c.offset, c.numel());
    if (c !== this) c.dispose();
    return out;
  }

  /** The elements as nested arrays (booleans for bool tensors); a number for a 0-d tensor. */
  async array(): Promise<NestedArray> {
    this.storage('array');
    return nest(await this.data(), this.shape, this.dtype);
  }

  /** Synchronous `data()`; only on backends whose memory JS can read directly (CPU). */
  dataSync(): TypedArray {
    this.storage('dataSync');
    const c = this.contiguous();
    const s = c.storage('dataSync');
    if (s.backend.readSync === undefined) {
      throw new Error(
        `dataSync: the ${s.backend.name} backend cannot be read synchronously; use await t.data()`,
      );
    }
    const out = s.backend.readSync(s.buffer, c.dtype, c.offset, c.numel());
    if (c !== this) c.dispose();
    return out;
  }

  /** Synchronous `array()`; CPU backend only. */
  arraySync(): NestedArray {
    this.storage('arraySync');
    return nest(this.dataSync(), this.shape, this.dtype);
  }

  /** The value of a one-element tensor as a JS number (or boolean); CPU backend only. */
  item(): number | boolean {
    this.storage('item');
    if (this.numel() !== 1)
      throw new RangeError(`item: tensor of shape ${fmt(this.shape)} has ${this.numel()} elements, not 1`);
    const v = this.dataSync()[0]!;
    return this.dtype === 'bool' ? v !== 0 : v;
  }

  /** PyTorch's name for `arraySync()`: the values as nested JS arrays; CPU backend only. */
  tolist(): NestedArray {
    return this.arraySync();
  }

  /** PyTorch-style printout: values (summarised when large), shape, dtype and device. */
  toString(): string {
    return formatTensor(this);
  }

  /**
   * What `console.log(t)` and Node's `util.inspect` print: the same as `String(t)` instead of the
   * internals. The symbol is global (`Symbol.for`), so browsers are unaffected.
   */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return inspectTensor(this);
  }

  // ---- conversion -------------------------------------------------------------------------

  /** Converts to a dtype (`'int32'`, ...) or moves to a device (`'webgpu'`, ...). No-op when equal. */
  to(target: DType | string): Tensor {
    if ((DTYPES as readonly string[]).includes(target)) return ew.cast(this, target as DType);
    return mv.toDevice(this, target);
  }
  /** Converts to a dtype (PyTorch's `.to(dtype)`); a copy unless already that dtype. */
  cast(dtype: DType): Tensor {
    return ew.cast(this, dtype);
  }
  /** `cast('float32')`. */
  float(): Tensor {
    return ew.cast(this, 'float32');
  }
  /** `cast('float64')`. */
  double(): Tensor {
    return ew.cast(this, 'float64');
  }
  /** `cast('int32')`. */
  int(): Tensor {
    return ew.cast(this, 'int32');
  }
  /** `cast('bool')`. */
  bool(): Tensor {
    return ew.cast(this, 'bool');
  }

  // ---- views and copies ------------------------------------------------------------------

  /** Same data with a new shape (one size may be -1); a view when the strides allow, else a copy. */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return mv.reshape(this, flatArgs(shape));
  }
  /** Like reshape but never copies: errors if the strides make a view impossible. */
  view(...shape: number[] | [readonly number[]]): Tensor {
    return mv.view(this, flatArgs(shape));
  }
  /** Flattens dims startDim..endDim into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return mv.flatten(this, startDim, endDim);
  }
  /** Splits one dim into `sizes`. */
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return mv.unflatten(this, dim, sizes);
  }
  /** Removes size-1 dims (all, or the given ones). */
  squeeze(dim?: number | readonly number[]): Tensor {
    return mv.squeeze(this, dim);
  }
  /** Inserts a size-1 dim at `dim`. */
  unsqueeze(dim: number): Tensor {
    return mv.unsqueeze(this, dim);
  }
  /** Reorders dims. */
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return mv.permute(this, flatArgs(dims));
  }
  /** Swaps two dims. */
  transpose(dim0: number, dim1: number): Tensor {
    return mv.transpose(this, dim0, dim1);
  }
  /** All dims reversed (PyTorch's `.T`, for tensors of at most 2 dims). */
  get T(): Tensor {
    return mv.T(this);
  }
  /** The last two dims swapped (batched matrix transpose). */
  get mT(): Tensor {
    return mv.mT(this);
  }
  /** Broadcasts size-1 dims to `shape` (-1 keeps a size) without copying. */
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return mv.expand(this, flatArgs(shape));
  }
  /** expand to another tensor's shape. */
  expandAs(other: Tensor): Tensor {
    return mv.expand(this, other.shape);
  }
  /** Broadcasts to `shape` (NumPy rules) without copying. */
  broadcastTo(shape: readonly number[]): Tensor {
    return mv.broadcastTo(this, shape);
  }
  /** Elements start..end (exclusive) by `step` along `dim`; negative indices count from the end. */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return mv.slice(this, dim, start, end, step);
  }
  /** `length` elements from `start` along `dim`. */
  narrow(dim: number, start: number, length: number): Tensor {
    return mv.narrow(this, dim, start, length);
  }
  /** The sub-tensor at `index` along `dim` (that dim removed). */
  select(dim: number, index: number): Tensor {
    return mv.select(this, dim, index);
  }
  /** The diagonal of dims dim1/dim2 (moved last), shifted by `offset`. */
  diagonal(offset = 0, dim1 = 0, dim2 = 1): Tensor {
    return mv.diagonal(this, offset, dim1, dim2);
  }
  /** This tensor if contiguous, else a contiguous copy. */
  contiguous(): Tensor {
    return mv.contiguous(this);
  }
  /** A contiguous copy. */
  clone(): Tensor {
    return mv.clone(this);
  }
  /** A tensor sharing this one's data that is cut off from any autograd graph. */
  detach(): Tensor {
    return this._view(this.shape, this.strides, this.offset);
  }

  // ---- shaping (copies) ------------------------------------------------------------------

  /** Reverses the order of elements along `dims`. */
  flip(dims: number | readonly number[]): Tensor {
    return shp.flip(this, dims);
  }
  /** Tiles the tensor `repeats` times along each dim (PyTorch's `repeat`). */
  repeat(...repeats: number[] | [readonly number[]]): Tensor {
    return shp.repeat(this, flatArgs(repeats));
  }
  /** NumPy-style tile. */
  tile(...reps: number[] | [readonly number[]]): Tensor {
    return shp.tile(this, flatArgs(reps));
  }
  /** Rolls elements along dims (circular shift). */
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
    return shp.roll(this, shifts, dims);
  }
  /** Lower triangle of the last two dims (others zeroed). */
  tril(diagonal = 0): Tensor {
    return shp.tril(this, diagonal);
  }
  /** Upper triangle of the last two dims. */
  triu(diagonal = 0): Tensor {
    return shp.triu(this, diagonal);
  }
  /** Splits into pieces of `sizeOrSizes` along `dim`. */
  split(sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
    return shp.split(this, sizeOrSizes, dim);
  }
  /** Splits into `chunks` nearly equal pieces along `dim`. */
  chunk(chunks: number, dim = 0): Tensor[] {
    return shp.chunk(this, chunks, dim);
  }

  // ---- indexing --------------------------------------------------------------------------

  gather(dim: number, index: Tensor): Tensor {
    return idx.gather(this, dim, index);
  }
  scatter(dim: number, index: Tensor, src: TensorLike, opts?: idx.ScatterOptions): Tensor {
    return idx.scatter(this, dim, index, src, opts);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return idx.scatterAdd(this, dim, index, src);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return idx.indexSelect(this, dim, index);
  }
  indexAdd(dim: number, index: Tensor, source: Tensor, alpha = 1): Tensor {
    return idx.indexAdd(this, dim, index, source, alpha);
  }
  maskedSelect(mask: Tensor): Tensor {
    return idx.maskedSelect(this, mask);
  }

  // ---- convolution shortcuts -------------------------------------------------------------

  /** See `conv2d`. */
  conv2d(weight: Tensor, bias?: Tensor | null, opts?: conv.Conv2dOptions): Tensor {
    return conv.conv2d(this, weight, bias, opts);
  }
}

/** Accepts `f(2, 3)` and `f([2, 3])` alike. */
function flatArgs(args: number[] | [readonly number[]]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as number[]);
}

/** Builds nested arrays from row-major data. */
function nest(data: TypedArray, shape: Shape, dtype: DType): NestedArray {
  const conv = dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return conv(data[0]!);
  let pos = 0;
  const build = (d: number): NestedArray[] => {
    const n = shape[d]!;
    const out: NestedArray[] = new Array(n);
    if (d === shape.length - 1) for (let i = 0; i < n; i++) out[i] = conv(data[pos++]!);
    else for (let i = 0; i < n; i++) out[i] = build(d + 1);
    return out;
  };
  return build(0);
}

/** The current default backend (for creation functions). */
export function defaultBackend(device?: string): Backend {
  return getBackend(device);
}
