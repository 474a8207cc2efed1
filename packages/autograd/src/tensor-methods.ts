import { Tensor } from '@tessera/tensor';
import { type BackwardOptions, backward } from './backward.js';
import { ensureMeta, type GradHook, metaOf } from './meta.js';
import type { Node } from './node.js';
import { describeTensor, fmt, isFloatDType, sameShape } from './util.js';

/** Handle returned by `registerHook`. */
export interface HookHandle {
  /** Unregisters the hook. */
  remove(): void;
}

declare module '@tessera/tensor' {
  interface Tensor {
    /**
     * Whether gradients flow to this tensor. Settable on leaves (PyTorch's `requires_grad`);
     * results of ops on tensors that require grad require grad.
     */
    requiresGrad: boolean;
    /** Sets `requiresGrad` in place (leaves only; floating point only) and returns this tensor. */
    requiresGrad_(flag?: boolean): this;
    /**
     * The accumulated gradient: filled by `backward()` for leaves that require grad (and
     * non-leaves that called `retainGrad()`); null until then. Assign null to clear it.
     */
    grad: Tensor | null;
    /** The graph node that produced this tensor (null for leaves); `gradFn.name` is e.g. `'MulBackward'`. */
    readonly gradFn: Node | null;
    /** True for tensors not produced by a recorded op (all tensors that do not require grad, and user-created ones that do). */
    readonly isLeaf: boolean;
    /** Whether backward stores this non-leaf tensor's gradient in `.grad`. */
    readonly retainsGrad: boolean;
    /**
     * Computes the gradient of this tensor with respect to the graph leaves and accumulates it into
     * their `.grad`. `gradient` may be omitted for one-element tensors.
     */
    backward(gradient?: Tensor | null, opts?: BackwardOptions): void;
    /** `backward(opts)`: the options alone, for one-element tensors. */
    backward(opts: BackwardOptions): void;
    /** Makes backward fill `.grad` for this non-leaf tensor too; returns this tensor. */
    retainGrad(): this;
    /**
     * Registers `fn` to run on this tensor's gradient during backward; a returned tensor replaces
     * the gradient. Returns a handle whose `remove()` unregisters it.
     */
    registerHook(fn: GradHook): HookHandle;
  }
}

type Self = Tensor & { ext: unknown };

function requiresGradSet(t: Tensor, flag: boolean, op: string): void {
  if (typeof flag !== 'boolean') throw new TypeError(`${op}: expected a boolean, got ${typeof flag}`);
  const m = metaOf(t);
  if (m !== undefined && m.gradFn !== null) {
    if (flag) return;
    throw new Error(
      `${op}: can only change the flag of leaf tensors; this tensor was produced by ${m.gradFn.name}. ` +
        'Use detach() to get a tensor that does not require grad',
    );
  }
  if (flag && !isFloatDType(t.dtype)) {
    throw new TypeError(`${op}: only floating point tensors can require gradients, got dtype ${t.dtype}`);
  }
  if (!flag && m === undefined) return;
  ensureMeta(t).requiresGrad = flag;
}

/** Installs the autograd properties and methods on `Tensor.prototype` (idempotent). */
export function installTensorMethods(): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  if (Object.getOwnPropertyDescriptor(proto, 'requiresGrad') !== undefined) return;
  Object.defineProperties(proto, {
    requiresGrad: {
      configurable: true,
      get(this: Self): boolean {
        return metaOf(this)?.requiresGrad === true;
      },
      set(this: Self, flag: boolean) {
        requiresGradSet(this, flag, 'requiresGrad');
      },
    },
    requiresGrad_: {
      configurable: true,
      writable: true,
      value(this: Self, flag = true): Self {
        requiresGradSet(this, flag, 'requiresGrad_');
        return this;
      },
    },
    grad: {
      configurable: true,
      get(this: Self): Tensor | null {
        return metaOf(this)?.grad ?? null;
      },
      set(this: Self, g: Tensor | null | undefined) {
        if (g === null || g === undefined) {
          const m = metaOf(this);
          if (m !== undefined) m.grad = null;
          return;
        }
        if (!(g instanceof Tensor)) throw new TypeError('grad: expected a tensor or null');
        if (!sameShape(g.shape, this.shape)) {
          throw new RangeError(
            `grad: assigned gradient has shape ${fmt(g.shape)}, but the tensor has shape ${fmt(this.shape)}`,
          );
        }
        if (g.dtype !== this.dtype) {
          throw new TypeError(
            `grad: assigned gradient has dtype ${g.dtype}, but the tensor has dtype ${this.dtype}`,
          );
        }
        if (g.device !== this.device) {
          throw new Error(`grad: assigned gradient is on ${g.device}, but the tensor is on ${this.device}`);
        }
        ensureMeta(this).grad = g;
      },
    },
    gradFn: {
      configurable: true,
      get(this: Self): Node | null {
        return metaOf(this)?.gradFn ?? null;
      },
    },
    isLeaf: {
      configurable: true,
      get(this: Self): boolean {
        return (metaOf(this)?.gradFn ?? null) === null;
      },
    },
    retainsGrad: {
      configurable: true,
      get(this: Self): boolean {
        return metaOf(this)?.retainsGrad === true;
      },
    },
    backward: {
      configurable: true,
      writable: true,
      value(this: Self, gradient?: Tensor | null | BackwardOptions, opts?: BackwardOptions): void {
        if (gradient !== null && gradient !== undefined && !(gradient instanceof Tensor)) {
          if (typeof gradient === 'object' && !Array.isArray(gradient) && opts === undefined) {
            backward(this, undefined, gradient as BackwardOptions);
            return;
          }
          throw new TypeError(
            `backward: gradient must be a tensor, got ${Array.isArray(gradient) ? 'an array' : typeof gradient}`,
          );
        }
        backward(this, (gradient as Tensor | null | undefined) ?? undefined, opts);
      },
    },
    retainGrad: {
      configurable: true,
      writable: true,
      value(this: Self): Self {
        const m = metaOf(this);
        if (m === undefined || !m.requiresGrad) {
          throw new Error(`retainGrad: ${describeTensor(this)} does not require grad`);
        }
        if (m.gradFn !== null) m.retainsGrad = true;
        return this;
      },
    },
    registerHook: {
      configurable: true,
      writable: true,
      value(this: Self, fn: GradHook): HookHandle {
        if (typeof fn !== 'function') throw new TypeError('registerHook: expected a function');
        const m = metaOf(this);
        if (m === undefined || !m.requiresGrad) {
          throw new Error(
            `registerHook: cannot register a hook on a ${describeTensor(this)} that does not require grad`,
          );
        }
        (m.hooks ??= []).push(fn);
        return {
          remove(): void {
            if (m.hooks === null) return;
            const k = m.hooks.indexOf(fn);
            if (k >= 0) m.hooks.splice(k, 1);
            if (m.hooks.length === 0) m.hooks = null;
          },
        };
      },
    },
  });
}
