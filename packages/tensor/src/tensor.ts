import { type Backend, getBackend, type View } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import { formatTensor, inspectTensor } from './format.js';
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

  /** A tensor sharing this one's data that is cut off from any autograd graph. */
  detach(): Tensor {
    return this._view(this.shape, this.strides, this.offset);
  }
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
