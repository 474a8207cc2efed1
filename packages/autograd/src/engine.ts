import { type Tensor, zeros } from '@tessera/tensor';
import { checkFinite } from './anomaly.js';
import { type AutogradMeta, metaOf } from './meta.js';
import { mode } from './mode.js';
import { AccumulateGrad, type Node } from './node.js';
import { OpNode, releasedError } from './op-node.js';
import { accumulatorOf } from './record.js';
import { fmt, isFloatDType, sameShape } from './util.js';

/** Options of a backward pass. */
export interface EngineOptions {
  /** Keep saved tensors so the graph can be walked again. */
  retainGraph: boolean;
  /** Record the backward computation itself (for higher-order gradients). */
  createGraph: boolean;
  /**
   * Tensors whose gradients are wanted. With `capture`, they are returned (nothing is written to
   * `.grad`); without, only these accumulate into `.grad`. Undefined: every leaf accumulates.
   */
  inputs?: readonly Tensor[] | undefined;
  /** Return the gradients of `inputs` instead of accumulating them into `.grad`. */
  capture: boolean;
  /**
   * Capture mode: treat `inputs` as independent variables and do not propagate gradients past
   * them (used by checkpoint). By default gradients flow through them to further targets.
   */
  stopAtInputs?: boolean;
  /** Name of the calling API, for error messages. */
  caller: string;
}

interface Target {
  index: number;
  meta: AutogradMeta;
}

/**
 * Runs a backward pass from `roots` (with gradients `rootGrads`, already checked) and returns the
 * captured gradients of `opts.inputs` (capture mode) or an empty array.
 *
 * The graph is walked without recursion: an iterative depth-first search gives a post-order, whose
 * reverse is a topological order (every node before the nodes it sends gradients to), so each
 * node runs once, after all gradients for it have been summed.
 */
export function runEngine(
  roots: readonly Tensor[],
  rootGrads: readonly Tensor[],
  opts: EngineOptions,
): (Tensor | null)[] {
  const rootEdges = roots.map((t) => {
    const m = metaOf(t)!;
    return m.gradFn !== null ? { node: m.gradFn, nr: m.outputNr } : { node: accumulatorOf(m), nr: 0 };
  });

  // Targets: where the gradients of `inputs` are taken (a leaf's accumulator or a producing node's slot).
  const targets = new Map<Node, Map<number, Target[]>>();
  if (opts.inputs !== undefined) {
    opts.inputs.forEach((t, index) => {
      const m = metaOf(t);
      if (m === undefined || !m.requiresGrad) {
        throw new Error(`${opts.caller}: inputs[${index}] (shape ${fmt(t.shape)}) does not require grad`);
      }
      const node = m.gradFn ?? accumulatorOf(m);
      const nr = m.gradFn !== null ? m.outputNr : 0;
      let slots = targets.get(node);
      if (slots === undefined) targets.set(node, (slots = new Map()));
      const list = slots.get(nr);
      if (list === undefined) slots.set(nr, [{ index, meta: m }]);
      else list.push({ index, meta: m });
    });
  }

  const order = postOrder(
    rootEdges.map((e) => e.node),
    opts.stopAtInputs === true ? targets : null,
  );
  const needed = opts.inputs === undefined ? null : neededNodes(order, targets);

  const buffers = new Map<Node, (Tensor | null)[]>();
  // Gradients this pass created and nobody outside it holds (none when recording the backward).
  const own: Owned | null = opts.createGraph ? null : new Map();
  const prevGrad = mode.gradEnabled;
  mode.gradEnabled = opts.createGraph;
  const captured: (Tensor | null)[] =
    opts.inputs === undefined ? [] : new Array(opts.inputs.length).fill(null);
  try {
    rootEdges.forEach((e, i) => {
      addToBuffer(buffers, e.node, e.nr, rootGrads[i]!, own, false);
    });
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k]!;
      const buf = buffers.get(node);
      if (buf === undefined) continue;
      buffers.delete(node);
      if (needed !== null && !needed.has(node)) continue;
      const slots = targets.get(node);
      for (let nr = 0; nr < buf.length; nr++) {
        let g = buf[nr];
        if (g === null || g === undefined) continue;
        const meta = node.outputMetas[nr] ?? null;
        if (meta !== null && meta.hooks !== null) {
          // Hooks may keep the gradient they see, or return one they keep.
          disown(own, g);
          g = buf[nr] = runHooks(meta, g);
          disown(own, g);
        }
        const isTarget = slots?.get(nr);
        if (opts.capture) {
          if (isTarget !== undefined) {
            disown(own, g);
            for (const t of isTarget) captured[t.index] = g;
          }
        } else if (meta !== null) {
          const leaf = node instanceof AccumulateGrad;
          const accumulate = leaf
            ? opts.inputs === undefined || isTarget !== undefined
            : meta.retainsGrad || isTarget !== undefined;
          // A leaf's first gradient is taken over instead of cloned when only this pass holds it.
          if (accumulate && leaf && meta.grad === null && canTake(own, g)) {
            disown(own, g);
            meta.grad = g;
          } else if (accumulate) accumulateGrad(meta, g, opts.createGraph);
        }
      }
      if (node instanceof AccumulateGrad || (opts.stopAtInputs === true && slots !== undefined)) {
        drop(own, node, buf);
        continue;
      }
      if (node.released) throw releasedError(node);
      runNode(node, buf, buffers, needed, opts, own);
      drop(own, node, buf);
    }
  } finally {
    mode.gradEnabled = prevGrad;
  }
  return captured;
}

