import type { Tensor } from '@tessera/tensor';
import { AutogradMeta, metaOf } from './meta.js';
import { mode } from './mode.js';
import { AccumulateGrad, type Edge, type Node, type TensorInfo } from './node.js';
import { isFloatDType } from './util.js';

/** Info about a tensor as nodes keep it. */
export function infoOf(t: Tensor): TensorInfo {
  return { shape: t.shape, dtype: t.dtype, device: t.device };
}

/** The edge a gradient for `t` must follow, or null when `t` does not require grad. */
export function edgeOf(t: Tensor): Edge | null {
  const m = metaOf(t);
  if (m === undefined || !m.requiresGrad) return null;
  if (m.gradFn !== null) return { node: m.gradFn, nr: m.outputNr };
  return { node: accumulatorOf(t, m), nr: 0 };
}

/** The leaf's AccumulateGrad node (created on first use). */
export function accumulatorOf(t: Tensor, m: AutogradMeta): Node {
  if (m.accumulator === null) m.accumulator = new AccumulateGrad(m, infoOf(t));
  return m.accumulator;
}

/**
 * Makes `outs` the outputs of `node`: float outputs get autograd state pointing at it. An output
 * that is one of the inputs (an op that returned its input) is replaced by a fresh view, so the
 * input's own state is left alone. Returns the (possibly replaced) outputs.
 */
export function attachOutputs(node: Node, outs: Tensor[], inputs: readonly Tensor[]): Tensor[] {
  for (let j = 0; j < outs.length; j++) {
    let t = outs[j]!;
    if (!isFloatDType(t.dtype)) continue;
    if (inputs.includes(t) || t.ext !== undefined) {
      t = t.detach();
      outs[j] = t;
    }
    const m = new AutogradMeta(true, node, j, t.shape);
    t.ext = m;
    node.outputMetas[j] = m;
  }
  if (mode.anomaly) node.stack = new Error('forward call').stack;
  return outs;
}
