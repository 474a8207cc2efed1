import { type AttrsOf, type DType, getOpDecl, type OpDecl, type Tensor } from '@tessera/tensor';

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
 * Ops without a declaration (see `getOpDecl` in @tessera/tensor) whose outputs never carry
 * gradients (index-valued results, random sampling). Declared ops say it in their declaration
 * (`differentiable: false`: comparisons, logical ops, isnan...). Recording them marks their outputs
 * as not requiring grad; `isNonDifferentiable` answers for both.
 */
export const NON_DIFFERENTIABLE = new Set<string>([
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

/** Whether op `name`'s outputs never carry gradients (by its declaration, or the list above). */
export function isNonDifferentiable(name: string): boolean {
  return NON_DIFFERENTIABLE.has(name) || getOpDecl(name)?.differentiable === false;
}

/** A gradient rule registered against an op declaration: `ctx.attrs` typed by it. */
export interface DeclaredGradRule<D extends OpDecl> extends Omit<GradRule, 'backward'> {
  backward(
    ctx: Omit<GradContext, 'attrs'> & { readonly attrs: AttrsOf<D> },
    g: Tensor,
    grads: readonly (Tensor | null)[],
  ): readonly (Tensor | null | undefined)[];
}

/**
 * Registers the gradient rule of a declared op (a built-in's declaration, or one returned by
 * `registerOp` in @tessera/tensor), replacing any previous one. The rule's `ctx.attrs` are the
 * call's attributes with the declaration's defaults filled in. Write it with tensor ops only, so
 * that double backward records it too.
 */
export function registerGradient<D extends OpDecl>(decl: D, rule: DeclaredGradRule<D>): void {
  const known = getOpDecl(decl?.name);
  if (known === undefined || known !== decl) {
    throw new TypeError(
      `registerGradient: ${String(decl?.name)} is not a declared op (use registerOp's result)`,
    );
  }
  if (!decl.differentiable) {
    throw new TypeError(`registerGradient(${decl.name}): the op is declared not differentiable`);
  }
  if (typeof rule !== 'object' || rule === null || typeof rule.backward !== 'function') {
    throw new TypeError(`registerGradient(${decl.name}): the rule needs a backward function`);
  }
  rules.set(decl.name, rule as unknown as GradRule);
}

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
  return rules.has(name) || isNonDifferentiable(name);
}
