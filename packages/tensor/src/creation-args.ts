// Argument handling shared by the creation functions: options, sizes, backends, requiresGrad.
import { type Backend, getBackend } from './backend.js';
import { checkDType, type DType } from './dtype.js';
import { checkOptions, describeOptionValue, type OptionSpec } from './options.js';
import type { Generator } from './random.js';
import { checkShape } from './shape.js';
import type { Tensor } from './tensor.js';

/** Options of creation functions. */
export interface CreationOptions {
  /** Element type; inferred from the data when omitted (float32 for most functions). */
  dtype?: DType;
  /** Backend name (`'cpu'`, `'webgpu'`); the current default when omitted. */
  device?: string;
  /** Record operations for autograd (needs `@tessera/autograd` imported). */
  requiresGrad?: boolean;
}

/** Options of random creation functions. */
export interface RandomOptions extends CreationOptions {
  /** Generator to draw from; the global one (`manualSeed`) when omitted. */
  generator?: Generator;
}

/**
 * The size arguments of `zeros`, `ones`, `empty`, `rand`, `randn`: one array (`zeros([2, 3])`) or
 * the sizes as separate numbers (`zeros(2, 3)`, as PyTorch), optionally followed by options.
 */
export type SizeArgs<O> =
  | readonly [shape: number | readonly number[], opts?: O]
  | readonly number[]
  | readonly [...sizes: number[], opts: O | undefined];

const CREATION_SPEC: OptionSpec = { dtype: 'string', device: 'string', requiresGrad: 'boolean' };
const RANDOM_SPEC: OptionSpec = { ...CREATION_SPEC, generator: 'object' };

/** Checks the options of a creation function (plus `extra` keys); returns them. */
export function creationOptions<O extends CreationOptions>(
  op: string,
  opts: O | undefined,
  extra: OptionSpec = {},
): O | undefined {
  if (opts === undefined) return undefined;
  return checkOptions(op, opts, { ...CREATION_SPEC, ...extra });
}

/** Checks the options of a random creation function (plus `extra` keys); returns them. */
export function randomOptions<O extends RandomOptions>(
  op: string,
  opts: O | undefined,
  extra: OptionSpec = {},
): O | undefined {
  if (opts === undefined) return undefined;
  return checkOptions(op, opts, { ...RANDOM_SPEC, ...extra });
}

/** Applies `requiresGrad` (provided by @tessera/autograd when loaded). */
export function finish(t: Tensor, opts: CreationOptions | undefined): Tensor {
  if (opts?.requiresGrad) {
    const fn = (t as unknown as { requiresGrad_?: (v: boolean) => Tensor }).requiresGrad_;
    if (typeof fn !== 'function') {
      throw new Error(
        "requiresGrad: gradients need '@tessera/autograd'; import it once before creating tensors that require grad",
      );
    }
    fn.call(t, true);
  }
  return t;
}

/** The backend named by `opts.device` (or the default), checked to support `dtype`. */
export function backendFor(op: string, opts: CreationOptions | undefined, dtype: DType): Backend {
  const b = getBackend(opts?.device);
  if (!b.supportsDType(dtype))
    throw new TypeError(`${op}: dtype ${dtype} is not supported on the ${b.name} backend`);
  return b;
}

/** `opts.dtype` checked, else `dflt`. */
export function dtypeOpt(op: string, opts: CreationOptions | undefined, dflt: DType): DType {
  return opts?.dtype === undefined ? dflt : checkDType(op, opts.dtype);
}

/** A shape given as one number or an array of integers. */
export function shapeArg(op: string, shape: number | readonly number[]): number[] {
  if (typeof shape === 'number') return checkShape(op, [shape]);
  if (!Array.isArray(shape))
    throw new TypeError(
      `${op}: shape must be a number or an array of integers, got ${describeOptionValue(shape)}`,
    );
  return checkShape(op, shape);
}

/** Splits `SizeArgs` into the shape and the options (still unchecked). */
export function sizeArgs<O>(op: string, args: readonly unknown[]): { shape: number[]; opts: O | undefined } {
  if (args.length === 0) {
    throw new TypeError(`${op}: a shape is required, e.g. ${op}(2, 3) or ${op}([2, 3])`);
  }
  if (typeof args[0] !== 'number') {
    if (args.length > 2) {
      throw new TypeError(
        `${op}: expected one shape array and options, got ${args.length} arguments; write ${op}([2, 3], opts) or ${op}(2, 3, opts)`,
      );
    }
    return { shape: shapeArg(op, args[0] as readonly number[]), opts: args[1] as O | undefined };
  }
  let n = 0;
  while (n < args.length && typeof args[n] === 'number') n++;
  if (n < args.length - 1) {
    throw new TypeError(
      `${op}: size arguments must all be integers, got ${describeOptionValue(args[n])} at argument ${n}`,
    );
  }
  return { shape: checkShape(op, args.slice(0, n) as number[]), opts: args[n] as O | undefined };
}