/** Runs one node's rule and routes the resulting gradients along its edges. */
function runNode(
  node: Node,
  buf: (Tensor | null)[],
  buffers: Map<Node, (Tensor | null)[]>,
  needed: Set<Node> | null,
  opts: EngineOptions,
  own: Owned | null,
): void {
  if (needed !== null) {
    const needs = node.next.map((e) => e !== null && needed.has(e.node));
    if (!needs.includes(true)) {
      if (!opts.retainGraph) node.release();
      return;
    }
    node.needs = needs;
  }
  const grads = materialize(node, buf, own);
  let out: readonly (Tensor | null | undefined)[];
  try {
    out = node.apply(grads);
  } finally {
    node.needs = null;
  }
  for (let i = 0; i < node.next.length; i++) {
    const e = node.next[i];
    if (e === null || e === undefined) continue;
    if (needed !== null && !needed.has(e.node)) continue;
    let g = out[i];
    if (g === null || g === undefined) continue;
    let fresh = own !== null && isFresh(node, g, buf, own);
    const checked = validate(node, i, g);
    if (checked !== g) {
      // A cast to the input's dtype: the cast is new (the rule's result is left to the GC,
      // since the rule may have returned it for another input too).
      g = checked;
      fresh = true;
    }
    if (mode.anomaly) checkFinite(node, i, g);
    addToBuffer(buffers, e.node, e.nr, g, own, fresh);
  }
  if (!opts.retainGraph) node.release();
}

// Ownership of gradients during one backward pass (PyTorch frees them by reference counting).
// `Owned` maps each gradient this pass created, and that nothing outside the pass can reach, to
// the number of buffer slots holding it; it is disposed when the last of them is consumed, so
// its memory is reused by the rest of the pass instead of waiting for the garbage collector.
// Gradients from elsewhere (the caller's, hooks', custom Functions') are never disposed.
type Owned = Map<Tensor, number>;

/**
 * Whether a rule's result `g` is a new tensor only this pass holds: built-in rules only (custom
 * Functions may return tensors they keep), and neither an incoming gradient passed through nor a
 * tensor the node saved.
 */
function isFresh(node: Node, g: Tensor, buf: readonly (Tensor | null)[], own: Owned): boolean {
  if (!(node instanceof OpNode) || own.has(g) || node.holds(g)) return false;
  for (let j = 0; j < buf.length; j++) if (buf[j] === g) return false;
  return true;
}

/**
 * Whether `g` can become a leaf's `.grad` as it is: owned, held by this one slot, contiguous, and
 * the only tensor viewing its buffer (so no other tensor sees later in-place accumulation).
 */
function canTake(own: Owned | null, g: Tensor): boolean {
  return own?.get(g) === 1 && g.offset === 0 && g._storage?.refs === 1 && g.isContiguous();
}

/** Counts one more buffer slot holding `g` (a new owned tensor when `fresh`). */
function hold(own: Owned | null, g: Tensor, fresh: boolean): void {
  if (own === null) return;
  const n = own.get(g);
  if (n !== undefined) own.set(g, n + 1);
  else if (fresh) own.set(g, 1);
}

/** Counts one buffer slot fewer holding `g`; disposes an owned tensor no slot holds any more. */
function release(own: Owned | null, g: Tensor): void {
  if (own === null) return;
  const n = own.get(g);
  if (n === undefined) return;
  if (n > 1) own.set(g, n - 1);
  else {
    own.delete(g);
    g.dispose();
  }
}

/** Takes `g` out of the pass's ownership: something outside it may keep it. */
function disown(own: Owned | null, g: Tensor): void {
  own?.delete(g);
}

/** Releases the gradients of a consumed buffer; a custom node's may have been kept by it. */
function drop(own: Owned | null, node: Node, buf: readonly (Tensor | null)[]): void {
  if (own === null) return;
  const keep = !(node instanceof OpNode) && !(node instanceof AccumulateGrad);
  for (let j = 0; j < buf.length; j++) {
    const g = buf[j];
    if (g === null || g === undefined) continue;
    if (keep) disown(own, g);
    else release(own, g);
  }
}

