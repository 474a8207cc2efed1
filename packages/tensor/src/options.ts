// The one checker for options objects across Tessera. JavaScript callers (and PyTorch users)
// write `{ batch_first: true }` or `{ shufle: true }`; ignoring such keys silently would run with
// the defaults, so unknown keys and wrongly typed values are errors with a did-you-mean.
import { Tensor } from './tensor.js';

/**
 * A value kind an option accepts: `'boolean'`, `'number'` (any number but NaN), `'finite'`,
 * `'integer'`, `'string'`, `'tensor'`, `'function'`, `'array'`, `'object'` (a non-array object),
 * `'null'` or `'any'`. Several kinds join with `|`: `'integer|array'`.
 */
export type OptionKind =
  | 'boolean'
  | 'number'
  | 'finite'
  | 'integer'
  | 'string'
  | 'tensor'
  | 'function'
  | 'array'
  | 'object'
  | 'null'
  | 'any';

/**
 * What one option accepts: kinds joined by `|` (`'boolean'`, `'integer|array'`), a list of
 * allowed strings (an enum: `['mean', 'sum', 'none']`), or both (`{ type: 'integer|array',
 * oneOf: ['same', 'valid'] }`).
 */
export type OptionRule =
  | string
  | readonly string[]
  | { readonly type?: string; readonly oneOf?: readonly string[] };

/** Allowed option names, each with the values it accepts. */
export type OptionSpec = Readonly<Record<string, OptionRule>>;

const KINDS: ReadonlySet<string> = new Set([
  'boolean',
  'number',
  'finite',
  'integer',
  'string',
  'tensor',
  'function',
  'array',
  'object',
  'null',
  'any',
]);

function isKind(kind: string, v: unknown): boolean {
  switch (kind) {
    case 'boolean':
      return typeof v === 'boolean';
    case 'number':
      return typeof v === 'number' && !Number.isNaN(v);
    case 'finite':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'string':
      return typeof v === 'string';
    case 'tensor':
      return v instanceof Tensor;
    case 'function':
      return typeof v === 'function';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'null':
      return v === null;
    default:
      return true;
  }
}

const KIND_NAMES: Readonly<Record<string, string>> = {
  boolean: 'a boolean',
  number: 'a number',
  finite: 'a finite number',
  integer: 'an integer',
  string: 'a string',
  tensor: 'a Tensor',
  function: 'a function',
  array: 'an array',
  object: 'an object',
  null: 'null',
  any: 'any value',
};

/** Describes a value for an error message: `the string "no"`, `NaN`, `an array`. */
export function describeOptionValue(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Tensor) return 'a Tensor';
  if (typeof v === 'function') return 'a function';
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

function parseRule(
  where: string,
  key: string,
  rule: OptionRule,
): { kinds: string[]; oneOf: readonly string[] } {
  let type: string | undefined;
  let oneOf: readonly string[] = [];
  if (typeof rule === 'string') type = rule;
  else if (Array.isArray(rule)) oneOf = rule as readonly string[];
  else {
    const r = rule as { type?: string; oneOf?: readonly string[] };
    type = r.type;
    oneOf = r.oneOf ?? [];
  }
  const kinds = type === undefined ? [] : type.split('|');
  for (const k of kinds) {
    // A misspelt kind in a spec is a bug in Tessera, not in the caller: fail loudly.
    if (!KINDS.has(k)) throw new Error(`${where}: internal error: option '${key}' has unknown kind '${k}'`);
  }
  return { kinds, oneOf };
}

function accepts(kinds: readonly string[], oneOf: readonly string[], v: unknown): boolean {
  if (typeof v === 'string' && oneOf.includes(v)) return true;
  return kinds.some((k) => isKind(k, v));
}

function expected(kinds: readonly string[], oneOf: readonly string[]): string {
  const parts = kinds.map((k) => KIND_NAMES[k]!);
  if (oneOf.length > 0) parts.push(`one of ${oneOf.map((s) => `'${s}'`).join(', ')}`);
  if (parts.length <= 1) return parts[0] ?? 'nothing';
  return `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

/** Levenshtein distance (small strings only: option names). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** `batch_first` → `batchFirst`, `key-padding-mask` → `keyPaddingMask`. */
function camelCase(s: string): string {
  return s.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The known name `key` was most likely meant as: its camelCase spelling, a case-insensitive
 * match, or the nearest name within a small edit distance; undefined when none is close.
 */
export function suggestOption(key: string, known: readonly string[]): string | undefined {
  const camel = camelCase(key);
  if (known.includes(camel)) return camel;
  const flat = (s: string) => s.replace(/[_-]/g, '').toLowerCase();
  const exact = known.find((k) => flat(k) === flat(key));
  if (exact !== undefined) return exact;
  // A truncated name (`train` for `training`, `keep` for `keepdim`).
  const prefix = flat(key).length >= 4 ? known.find((k) => flat(k).startsWith(flat(key))) : undefined;
  if (prefix !== undefined) return prefix;
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(flat(key), flat(k));
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(key.length / 3)));
  return bestD <= limit ? best : undefined;
}

/** The error for an unknown option `key` of `where`, with a did-you-mean when one is close. */
export function unknownOptionError(where: string, key: string, known: readonly string[]): TypeError {
  const guess = suggestOption(key, known);
  const hint = guess === undefined ? '' : `, did you mean '${guess}'?`;
  const list = known.length === 0 ? 'it takes no options' : `known options: ${known.join(', ')}`;
  return new TypeError(`${where}: unknown option '${key}'${hint} (${list})`);
}

/**
 * Checks an options object against `spec`: it must be a plain object (or undefined), every key
 * must be named in `spec`, and every value that is not `undefined` must be of an accepted kind.
 * Throws a TypeError naming `where`, the key and the value, with a did-you-mean for snake_case
 * spellings (`batch_first` → `batchFirst`) and near misses (`shufle` → `shuffle`). Returns the
 * options, or `{}` when undefined.
 */
export function checkOptions<T extends object>(where: string, options: T | undefined, spec: OptionSpec): T {
  if (options === undefined) return {} as T;
  if (
    options === null ||
    typeof options !== 'object' ||
    Array.isArray(options) ||
    options instanceof Tensor
  ) {
    throw new TypeError(`${where}: options must be an object, got ${describeOptionValue(options)}`);
  }
  const known = Object.keys(spec);
  for (const [key, value] of Object.entries(options)) {
    const rule = spec[key];
    if (rule === undefined || !Object.hasOwn(spec, key)) throw unknownOptionError(where, key, known);
    if (value === undefined) continue;
    const { kinds, oneOf } = parseRule(where, key, rule);
    if (!accepts(kinds, oneOf, value)) {
      const err = oneOf.length > 0 && typeof value === 'string' ? RangeError : TypeError;
      throw new err(
        `${where}: option '${key}' must be ${expected(kinds, oneOf)}, got ${describeOptionValue(value)}`,
      );
    }
  }
  return options;
}
