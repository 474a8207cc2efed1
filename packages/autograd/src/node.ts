import type { DType, Tensor } from '@tessera/tensor';
import type { AutogradMeta } from './meta.js';

/** Where a gradient goes: output slot `nr` of `node` (the node that produced the input). */
export interface Edge {
  readonly node: Node;
  readonly nr: number;
}

/** Shape, dtype and device of a tensor, kept by nodes instead of the tensor itself. */
export interface TensorInfo {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: string;
}

let nextSeq = 0;

/** `'mul'` → `'MulBackward'`. */
export function backwardName(op: string): string {
  return `${op.charAt(0).toUpperCase()}${op.slice(1)}Backward`;
}

/**
 * A node of the recorded graph (PyTorch's `grad_fn`): computes the gradients of one forward op's
 * inputs from the gradients of its outputs. `next[i]` is where the gradient of input i goes (null
 * when that input does not require grad).
 */
export abstract class Node {
  /** The forward op's name (`'mul'`, `'matmul'`, ...; `'accumulateGrad'` for leaves). */
  readonly op: string;
  /** Creation order; later nodes have larger numbers. */
  readonly seq = nextSeq++;
  /** One edge per forward input. */
  readonly next: (Edge | null)[];
  /** Info about each forward input (gradients are checked against it). */
  readonly inputsInfo: readonly TensorInfo[];
  /** Info about each forward output (for zero gradients of outputs that received none). */
  readonly outputs: TensorInfo[];
  /** Autograd state of each forward output (hooks, retainGrad); null for non-float outputs. */
  readonly outputMetas: (AutogradMeta | null)[];
  /** Anomaly mode: stack trace of the forward call. */
  stack: string | undefined = undefined;
  /** Set once backward has freed this node's saved state. */
  released = false;
  /** Set by the engine while this node runs: whether input i's gradient is needed. */
  needs: readonly boolean[] | null = null;

  /** `outputs` and `outputMetas` start empty unless given; `attachOutputs` fills them. */
  constructor(
    op: string,
    next: (Edge | null)[],
    inputsInfo: readonly TensorInfo[],
    outputs: TensorInfo[] = [],
  ) {
    this.op = op;
    this.next = next;
    this.inputsInfo = inputsInfo;
    this.outputs = outputs;
    const metas = new Array<AutogradMeta | null>(outputs.length);
    for (let i = 0; i < metas.length; i++) metas[i] = null;
    this.outputMetas = metas;
  }

  /** PyTorch-style node name: the op name capitalised + `Backward`, e.g. `'MulBackward'`. */
  get name(): string {
    return backwardName(this.op);
  }

  /** The nodes gradients flow to next, as `[node, outputNr]` pairs (PyTorch's `next_functions`). */
  get nextFunctions(): ReadonlyArray<readonly [Node | null, number]> {
    return this.next.map((e) => (e === null ? ([null, 0] as const) : ([e.node, e.nr] as const)));
  }

  /** Whether the gradient of forward input `i` has to be computed in this backward pass. */
  needsInputGrad(i: number): boolean {
    const e = this.next[i];
    if (e === null || e === undefined) return false;
    return this.needs === null || this.needs[i] === true;
  }

  /** Computes the gradients of the forward inputs from the gradients of the outputs. */
  abstract apply(grads: readonly (Tensor | null)[]): readonly (Tensor | null | undefined)[];

  /** Drops saved tensors (after a backward pass that did not retain the graph). */
  release(): void {
    this.released = true;
  }

  toString(): string {
    return `<${this.name}>`;
  }
}

/** The node at the end of every path to a leaf: adds the gradient into the leaf's `.grad`. */
export class AccumulateGrad extends Node {
  constructor(readonly meta: AutogradMeta) {
    super('accumulateGrad', [], [], [meta]);
    this.outputMetas[0] = meta;
  }

  override get name(): string {
    return 'AccumulateGrad';
  }

  /** Accumulation is done by the engine (it knows the backward options); nothing flows further. */
  apply(): readonly (Tensor | null)[] {
    return [];
  }

  /** A leaf's accumulator is reused by every graph the leaf takes part in: never freed. */
  override release(): void {}
}
