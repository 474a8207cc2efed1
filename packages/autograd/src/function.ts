import { Tensor, zeros } from '@tessera/tensor';
import { requiresGrad } from './meta.js';
import { mode, noGrad } from './mode.js';
import { Node, type TensorInfo } from './node.js';
import { releasedError } from './op-node.js';
import { attachOutputs, edgeOf, infoOf } from './record.js';
import { SavedTensor } from './saved.js';

/**
 * The context a custom function's `forward` and `backward` share. Save tensors for backward with
 * `saveForBackward` (they are checked for in-place modification); other values can be stored as
 * properties (`ctx.scale = 2`).
 */
export class FunctionContext {
  [key: string]: unknown;
  /** @internal */ _pending: Tensor[] = [];
  /** @internal */ _saved: SavedTensor[] | null = null;
  /** @internal */ _name: string;
  /** @internal */ _needs: boolean[] = [];

  constructor(name: string) {
    this._name = name;
  }

  /** Keeps tensors (inputs, outputs or intermediates) for `backward`, available as `savedTensors`. */
  saveForBackward(...tensors: Tensor[]): void {
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor))
        throw new TypeError(`${this._name}: saveForBackward argument ${i} is not a tensor`);
    });
    this._pending = tensors;
  }

  /** The tensors passed to `saveForBackward` (in `backward` only). */
  get savedTensors(): Tensor[] {
    if (this._saved === null) throw new Error(`${this._name}: savedTensors is only available in backward`);
    return this._saved.map((s, i) => s.unpack(this._name, `saved tensor ${i}`));
  }

  /** Whether the gradient of forward argument `i` is needed (false for non-tensors). */
  needsInputGrad(i: number): boolean {
    return this._needs[i] === true;
  }
}

/** A custom differentiable function (see `defineFunction`). */
export interface FunctionDefinition<A extends unknown[], O extends Tensor | Tensor[]> {
  /** Name used for the graph node (`${name}Backward`) and in errors. Default 'custom'. */
  name?: string;
  /** Computes the outputs (runs without recording: ops inside are not differentiated). */
  forward(ctx: FunctionContext, ...args: A): O;
  /**
   * Gradients of the forward arguments from the outputs' gradients (zeros for outputs that got
   * none): one entry per argument, null for non-tensors or when not needed; a single tensor is
   * accepted for one-argument functions. Use differentiable tensor ops to support double backward.
   */
  backward(
    ctx: FunctionContext,
    ...gradOutputs: Tensor[]
  ): Tensor | null | readonly (Tensor | null | undefined)[];
}

class FunctionNode extends Node {
  private ctx: FunctionContext | null;
  private def: FunctionDefinition<unknown[], Tensor | Tensor[]> | null;

  constructor(
    name: string,
    ctx: FunctionContext,
    def: FunctionDefinition<unknown[], Tensor | Tensor[]>,
    next: ReturnType<typeof edgeOf>[],
    inputs: readonly TensorInfo[],
    private readonly argPositions: readonly number[],
    private readonly numArgs: number,
  ) {
    super(name, next, inputs);
    this.ctx = ctx;
    this.def = def;
  }

  apply(grads: readonly (Tensor | null)[]): readonly (Tensor | null | undefined)[] {
    const ctx = this.ctx;
    const def = this.def;
    if (ctx === null || def === null) throw releasedError(this);
    const gs = grads.map(
      (g, j) =>
        g ??
        zeros(this.outputs[j]!.shape, { dtype: this.outputs[j]!.dtype, device: this.outputs[j]!.device }),
    );
    ctx._needs = new Array(this.numArgs).fill(false);
    this.argPositions.forEach((pos, k) => {
      ctx._needs[pos] = this.needsInputGrad(k);
    });
    const r = def.backward(ctx, ...gs);
    const list = r instanceof Tensor || r === null ? [r] : r;
    if (!Array.isArray(list) || list.length !== this.numArgs) {
      throw new Error(
        `${this.op}: backward returned ${Array.isArray(list) ? list.length : typeof list} gradients, expected ${this.numArgs} (one per forward argument)`,
      );
    }
    list.forEach((g, pos) => {
      if (g !== null && g !== undefined && !this.argPositions.includes(pos)) {
        throw new Error(
          `${this.op}: backward returned a gradient for argument ${pos}, which is not a tensor`,
        );
      }
    });
    return this.argPositions.map((pos) => list[pos] as Tensor | null | undefined);
  }

  override release(): void {
    this.released = true;
    for (const s of this.ctx?._saved ?? []) s.dispose();
    this.ctx = null;
    this.def = null;
  }
}

/**
 * Defines a differentiable function from a forward computation and a hand-written backward
 * (PyTorch's `torch.autograd.Function`). The result is called like any op: its tensor outputs
 * record one graph node whose gradient is your `backward`.
 *
 * ```ts
 * const square = defineFunction({
 *   forward(ctx, x: Tensor) { ctx.saveForBackward(x); return x.mul(x); },
 *   backward(ctx, g) { const [x] = ctx.savedTensors; return [g.mul(x!).mul(2)]; },
 * });
 * ```
 */
export function defineFunction<A extends unknown[], O extends Tensor | Tensor[]>(
  def: FunctionDefinition<A, O>,
): (...args: A) => O {
  const name = def.name ?? 'custom';
  if (typeof def.forward !== 'function' || typeof def.backward !== 'function') {
    throw new TypeError(`defineFunction: '${name}' needs forward and backward functions`);
  }
  return (...args: A): O => {
    const ctx = new FunctionContext(name);
    const positions: number[] = [];
    args.forEach((a, i) => {
      if (a instanceof Tensor) positions.push(i);
    });
    const tensors = positions.map((i) => args[i] as Tensor);
    const record = mode.gradEnabled && mode.depth === 0 && tensors.some(requiresGrad);
    const result = noGrad(() => def.forward(ctx, ...args));
    const outs = result instanceof Tensor ? [result] : Array.isArray(result) ? [...result] : null;
    if (outs === null || !outs.every((t: unknown) => t instanceof Tensor)) {
      throw new TypeError(`${name}: forward must return a tensor or an array of tensors`);
    }
    if (!record) return result;
    const node = new FunctionNode(
      name,
      ctx,
      def,
      tensors.map(edgeOf),
      tensors.map(infoOf),
      positions,
      args.length,
    );
    const attached = attachOutputs(node, outs, tensors);
    // Save after the outputs got their graph state, so saved outputs connect for double backward.
    ctx._saved = ctx._pending.map((t) => {
      const k = outs.indexOf(t);
      return new SavedTensor(k >= 0 ? attached[k]! : t);
    });
    ctx._pending = [];
    return (result instanceof Tensor ? attached[0] : attached) as O;
  };
}
