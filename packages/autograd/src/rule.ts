import type { DType, Tensor } from '@tessera/tensor';

/**
 * What a gradient rule sees when it runs: the op's attrs, the tensors it asked to save and facts
 * about every input. All tensor work in a rule must use differentiable tensor ops, so that
 * `createGraph` (double backward) records it.
 */
export interface GradContext {
  /** The forward op's name. */
  readonly op: string;
  /** The op's non-tensor arguments, as passed to `runOp`. */
  readonly attrs: Readonly<Record<string, any>>;
  /** Number of forward tensor inputs. */
  readonly numInputs: number;
  /** Forward input `i` (must be listed in the rule's `saveInputs`). */
  input(i: number): Tensor;
  /** Forward output `i` (must be listed in the rule's `saveOutputs`). */
  output(i?: number): Tensor;
  /** Shape of forward input `i`. */
  inputShape(i: number): readonly number[];
  /** dtype of forward input `i`. */
  inputDtype(i: number): DType;
  /** Device of forward input `i`. */
  inputDevice(i: number): string;
  /** Whether the gradient of input `i` is wanted (rules may skip the others). */
  needsInputGrad(i: number): boolean;
}

/**
 * The gradient rule of one recorded op. `backward` gets the gradient of the first output (`g`)
 * and of all outputs (`grads`; null for non-float outputs) and returns one gradient per forward
 * input, each with that input's shape (null/undefined: no gradient, treated as zero).
 */
export interface GradRule {
  /** Inputs to keep for backward: all (`true`) or the listed indices. */
  readonly saveInputs?: boolean | readonly number[];
  /** Outputs to keep for backward: all (`true`) or the listed indices. */
  readonly saveOutputs?: boolean | readonly number[];
  backward(
    ctx: GradContext,
    g: Tensor,
    grads: readonly (Tensor | null)[],
  ): readonly (Tensor | null | undefined)[];
}

const rules = new Map<string, GradRule>();

/**
 * Ops whose outputs never carry gradients (comparisons, logical ops, index-valued results,
 * random sampling). Recording them marks their outputs as not requiring grad.
 */
export const NON_DIFFERENTIABLE = new Set<string>([
  // comparisons and logical ops (bool results)
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'and',
  'or',
  'xor',
  'not',
  'isnan',
  'isfinite',
  'isinf',
  // index-valued or counting results
  'argmax',
  'argmin',
  'argsort',
  'any',
  'all',
  'oneHot',
  'nonzero',
  'bucketize',
  'searchsorted',
  'countNonzero',
  'unique',
  'histc',
  'bincount',
  // random sampling driven by a tensor (probabilities, shapes)
  'bernoulli',
  'multinomial',
  'randLike',
  'randnLike',
  'randintLike',
  'dropoutMask',
]);

/** Registers the gradient rule of op `name` (replacing any previous one). */
export function registerGradRule(name: string, rule: GradRule): void {
  rules.set(name, rule);
}

/** The rule of op `name`, if any. */
export function gradRule(name: string): GradRule | undefined {
  return rules.get(name);
}

/** Names of all ops with a gradient rule, sorted. */
export function gradRuleNames(): string[] {
  return [...rules.keys()].sort();
}

/** Whether autograd knows op `name`: it has a rule or is non-differentiable. */
export function isKnownOp(name: string): boolean {
  return rules.has(name) || NON_DIFFERENTIABLE.has(name);
}
