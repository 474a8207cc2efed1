import type { ElementwiseExtension } from '../backend.js';
import { runOp } from '../dispatch.js';
import { type DType, isFloating } from '../dtype.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import {
  type AttrArgs,
  type AttrsOf,
  checkDecl,
  defineOp,
  type NoAttrs,
  type NumericAttrSpec,
  type OpDecl,
  type OpDeclInput,
  resolveAttrs,
} from './declare.js';
import { broadcastView, cast, operands, resultType } from './elementwise.js';
import { checkTensor, describe, emptyOut } from './util.js';

// The extension API: a package outside @tessera/tensor registers an elementwise op with its
// declaration and kernels, and its users call it like a built-in. The op is recorded by `runOp`
// under its name, so autograd (a rule registered with `registerGradient`), profilers and every
// backend that implements `elementwiseExtension` see it as they see the built-ins.

/** The result dtype rules an extension op may declare (the elementwise ones). */
export type ExtensionDTypeRule = 'same' | 'float' | 'bool';

/** The CPU kernel of an extension op: one element's result from its input values and attrs. */
export type ScalarKernel<K extends 'unary' | 'binary', A extends NumericAttrSpec> = K extends 'unary'
  ? (x: number, attrs: { readonly [k in keyof A]: number }) => number | boolean
  : (a: number, b: number, attrs: { readonly [k in keyof A]: number }) => number | boolean;

/** The kernels of an extension op (see `registerOp`). */
export interface OpKernels<K extends 'unary' | 'binary', A extends NumericAttrSpec> {
  /** The CPU kernel: a scalar function, called once per element (inputs as numbers, bool as 0/1). */
  readonly cpu: ScalarKernel<K, A>;
  /**
   * Optional WebGPU kernel: a WGSL f32 expression of the inputs (`x`; or `a`, `b`) and of the
   * attributes by upper-cased name (`lo` is `LO`); a bool-result op gives a WGSL bool expression.
   * Without it the op runs on the CPU only.
   */
  readonly wgsl?: string;
}

const extensions = new Map<string, ElementwiseExtension>();

/**
 * Registers an elementwise op from outside this package: its declaration (as `defineOp` takes it:
 * name, kind 'unary' or 'binary', result dtype rule, attributes with defaults, differentiable)
 * and its kernels. Returns the declaration, the key of `callOp` and of autograd's
 * `registerGradient`. A name already declared (a built-in or an earlier registration) is an error.
 */
export function registerOp<
  const N extends string,
  const K extends 'unary' | 'binary',
  const A extends NumericAttrSpec = NoAttrs,
  const R extends ExtensionDTypeRule = 'same',
>(decl: OpDeclInput<N, K, A, R>, kernels: OpKernels<K, A>): OpDecl<N, K, A, R> {
  checkDecl(decl);
  // Extension ops are elementwise: kernels of other kinds cannot be given as a scalar function.
  if (decl.kind !== 'unary' && decl.kind !== 'binary') {
    throw new TypeError(
      `registerOp(${decl.name}): kind must be one of unary, binary, got ${JSON.stringify(decl.kind)}`,
    );
  }
  if (decl.dtype !== undefined && !['same', 'float', 'bool'].includes(decl.dtype)) {
    throw new TypeError(
      `registerOp(${decl.name}): dtype must be one of same, float, bool, got ${JSON.stringify(decl.dtype)}`,
    );
  }
  for (const [k, v] of Object.entries(decl.attrs ?? {})) {
    if (typeof v !== 'number') {
      throw new TypeError(
        `registerOp(${decl.name}): attribute '${k}' needs a number default, got ${typeof v}`,
      );
    }
  }
  if (typeof kernels !== 'object' || kernels === null || typeof kernels.cpu !== 'function') {
    throw new TypeError(`registerOp(${String(decl?.name)}): kernels.cpu must be a function`);
  }
  if (kernels.wgsl !== undefined && (typeof kernels.wgsl !== 'string' || kernels.wgsl.trim() === '')) {
    throw new TypeError(`registerOp(${String(decl.name)}): kernels.wgsl must be a non-empty WGSL expression`);
  }
  const arity = decl.kind === 'unary' ? 1 : 2;
  if (kernels.cpu.length !== arity && kernels.cpu.length !== arity + 1) {
    throw new TypeError(
      `registerOp(${decl.name}): a ${decl.kind} op's cpu kernel takes ${arity} value(s) then the attrs, got a function of ${kernels.cpu.length} parameters`,
    );
  }
  const d = defineOp(decl, true);
  extensions.set(d.name, Object.freeze({ decl: d, cpu: kernels.cpu as never, wgsl: kernels.wgsl }));
  return d;
}

