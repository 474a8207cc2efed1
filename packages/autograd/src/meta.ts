import type { DType, Tensor } from '@tessera/tensor';
import type { Edge, Node, TensorInfo } from './node.js';

/** A gradient hook: sees the gradient of a tensor and may return a replacement. */
export type GradHook = (grad: Tensor) => Tensor | undefined;

/**
 * Per-tensor autograd state, kept in the tensor's `ext` slot. Tensors that never took part in
 * autograd have no meta at all (`ext` is undefined).
 */
export class AutogradMeta implements TensorInfo {
  /** Whether gradients flow to this tensor. */
  requiresGrad: boolean;
  /** Accumulated gradient (leaves, and non-leaves that called retainGrad). */
  grad: Tensor | null = null;
  /** The node that produced this tensor; null for leaves. */
  gradFn: Node | null;
  /** Which output of `gradFn` this tensor is. */
  outputNr: number;
  /** Non-leaf tensors only: whether `grad` is filled in by backward. */
  retainsGrad = false;
  /** Hooks run on this tensor's gradient, in registration order. */
  hooks: GradHook[] | null = null;
  /** Leaves only: the node that accumulates into `grad` (created on first use). */
  accumulator: Node | null = null;
  /** The edge gradients for this tensor follow (cached; see `edgeOf`). */
  edge: Edge | null = null;
  /** Shape, dtype and device of the tensor (nodes keep these instead of the tensor). */
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: string;

  constructor(requiresGrad: boolean, gradFn: Node | null, outputNr: number, t: Tensor) {
    this.requiresGrad = requiresGrad;
    this.gradFn = gradFn;
    this.outputNr = outputNr;
    this.shape = t.shape;
    this.dtype = t.dtype;
    this.device = t.device;
  }
}

/** The tensor's autograd state, or undefined when it has none. */
export function metaOf(t: Tensor): AutogradMeta | undefined {
  return t.ext as AutogradMeta | undefined;
}

/** Whether gradients flow to `t`. */
export function requiresGrad(t: Tensor): boolean {
  const m = t.ext as AutogradMeta | undefined;
  return m?.requiresGrad === true;
}

/** The tensor's autograd state, created (not requiring grad) if missing. */
export function ensureMeta(t: Tensor): AutogradMeta {
  let m = t.ext as AutogradMeta | undefined;
  if (m === undefined) {
    m = new AutogradMeta(false, null, 0, t);
    t.ext = m;
  }
  return m;
}
