// An op's facts, declared once: its name, kind, result dtype rule, attributes with their defaults
// and whether it is differentiable. The CPU and WGSL kernel tables, the gradient rules, the op
// functions and BACKENDS.md's op table are all keyed by these declarations, so a default such as
// leakyRelu's slope is written in exactly one place.

/**
 * The family an op belongs to: elementwise (`unary`, `binary`, `ternary`), reductions and scans,
 * views and copies, indexing, linear algebra, convolution, pooling, sorting, random sampling and
 * in-place updates. BACKENDS.md's op table is grouped by it.
 */
export type OpKind =
  | 'unary'
  | 'binary'
  | 'ternary'
  | 'reduce'
  | 'scan'
  | 'movement'
  | 'copy'
  | 'index'
  | 'linalg'
  | 'conv'
  | 'pool'
  | 'sort'
  | 'random'
  | 'inplace';

/**
 * How an op's result dtype follows from its input's:
 * - `same`: the (promoted) input dtype;
 * - `float`: floating point (integer and bool inputs are cast to float32 first);
 * - `bool`: bool, for any input dtype;
 * - `int32`: int32 indices (argmax, argsort);
 * - `accumulate`: float inputs keep their dtype, int32 and bool accumulate into int32 (sum, prod);
 * - `attr`: the op's `dtype` attribute (cast).
 */
export type DTypeRule = 'same' | 'float' | 'bool' | 'int32' | 'accumulate' | 'attr';

/** What an op does with bool inputs: compute on them, cast them to int32 first, or refuse them. */
export type BoolInput = 'keep' | 'int32' | 'reject';

/** The attributes of an op that takes none. */
export type NoAttrs = Readonly<Record<never, number>>;

/**
 * An attribute that is not a plain number (dims, shapes, flags, geometry): its value type `T`, a
 * word for BACKENDS.md (`type`) and its default, when it has one (see `attr`).
 */
export interface AttrEntry<T> {
  readonly type: string;
  /** The default; absent when every call passes the attribute. */
  readonly default?: T;
}

/** One attribute of a declaration: a number (its default) or a typed entry made by `attr`. */
export type AttrSpecValue = number | AttrEntry<unknown>;

/** Attributes by name, each a number default or an `attr` entry (non-tensor arguments of the op). */
export type AttrSpec = Readonly<Record<string, AttrSpecValue>>;

/** Numeric attributes by name, each with its default (elementwise and extension ops). */
export type NumericAttrSpec = Readonly<Record<string, number>>;

/** The value type of one attribute spec: `T` for `attr<T>(...)`, number for a number default. */
export type AttrValue<S> = S extends AttrEntry<infer T> ? T : number;

/** The resolved attribute values of a declaration: every attribute present. */
export type AttrsOf<D extends { readonly attrs: AttrSpec }> = {
  readonly [K in keyof D['attrs']]: AttrValue<D['attrs'][K]>;
};

/** What an op call may pass: any subset of the attributes (the rest take their defaults). */
export type AttrArgs<D extends { readonly attrs: AttrSpec }> = {
  readonly [K in keyof D['attrs']]?: AttrValue<D['attrs'][K]> | undefined;
};

/**
 * A typed attribute entry for a declaration: `attr<readonly number[]>('dims')` (required),
 * `attr('bool', false)` (with a default). `type` is what BACKENDS.md's table shows.
 */
export function attr<T>(type: string, dflt?: T): AttrEntry<T> {
  return dflt === undefined ? Object.freeze({ type }) : Object.freeze({ type, default: dflt });
}

function isAttrEntry(v: unknown): v is AttrEntry<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

/** One op's declaration (see `defineOp`). */
export interface OpDecl<
  N extends string = string,
  K extends OpKind = OpKind,
  A extends AttrSpec = AttrSpec,
  R extends DTypeRule = DTypeRule,
  Df extends boolean = boolean,