/**
 * Calls a registered extension op on its inputs (one tensor for a unary op; two operands for a
 * binary one, tensors or numbers, promoted and broadcast as `add` does), with attributes not given
 * taking the declaration's defaults. The call is recorded under the op's name.
 */
export function callOp<D extends OpDecl>(
  decl: D,
  inputs: readonly TensorLike[],
  attrs?: AttrArgs<D>,
): Tensor {
  const ext = extensions.get(decl?.name);
  if (ext === undefined || ext.decl !== decl) {
    throw new TypeError(`callOp: '${String(decl?.name)}' is not an op registered with registerOp`);
  }
  const op = decl.name;
  const arity = decl.kind === 'unary' ? 1 : 2;
  if (!Array.isArray(inputs) || inputs.length !== arity) {
    throw new TypeError(
      `${op}: expected ${arity} input(s), got ${Array.isArray(inputs) ? inputs.length : describe(inputs)}`,
    );
  }
  const resolved = resolveAttrs(decl, attrs as Readonly<Record<string, number>> | undefined) as AttrsOf<D>;
  const ts = arity === 1 ? [unaryInput(decl, inputs[0])] : binaryInputs(decl, inputs[0]!, inputs[1]!);
  const shape = ts.length === 1 ? ts[0]!.shape : broadcastShapes(op, ts[0]!.shape, ts[1]!.shape);
  const outDtype: DType = decl.dtype === 'bool' ? 'bool' : ts[0]!.dtype;
  return runOp(decl, ts, resolved, () => {
    const be = ts[0]!.storage(op).backend;
    if (be.elementwiseExtension === undefined) {
      throw new Error(
        `${op}: backend '${be.name}' cannot run extension ops (it has no elementwiseExtension kernel)`,
      );
    }
    const out = emptyOut(be, outDtype, shape);
    if (out.numel() > 0) {
      const views = ts.map((t) => broadcastView(op, t, shape));
      be.elementwiseExtension(ext, out.viewFor(op), views, resolved as Readonly<Record<string, number>>);
    }
    return out;
  });
}

/** The bool rule (refuse, int32 or keep), then float32 for float-valued ops. */
function prepare(decl: OpDecl, t: Tensor): Tensor {
  if (t.dtype === 'bool') {
    if (decl.boolInput === 'reject') throw new TypeError(`${decl.name}: ${decl.boolError}`);
    if (decl.boolInput === 'int32') t = cast(t, 'int32');
  }
  return decl.dtype === 'float' && !isFloating(t.dtype) ? cast(t, 'float32') : t;
}

function unaryInput(decl: OpDecl, x: TensorLike | undefined): Tensor {
  checkTensor(decl.name, x as Tensor);
  return prepare(decl, x as Tensor);
}

function binaryInputs(decl: OpDecl, a: TensorLike, b: TensorLike): Tensor[] {
  let dtype = resultType(a, b);
  if (decl.dtype === 'float' && !isFloating(dtype)) dtype = 'float32';
  const [ta, tb] = operands(decl.name, a, b, dtype);
  return [prepare(decl, ta), prepare(decl, tb)];
}

/** The extension op registered under `name`, if any (for backends and tests). */
export function extensionOp(name: string): ElementwiseExtension | undefined {
  return extensions.get(name);
}