/** Gradients for every output: zeros for float outputs that received none, null for the rest. */
function materialize(node: Node, buf: (Tensor | null)[], own: Owned | null): (Tensor | null)[] {
  const outs = node.outputs;
  for (let j = 0; j < outs.length; j++) {
    if ((buf[j] === null || buf[j] === undefined) && isFloatDType(outs[j]!.dtype)) {
      const o = outs[j]!;
      buf[j] = zeros(o.shape, { dtype: o.dtype, device: o.device });
      hold(own, buf[j]!, true);
    } else if (buf[j] === undefined) buf[j] = null;
  }
  return buf;
}

/** Checks a rule's gradient against the input it is for; casts it to the input's dtype. */
function validate(node: Node, i: number, g: Tensor): Tensor {
  const ref = node.inputsInfo[i];
  if (ref === undefined) return g;
  if (!sameShape(g.shape, ref.shape)) {
    throw new Error(
      `autograd: ${node.name} returned a gradient of shape ${fmt(g.shape)} for input ${i} of '${node.op}', ` +
        `which has shape ${fmt(ref.shape)}`,
    );
  }
  if (g.device !== ref.device) {
    throw new Error(
      `autograd: ${node.name} returned a gradient on ${g.device} for input ${i} of '${node.op}', which is on ${ref.device}`,
    );
  }
  if (g.dtype !== ref.dtype && isFloatDType(ref.dtype)) g = g.cast(ref.dtype);
  return g;
}

function addToBuffer(
  buffers: Map<Node, (Tensor | null)[]>,
  node: Node,
  nr: number,
  g: Tensor,
  own: Owned | null,
  fresh: boolean,
): void {
  let buf = buffers.get(node);
  if (buf === undefined) {
    buf = new Array<Tensor | null>(node.outputs.length).fill(null);
    buffers.set(node, buf);
  }
  const prev = buf[nr];
  hold(own, g, fresh);
  if (prev === null || prev === undefined) {
    buf[nr] = g;
    return;
  }
  const sum = prev.add(g);
  hold(own, sum, true);
  release(own, prev);
  release(own, g);
  buf[nr] = sum;
}

function runHooks(meta: AutogradMeta, g: Tensor): Tensor {
  for (const h of meta.hooks!) {
    const r = h(g);
    if (r !== undefined && r !== null) {
      if (!sameShape(r.shape, g.shape)) {
        throw new Error(
          `registerHook: hook returned a gradient of shape ${fmt(r.shape)}, expected ${fmt(g.shape)}`,
        );
      }
      g = r;
    }
  }
  return g;
}

/** Adds `g` into `meta.grad` (PyTorch's AccumulateGrad semantics). */
export function accumulateGrad(meta: AutogradMeta, g: Tensor, createGraph: boolean): void {
  const prev = meta.grad;
  if (prev === null) {
    // A fresh tensor the user owns: the incoming gradient may be shared or a broadcast view.
    meta.grad = createGraph ? g : g.clone();
  } else if (createGraph || (prev.ext as AutogradMeta | undefined)?.requiresGrad === true) {
    meta.grad = prev.add(g);
  } else {
    prev.add_(g);
  }
}

/** Post-order of the nodes reachable from `starts` (iterative DFS), not expanding `stop` nodes. */
function postOrder(starts: readonly Node[], stop: Map<Node, unknown> | null): Node[] {
  const visited = new Set<Node>();
  const order: Node[] = [];
  const stackNodes: Node[] = [];
  const stackPos: number[] = [];
  for (const s of starts) {
    if (visited.has(s)) continue;
    visited.add(s);
    stackNodes.push(s);
    stackPos.push(0);
    while (stackNodes.length > 0) {
      const top = stackNodes.length - 1;
      const n = stackNodes[top]!;
      const pos = stackPos[top]!;
      if (pos < n.next.length && (stop === null || !stop.has(n))) {
        stackPos[top] = pos + 1;
        const e = n.next[pos];
        if (e !== null && e !== undefined && !visited.has(e.node)) {
          visited.add(e.node);
          stackNodes.push(e.node);
          stackPos.push(0);
        }
      } else {
        order.push(n);
        stackNodes.pop();
        stackPos.pop();
      }
    }
  }
  return order;
}

/** Nodes that lead to a target (post-order: every node after the nodes it sends gradients to). */
function neededNodes(order: readonly Node[], targets: Map<Node, unknown>): Set<Node> {
  const needed = new Set<Node>();
  for (const n of order) {
    if (targets.has(n) || n.next.some((e) => e !== null && needed.has(e.node))) needed.add(n);
  }
  return needed;
}
