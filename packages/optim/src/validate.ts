// Option checks shared by the optimizers and schedulers. Each throws an Error naming the class,
// the option and the offending value, e.g. `Adam: invalid eps -1 (expected a number >= 0)`.
import { Tensor, unknownOptionError } from '@tessera/tensor';

/** Bounds of an accepted number: `min`/`max` inclusive unless the `*Exclusive` flag is set. */
export interface Bounds {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
  /** Accept ±Infinity (a norm order, a clipping bound); hyper-parameters are finite otherwise. */
  allowInfinite?: boolean;
}

function describeBounds(b: Bounds): string {
  const kind = b.integer ? 'an integer' : b.allowInfinite ? 'a number' : 'a finite number';
  const lo = b.min === undefined ? undefined : `${b.minExclusive ? '>' : '>='} ${b.min}`;
  const hi = b.max === undefined ? undefined : `${b.maxExclusive ? '<' : '<='} ${b.max}`;
  if (lo !== undefined && hi !== undefined) {
    return `${kind} in ${b.minExclusive ? '(' : '['}${b.min}, ${b.max}${b.maxExclusive ? ')' : ']'}`;
  }
  if (lo !== undefined) return `${kind} ${lo}`;
  if (hi !== undefined) return `${kind} ${hi}`;
  return kind;
}

function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return typeof value;
}

/** Checks that `value` is a (non-NaN) number within `bounds`; returns it. */
export function checkNumber(op: string, name: string, value: unknown, bounds: Bounds = {}): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (bounds.allowInfinite || Number.isFinite(value)) &&
    (!bounds.integer || Number.isInteger(value)) &&
    (bounds.min === undefined || (bounds.minExclusive ? value > bounds.min : value >= bounds.min)) &&
    (bounds.max === undefined || (bounds.maxExclusive ? value < bounds.max : value <= bounds.max));
  if (!ok) throw new RangeError(`${op}: invalid ${name} ${show(value)} (expected ${describeBounds(bounds)})`);
  return value as number;
}

/** Checks that `value` is a boolean; returns it. */
export function checkBoolean(op: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new TypeError(`${op}: invalid ${name} ${show(value)} (expected a boolean)`);
  return value;
}

/** Checks that `value` is one of `choices`; returns it. */
export function checkChoice<T extends string>(
  op: string,
  name: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new RangeError(
      `${op}: invalid ${name} ${show(value)} (expected one of ${choices.map((c) => `'${c}'`).join(', ')})`,
    );
  }
  return value as T;
}

/** Checks Adam-style `betas`: two numbers, each in [0, 1). */
export function checkBetas(op: string, value: unknown): readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new RangeError(`${op}: invalid betas ${show(value)} (expected two numbers in [0, 1))`);
  }
  checkNumber(op, 'betas[0]', value[0], { min: 0, max: 1, maxExclusive: true });
  checkNumber(op, 'betas[1]', value[1], { min: 0, max: 1, maxExclusive: true });
  return value as unknown as readonly [number, number];
}

/** Checks the learning rate: a finite number >= 0 (Infinity would turn the weights into ±Inf). */
export function checkLr(op: string, value: unknown, name = 'lr'): number {
  return checkNumber(op, name, value, { min: 0 });
}

/**
 * Merges user options over `defaults`, rejecting keys the class does not know (a misspelt or
 * snake_case option would otherwise be ignored silently). `undefined` values keep the default.
 */
export function resolveOptions<D extends object>(op: string, defaults: D, options: object | undefined): D {
  if (options === undefined) return { ...defaults };
  if (
    options === null ||
    typeof options !== 'object' ||
    Array.isArray(options) ||
    options instanceof Tensor
  ) {
    throw new TypeError(`${op}: options must be an object, got ${show(options)}`);
  }
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(options)) {
    if (!Object.hasOwn(defaults, k)) throw unknownOptionError(op, k, Object.keys(defaults));
    if (v !== undefined) out[k] = v;
  }
  return out as D;
}

/** Formats a value for an error message. */
export { show as showValue };