> {
  /** The op name, as recorded by `runOp` and seen by autograd and the profiler. */
  readonly name: N;
  readonly kind: K;
  /** Result dtype rule (see `DTypeRule`). */
  readonly dtype: R;
  /** Bool inputs: computed on (default), cast to int32 first, or refused with `boolError`. */
  readonly boolInput: BoolInput;
  /** Why a bool input is refused (the error message after `name: `). */
  readonly boolError: string;
  /** Attributes with their defaults. */
  readonly attrs: A;
  /** Whether outputs carry gradients (autograd then needs a rule for it). */
  readonly differentiable: Df;
  /** One line for BACKENDS.md's op table: what the op computes. */
  readonly doc: string;
  /** Whether the op was registered from outside @tessera/tensor (see `registerOp`). */
  readonly extension: boolean;
}

/** What `defineOp` takes: the name, kind and doc are required, the rest has defaults. */
export interface OpDeclInput<
  N extends string,
  K extends OpKind,
  A extends AttrSpec,
  R extends DTypeRule,
  Df extends boolean = boolean,
> {
  readonly name: N;
  readonly kind: K;
  readonly doc: string;
  readonly dtype?: R;
  readonly boolInput?: BoolInput;
  readonly boolError?: string;
  readonly attrs?: A;
  readonly differentiable?: Df;
}

// In-place ops end in `_` (PyTorch's convention).
const NAME = /^[a-z][A-Za-z0-9]*_?$/;
const ATTR_NAME = /^[a-z][A-Za-z0-9]*$/;
const KINDS: readonly OpKind[] = [
  'unary',
  'binary',
  'ternary',
  'reduce',
  'scan',
  'movement',
  'copy',
  'index',
  'linalg',
  'conv',
  'pool',
  'sort',
  'random',
  'inplace',
];
const DTYPE_RULES: readonly DTypeRule[] = ['same', 'float', 'bool', 'int32', 'accumulate', 'attr'];
const BOOL_INPUTS: readonly BoolInput[] = ['keep', 'int32', 'reject'];

/** Every declared op by name (built-ins when their modules load, extensions when registered). */
const declared = new Map<string, OpDecl>();

/**
 * Declares an op: checks the declaration, fills the defaults (`dtype` 'same', `boolInput` 'keep',
 * no attributes, differentiable unless the result is bool or int32) and freezes it. Names are unique: a
 * second declaration of a name throws. Used by @tessera/tensor for its built-ins and by
 * `registerOp` for extension ops.
 */
export function defineOp<
  const N extends string,
  const K extends OpKind,
  const A extends AttrSpec = NoAttrs,
  const R extends DTypeRule = 'same',
  const Df extends boolean = boolean,
>(input: OpDeclInput<N, K, A, R, Df>, extension = false): OpDecl<N, K, A, R, Df> {
  const d = checkDecl(input);
  if (declared.has(d.name)) throw new Error(`defineOp: an op named '${d.name}' is already declared`);
  const decl: OpDecl<N, K, A, R, Df> = Object.freeze({
    name: d.name,
    kind: d.kind,
    dtype: d.dtype ?? ('same' as R),
    boolInput: d.boolInput ?? 'keep',
    boolError: d.boolError ?? 'bool tensors are not supported',
    attrs: Object.freeze({ ...(d.attrs ?? ({} as A)) }) as A,
    differentiable: d.differentiable ?? ((d.dtype !== 'bool' && d.dtype !== 'int32') as Df),
    doc: d.doc,
    extension,
  });
  declared.set(decl.name, decl);
  return decl;
}

/** Checks a declaration's fields (as `defineOp` does), throwing an error that names the op. */
export function checkDecl<
  N extends string,
  K extends OpKind,
  A extends AttrSpec,
  R extends DTypeRule,
  Df extends boolean = boolean,
