import {
  type AttrsOf,
  type DifferentiableOp,
  type DType,
  getOpDecl,
  type OpAttrs,
  type OpDecl,
  type Tensor,
} from '@tessera/tensor';

/** The attributes of an op whose declaration is not known statically: values of unknown type. */
export type UnknownAttrs = Readonly<Record<string, unknown>>;

/**
 * What a gradient rule sees when it runs: the op's attrs, the tensors it asked to save and facts
 * about every input. All tensor work in a rule must use differentiable tensor ops, so that
 * `createGraph` (double backward) records it. `A` types the attrs: the op's declared attributes
 * for a built-in or declared op, values of unknown type otherwise.
 */
export interface GradContext<A extends UnknownAttrs = UnknownAttrs> {
  /** The forward op's name. */
  readonly op: string;
  /** The op's non-tensor arguments, as passed to `runOp`. */
  readonly attrs: A;
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
export interface GradRule<A extends UnknownAttrs = UnknownAttrs> {
  /** Inputs to keep for backward: all (`true`) or the listed indices. */
  readonly saveInputs?: boolean | readonly number[];
  /** Outputs to keep for backward: all (`true`) or the listed indices. */
  readonly saveOutputs?: boolean | readonly number[];
  /**
   * The rules of a binary op's scalar forms, used when the recorded call carries a JS-number
   * operand (one tensor input and attrs `scalar`, `scalarFirst`; see ScalarAttrs): `scalar` for
   * `x op s`, `scalarFirst` for `s op x`.
   */
  readonly scalar?: GradRule;
  readonly scalarFirst?: GradRule;
  backward(
    ctx: GradContext<A>,
    g: Tensor,
    grads: readonly (Tensor | null)[],
  ): readonly (Tensor | null | undefined)[];
}

const rules = new Map<string, GradRule>();

/**
 * Whether op `name`'s outputs never carry gradients: its declaration says so (`differentiable:
 * false`: comparisons, index-valued results, random sampling, in-place ops). Recording such an
 * op marks its outputs as not requiring grad.
 */
export function isNonDifferentiable(name: string): boolean {
  return getOpDecl(name)?.differentiable === false;
}

/** The rule of built-in op `N`: `ctx.attrs` typed by the op's declaration. */
export type BuiltinGradRule<N extends DifferentiableOp> = GradRule<OpAttrs<N>>;

/** Rules of built-in ops, keyed by op name, each typed by its op's declaration (see `registerRules`). */
export type BuiltinRules = { readonly [K in DifferentiableOp]?: BuiltinGradRule<K> };

/** Registers a table of built-in rules (write it with `satisfies BuiltinRules` to type each rule). */
export function registerRules(table: BuiltinRules): void {
  for (const [name, r] of Object.entries(table)) rules.set(name, r as GradRule);
}

/** A gradient rule registered against an op declaration: `ctx.attrs` typed by it. */
export type DeclaredGradRule<D extends OpDecl> = GradRule<AttrsOf<D>>;

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
  rules.set(decl.name, rule as GradRule);
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
