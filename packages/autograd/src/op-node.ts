import type { DType, Tensor } from '@tessera/tensor';
import { type Edge, Node, type TensorInfo } from './node.js';
import type { GradContext, GradRule, UnknownAttrs } from './rule.js';
import type { SavedTensor } from './saved.js';

/**
 * A graph node for a built-in op: runs the op's gradient rule. It is its own `GradContext`, so a
 * backward step allocates nothing beyond the gradients.
 */
export class OpNode extends Node implements GradContext {
  private rule: GradRule | null;
  readonly attrs: UnknownAttrs;
  private savedInputs: (SavedTensor | null)[] | null;
  private savedOutputs: (SavedTensor | null)[] | null;

  constructor(
    op: string,
    rule: GradRule,
    attrs: UnknownAttrs,
    next: (Edge | null)[],
    inputsInfo: readonly TensorInfo[],
    savedInputs: (SavedTensor | null)[] | null,
  ) {
    super(op, next, inputsInfo);
    this.rule = rule;
    this.attrs = attrs;
    this.savedInputs = savedInputs;
    this.savedOutputs = null;
  }

  /** Keeps the outputs the rule needs (after they got their graph state). */
  saveOutputs(saved: (SavedTensor | null)[] | null): void {
    this.savedOutputs = saved;
  }

  get numInputs(): number {
    return this.inputsInfo.length;
  }

  input(i: number): Tensor {
    const s = this.savedInputs?.[i];
    if (s === null || s === undefined) {
      throw new Error(`autograd: the gradient rule of '${this.op}' read input ${i}, which it did not save`);
    }
    return s.unpack(this.op, `input ${i}`);
  }

  output(i = 0): Tensor {
    const s = this.savedOutputs?.[i];
    if (s === null || s === undefined) {
      throw new Error(`autograd: the gradient rule of '${this.op}' read output ${i}, which it did not save`);
    }
    return s.unpack(this.op, `output ${i}`);
  }

  inputShape(i: number): readonly number[] {
    return this.inputsInfo[i]!.shape;
  }

  inputDtype(i: number): DType {
    return this.inputsInfo[i]!.dtype;
  }

  inputDevice(i: number): string {
    return this.inputsInfo[i]!.device;
  }

  apply(grads: readonly (Tensor | null)[]): readonly (Tensor | null | undefined)[] {
    const rule = this.rule;
    if (rule === null) throw releasedError(this);
    return rule.backward(this, grads[0]!, grads);
  }

  /** Whether `t` is one of the tensors this node saved (as its rule sees them). */
  holds(t: Tensor): boolean {
    for (const list of [this.savedInputs, this.savedOutputs]) {
      if (list !== null) for (const s of list) if (s?.tensor === t) return true;
    }
    return false;
  }

  override release(): void {
    this.released = true;
    this.rule = null;
    for (const list of [this.savedInputs, this.savedOutputs]) {
      if (list !== null) for (const s of list) s?.dispose();
    }
    this.savedInputs = null;
    this.savedOutputs = null;
  }
}

/** The error for running a node whose saved state a previous backward freed. */
export function releasedError(node: Node): Error {
  return new Error(
    `autograd: trying to backward through the graph a second time (node ${node.name} of op '${node.op}'): ` +
      'its saved tensors were freed by the previous backward. Pass { retainGraph: true } to the first ' +
      'backward() if you need to backward through the graph again.',
  );
}
