import { defaultGenerator, Tensor } from '@tessera/tensor';
import { runEngine } from './engine.js';
import { requiresGrad } from './meta.js';
import { mode, noGrad } from './mode.js';
import { Node, type TensorInfo } from './node.js';
import { releasedError } from './op-node.js';
import { attachOutputs, edgeOf, infoOf } from './record.js';
import { SavedTensor } from './saved.js';

class CheckpointNode<A extends unknown[]> extends Node {
  private saved: (SavedTensor | null)[] | null;

  constructor(
    private readonly fn: ((...args: A) => Tensor | Tensor[]) | null,
    private readonly args: Readonly<A>,
    private readonly rng: { seed: string; offset: string },
    next: ReturnType<typeof edgeOf>[],
    inputs: readonly TensorInfo[],
  ) {
    super('checkpoint', next, inputs);
    this.saved = args.map((a) => (a instanceof Tensor ? new SavedTensor(a) : null));
  }

  apply(grads: readonly (Tensor | null)[]): readonly (Tensor | null)[] {
    const saved = this.saved;
    if (saved === null || this.fn === null) throw releasedError(this);
    const args = this.args.map((a, i) =>
      saved[i] !== null ? saved[i]!.unpack('checkpoint', `argument ${i}`) : a,
    );
    const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
    // Recompute with the random state of the forward pass (same dropout masks).
    const now = defaultGenerator.getState();
    defaultGenerator.setState(this.rng);
    const prev = mode.gradEnabled;
    mode.gradEnabled = true;
    let result: Tensor | Tensor[];
    try {
      result = this.fn(...(args as A));
    } finally {
      mode.gradEnabled = prev;
      defaultGenerator.setState(now);
    }
    const outs = result instanceof Tensor ? [result] : result;
    const roots: Tensor[] = [];
    const rootGrads: Tensor[] = [];
    outs.forEach((o, j) => {
      const g = grads[j];
      if (requiresGrad(o) && g !== null && g !== undefined) {
        roots.push(o);
        rootGrads.push(g);
      }
    });
    const wanted = tensors.filter((t, k) => requiresGrad(t) && this.needsInputGrad(k));
    if (roots.length === 0 || wanted.length === 0) return tensors.map(() => null);
    const gs = runEngine(roots, rootGrads, {
      retainGraph: prev,
      createGraph: prev,
      inputs: wanted,
      capture: true,
      stopAtInputs: true,
      caller: 'checkpoint',
    });
    return tensors.map((t) => {
      const k = wanted.indexOf(t);
      return k >= 0 ? gs[k]! : null;
    });
  }

  override release(): void {
    this.released = true;
    for (const s of this.saved ?? []) s?.dispose();
    this.saved = null;
  }
}

/**
 * Runs `fn(...args)` without keeping its intermediate results; during backward, `fn` is run again
 * (with the same random state) to compute the gradients (PyTorch's activation checkpointing).
 * Trades compute for memory: only the arguments are kept. `fn` must be deterministic apart from
 * the default generator's random numbers and must return a tensor or an array of tensors.
 */
export function checkpoint<A extends unknown[], O extends Tensor | Tensor[]>(
  fn: (...args: A) => O,
  ...args: A
): O {
  const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
  if (!mode.gradEnabled || mode.depth > 0 || !tensors.some(requiresGrad)) return fn(...args);
  const rng = defaultGenerator.getState();
  const result = noGrad(() => fn(...args));
  const outs = result instanceof Tensor ? [result] : Array.isArray(result) ? [...result] : null;
  if (outs === null || !outs.every((t: unknown) => t instanceof Tensor)) {
    throw new TypeError('checkpoint: the function must return a tensor or an array of tensors');
  }
  const node = new CheckpointNode(fn, args, rng, tensors.map(edgeOf), tensors.map(infoOf));
  const attached = attachOutputs(node, outs, tensors);
  return (result instanceof Tensor ? attached[0] : attached) as O;
}
