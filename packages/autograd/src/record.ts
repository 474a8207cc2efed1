import type { Tensor } from '@tessera/tensor';
import { AutogradMeta, ensureMeta } from './meta.js';
import { mode } from './mode.js';
import { AccumulateGrad, type Edge, type Node, type TensorInfo } from './node.js';
import { isFloatDType } from './util.js';

/** Info about an input as nodes keep it: its autograd state (created for plain tensors). */
export function infoOf(t: Tensor): TensorInfo {
  return ensureMeta(t);
}

/** The edge a gradient for `t` must follow, or null when `t` does not require grad. */
export function edgeOf(t: Tensor): Edge | null {
  const m = t.ext as AutogradMeta | undefined;
  if (m === undefined || !m.requiresGrad) return null;
  if (m.edge !== null) return m.edge;
  m.edge = m.gradFn !== null ? { node: m.gradFn, nr: m.outputNr } : { node: accumulatorOf(m), nr: 0 };
  return m.edge;
}

/** The leaf's AccumulateGrad node (created on first use). */
export function accumulatorOf(m: AutogradMeta): Node {
  if (m.accumulator === null) m.accumulator = new AccumulateGrad(m);
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
    if (!isFloatDType(t.dtype)) {
      node.outputs.push({ shape: t.shape, dtype: t.dtype, device: t.device });
      node.outputMetas.push(null);
      continue;
    }
    if (inputs.includes(t) || t.ext !== undefined) {
      t = t.detach();
      outs[j] = t;
    }
    const m = new AutogradMeta(true, node, j, t);
    t.ext = m;
    node.outputs.push(m);
    node.outputMetas.push(m);
  }
  if (mode.anomaly) node.stack = new Error('forward call').stack;
  return outs;
}