>(d: OpDeclInput<N, K, A, R, Df>): OpDeclInput<N, K, A, R, Df> {
  if (typeof d !== 'object' || d === null) throw new TypeError('defineOp: the declaration must be an object');
  const name = String(d.name);
  if (typeof d.name !== 'string' || !NAME.test(d.name)) {
    throw new TypeError(`defineOp: name must be a camelCase identifier, got ${JSON.stringify(d.name)}`);
  }
  const oneOf = <T>(field: string, v: unknown, allowed: readonly T[]): void => {
    if (v !== undefined && !allowed.includes(v as T)) {
      throw new TypeError(
        `defineOp(${name}): ${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
      );
    }
  };
  if (d.kind === undefined) throw new TypeError(`defineOp(${name}): kind is required`);
  oneOf('kind', d.kind, KINDS);
  oneOf('dtype', d.dtype, DTYPE_RULES);
  oneOf('boolInput', d.boolInput, BOOL_INPUTS);
  if (typeof d.doc !== 'string' || d.doc === '')
    throw new TypeError(`defineOp(${name}): doc must be a non-empty string`);
  if (d.differentiable !== undefined && typeof d.differentiable !== 'boolean') {
    throw new TypeError(`defineOp(${name}): differentiable must be a boolean`);
  }
  if (d.differentiable === true && (d.dtype === 'bool' || d.dtype === 'int32')) {
    throw new TypeError(`defineOp(${name}): an op with a ${d.dtype} result cannot be differentiable`);
  }
  for (const [k, v] of Object.entries(d.attrs ?? {})) {
    if (!ATTR_NAME.test(k))
      throw new TypeError(`defineOp(${name}): attribute name '${k}' must be a camelCase identifier`);
    if (typeof v !== 'number' && !isAttrEntry(v)) {
      throw new TypeError(
        `defineOp(${name}): attribute '${k}' needs a number default or an attr() entry, got ${typeof v}`,
      );
    }
  }
  return d;
}

/** The declaration of op `name`, or undefined when no op of that name is declared. */
export function getOpDecl(name: string): OpDecl | undefined {
  return declared.get(name);
}

/** Every declared op (built-in and extension), in declaration order. */
export function opDeclarations(): OpDecl[] {
  return [...declared.values()];
}

/** The decl of a built-in op, which must exist (a missing one is a bug in this package). */
export function declOf(name: string): OpDecl {
  const d = declared.get(name);
  if (d === undefined) throw new Error(`internal: op '${name}' has no declaration`);
  return d;
}

const NO_ATTRS = Object.freeze({});

/**
 * A numeric-attribute op's (elementwise, extension) attributes with the declaration's defaults filled in, checked: a name the declaration
 * lacks, or a value that is not a number, is an error naming the op. `undefined` and `null` take
 * the default. Ops without attributes share one frozen empty object.
 */
export function resolveAttrs<D extends OpDecl>(
  decl: D,
  args: Readonly<Record<string, number | null | undefined>> | undefined,
): AttrsOf<D> {
  // Elementwise and extension ops only: their attributes are numbers (checked by registerOp).
  const spec = decl.attrs as NumericAttrSpec;
  if (args === undefined || args === null) return (hasAttrs(decl) ? spec : NO_ATTRS) as AttrsOf<D>;
  if (typeof args !== 'object')
    throw new TypeError(`${decl.name}: attributes must be an object, got ${typeof args}`);
  const out: Record<string, number> = { ...spec };
  for (const k of Object.keys(args)) {
    if (!(k in spec)) {
      const known = Object.keys(spec);
      throw new TypeError(
        `${decl.name}: unknown attribute '${k}' (${known.length > 0 ? `attributes: ${known.join(', ')}` : 'the op takes none'})`,
      );
    }
    const v = args[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number')
      throw new TypeError(`${decl.name}: attribute '${k}' must be a number, got ${typeof v}`);
    out[k] = v;
  }
  return out as AttrsOf<D>;
}

function hasAttrs(decl: OpDecl): boolean {
  for (const _ in decl.attrs) return true;
  return false;
}
