import { isScalarAttrs, type OpCall, type OpObserver, setOpObserver, type Tensor } from '@tessera/tensor';
import type { AutogradMeta } from './meta.js';
import { mode } from './mode.js';
import { OpNode } from './op-node.js';
import { attachOutputs, edgeOf, infoOf } from './record.js';
import { type GradRule, gradRule } from './rule.js';
import { SavedTensor } from './saved.js';
import { describeTensor, isFloatDType } from './util.js';

/** Runs `compute` as the inside of a recorded op: ops it calls are not recorded. */
function nested<T>(compute: () => T): T {
  mode.depth++;
  try {
    return compute();
  } finally {
    mode.depth--;
  }
}

function anyRequiresGrad(inputs: readonly Tensor[]): boolean {
  for (let i = 0; i < inputs.length; i++) {
    const m = inputs[i]!.ext as AutogradMeta | undefined;
    if (m?.requiresGrad === true) return true;
  }
  return false;
}

function save(
  list: readonly Tensor[],
  which: boolean | readonly number[] | undefined,
): (SavedTensor | null)[] | null {
  if (which === undefined || which === false) return null;
  const out = new Array<SavedTensor | null>(list.length).fill(null);
  if (which === true) {
    for (let i = 0; i < list.length; i++) out[i] = new SavedTensor(list[i]!);
  } else {
    for (const i of which) if (i < list.length) out[i] = new SavedTensor(list[i]!);
  }
  return out;
}

/** Records a computed op as a graph node and marks its float outputs as requiring grad. */
function record<T extends Tensor | readonly Tensor[]>(call: OpCall, rule: GradRule, result: T): T {
  const inputs = call.inputs;
  const outs: Tensor[] = Array.isArray(result) ? [...(result as readonly Tensor[])] : [result as Tensor];
  const next = inputs.map(edgeOf);
  const node = new OpNode(
    call.name,
    rule,
    call.attrs,
    next,
    inputs.map(infoOf),
    save(inputs, rule.saveInputs),
  );
  const attached = attachOutputs(node, outs, inputs);
  // Outputs are saved once they carry their graph state, so double backward connects through them.
  if (rule.saveOutputs !== undefined && rule.saveOutputs !== false)
    node.saveOutputs(save(attached, rule.saveOutputs));
  return (Array.isArray(result) ? attached : attached[0]) as unknown as T;
}

/** The rule of a call: a binary op with a JS-number operand has rules of its own (GradRule.scalar). */
function ruleFor(call: OpCall): GradRule | undefined {
  const rule = gradRule(call.name);
  if (rule === undefined || !isScalarAttrs(call.attrs)) return rule;
  return (call.attrs.scalarFirst === 1 ? rule.scalarFirst : rule.scalar) ?? rule;
}

/**
 * The op observer autograd attaches to `@tessera/tensor`. Cheap paths first: with grad mode off,
 * inside another recorded op, or when no input requires grad, the op just computes.
 */
export const autogradObserver: OpObserver = {
  run<T extends Tensor | readonly Tensor[]>(call: OpCall, compute: () => T): T {
    if (mode.depth > 0 || !mode.gradEnabled) return compute();
    const name = call.name;
    const inputs = call.inputs;
    if (!anyRequiresGrad(inputs)) return nested(compute);
    if (call.decl.kind === 'inplace') {
      const t = inputs.find((x) => (x.ext as AutogradMeta | undefined)?.requiresGrad === true)!;
      throw new Error(
        `${name}: in-place op on a tensor that requires grad (${describeTensor(t)}); use the out-of-place op, ` +
          'or wrap the update in noGrad() (e.g. optimizer steps), or apply it to t.detach()',
      );
    }
    const rule = ruleFor(call);
    if (rule === undefined) {
      if (!call.decl.differentiable) return nested(compute);
      const result = nested(compute);
      const outs = Array.isArray(result) ? (result as readonly Tensor[]) : [result as Tensor];
      if (outs.some((t) => isFloatDType(t.dtype))) {
        throw new Error(
          `autograd: no gradient rule for op '${name}' (inputs: ${inputs.map(describeTensor).join(', ')}); ` +
            'run it under noGrad() or on detached tensors if you do not need its gradient',
        );
      }
      return result;
    }
    return record(call, rule, nested(compute));
  },
};

/**
 * Attaches autograd to `@tessera/tensor`'s op dispatch, as its base observer: observers pushed
 * with `pushOpObserver` (a profiler) run above it, and code that clears the base observer for a
 * while (optimizer updates) stops only the recording. Called once when the package loads.
 */
export function attach(): void {
  setOpObserver(autogradObserver);
}
