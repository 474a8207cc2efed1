import { Tensor } from '@tessera/tensor';
import { nodeCrypto } from './node-modules.js';

// How checkpoint metadata is written: JSON for small values, with every tensor moved out into a
// safetensors file (referenced as {"$tensor": name}) and non-finite numbers and -0 written as
// {"$number": "NaN" | "Infinity" | "-Infinity" | "-0"}, so values come back bit for bit. The JSON
// file carries the SHA-256 of its own metadata text, so any changed byte is detected.

/** Deepest nesting accepted in checkpoint metadata (states are shallow; this bounds recursion). */
const MAX_DEPTH = 64;

/**
 * Replaces tensors inside `value` by references, collecting them in `tensors` under names built
 * from their path (`optimizer.state.0.exp_avg`). Plain data only: numbers, strings, booleans,
 * null, arrays, plain objects and tensors; object keys may not start with `$`.
 */
export function encodeValue(
  value: unknown,
  path: string,
  tensors: Record<string, Tensor>,
  depth = 0,
): unknown {
  if (depth > MAX_DEPTH)
    throw new RangeError(`saveCheckpoint: ${path} nests deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'number') {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { $number: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Tensor) {
    tensors[path] = value;
    return { $tensor: path };
  }
  if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, `${path}.${i}`, tensors, depth + 1));
  if (typeof value === 'object' && isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('$'))
        throw new TypeError(`saveCheckpoint: key '${k}' in ${path} starts with '$' (reserved)`);
      if (v !== undefined) out[k] = encodeValue(v, `${path}.${k}`, tensors, depth + 1);
    }
    return out;
  }
  throw new TypeError(
    `saveCheckpoint: ${path} holds a ${describeType(value)}, which a checkpoint cannot store`,
  );
}

function isPlain(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

function describeType(v: unknown): string {
  if (v === undefined) return 'undefined value';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

const NUMBERS: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Infinity,
  '-Infinity': -Infinity,
  '-0': -0,
};

/**
 * Inverse of `encodeValue`: references are resolved in `tensors` (each may be used once) and
 * `$number` forms become numbers. Throws a short message on anything malformed.
 */
export function decodeValue(value: unknown, path: string, tensors: Map<string, Tensor>, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new Error(`${path} nests deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v, i) => decodeValue(v, `${path}.${i}`, tensors, depth + 1));
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === '$tensor') {
    const name = o.$tensor;
    const t = typeof name === 'string' ? tensors.get(name) : undefined;
    if (t === undefined) throw new Error(`${path} refers to a tensor missing from the state file`);
    tensors.delete(name as string);
    return t;
  }
  if (keys.length === 1 && keys[0] === '$number') {
    const s = o.$number;
    if (typeof s !== 'string' || !Object.hasOwn(NUMBERS, s))
      throw new Error(`${path} has an invalid $number`);
    return NUMBERS[s];
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k.startsWith('$')) throw new Error(`${path} has a reserved key starting with '$'`);
    out[k] = decodeValue(o[k], `${path}.${k}`, tensors, depth + 1);
  }
  return out;
}

/** Hex SHA-256 of some bytes: node:crypto in Node (6x faster than Web Crypto there), else Web Crypto. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const nodeCryptoModule = await nodeCrypto();
  if (nodeCryptoModule !== null) {
    return nodeCryptoModule.createHash('sha256').update(bytes).digest('hex');
  }
  const d = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

const PREFIX = '{"sha256":"';
const MIDDLE = '","meta":';
const HEX64 = /^[0-9a-f]{64}$/;

/** The JSON file: `{"sha256":"<hash of the meta text>","meta":<meta text>}`. */
export async function frameMeta(meta: unknown): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const body = enc.encode(JSON.stringify(meta));
  const head = enc.encode(`${PREFIX}${await sha256(body)}${MIDDLE}`);
  const out = new Uint8Array(head.length + body.length + 1);
  out.set(head, 0);
  out.set(body, head.length);
  out[out.length - 1] = 0x7d; // }
  return out;
}

/**
 * Checks a JSON file written by `frameMeta` against its hash (over the exact bytes) and parses
 * the metadata; returns why it is rejected as a string.
 */
export async function unframeMeta(raw: Uint8Array): Promise<string | { meta: unknown }> {
  const headLen = PREFIX.length + 64 + MIDDLE.length;
  const ascii = (a: number, b: number) => String.fromCharCode(...raw.subarray(a, b));
  if (
    raw.length < headLen + 2 ||
    ascii(0, PREFIX.length) !== PREFIX ||
    ascii(PREFIX.length + 64, headLen) !== MIDDLE ||
    raw[raw.length - 1] !== 0x7d
  )
    return 'the JSON file is not a tessera checkpoint (no {"sha256", "meta"} frame: written by an older version, or damaged)';
  const hash = ascii(PREFIX.length, PREFIX.length + 64);
  const body = raw.subarray(headLen, raw.length - 1);
  if (!HEX64.test(hash) || (await sha256(body)) !== hash)
    return 'the JSON metadata fails its SHA-256 check (corrupt or edited)';
  try {
    return { meta: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as unknown };
  } catch (e) {
    return `the JSON metadata is unreadable (${String((e as Error).message).slice(0, 80)})`;
  }
}
