import { type Tensor, tensor } from '@tessera/tensor';
import { describeValue } from '../random.js';
import { concatBytes, gunzipChunks, isGzip, MAX_INFLATE_RATIO } from './gzip.js';

/** Element types of the IDX format (the third byte of the magic number). */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array holding each IDX element type. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: element type, dimensions and the elements in row-major order. */
export interface IdxArray {
  type: IdxType;
  shape: number[];
  data: IdxData;
}

const CODES: Record<number, { type: IdxType; size: number }> = {
  8: { type: 'uint8', size: 1 },
  9: { type: 'int8', size: 1 },
  11: { type: 'int16', size: 2 },
  12: { type: 'int32', size: 4 },
  13: { type: 'float32', size: 4 },
  14: { type: 'float64', size: 8 },
};

const TYPE_CODE: Record<IdxType, number> = {
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
};

/** What a caller expects of an IDX file; a mismatch is an error naming both. */
export interface IdxExpect {
  type?: IdxType;
  ndim?: number;
}

/** Options of `parseIdx` / `loadIdx`. */
export interface IdxOptions {
  /** File name used in error messages (default 'IDX data'). */
  name?: string;
  /** Required element type / number of dims. */
  expect?: IdxExpect;
  /**
   * Refuse gzip data whose header declares, or whose stream inflates to, more bytes (default
   * 1 GiB). Output beyond what the header declares is refused whatever this limit.
   */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 2 ** 30;

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

function toBytes(op: string, bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TypeError(
    `${op}: expected the file's bytes as a Uint8Array or ArrayBuffer, got ${describeValue(bytes)}`,
  );
}

/** What an IDX header says: element type, shape, and the byte sizes it implies. */
interface IdxHeader {
  type: IdxType;
  size: number;
  shape: number[];
  count: number;
  headerLen: number;
  /** Header plus data bytes: the whole file's size. */
  total: number;
}

/** A shape for messages: a header may claim up to 255 dims, so long ones are shortened. */
function fmtShape(shape: readonly number[]): string {
  return shape.length <= 8
    ? `[${shape.join(',')}]`
    : `[${shape.slice(0, 8).join(',')},...] (${shape.length} dims)`;
}

/**
 * Reads and checks the header at the start of `bytes`; `undefined` when `partial` and the
 * header is not complete yet (a streaming caller then waits for more bytes).
 */
function readHeader(
  bytes: Uint8Array,
  fail: (why: string) => never,
  exp: IdxExpect | undefined,
  partial: boolean,
): IdxHeader | undefined {
  if (bytes.length < 4) {
    if (partial) return undefined;
    fail(`is only ${bytes.length} bytes long; an IDX file starts with a 4-byte magic number`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    fail(`bad magic number ${hex(magic)}: an IDX file starts with two zero bytes (is this an IDX file?)`);
  const code = CODES[bytes[2]!];
  if (code === undefined) {
    fail(
      `bad magic number ${hex(magic)}: unknown element type 0x${bytes[2]!.toString(16).padStart(2, '0')} (expected 08 ubyte, 09 byte, 0b short, 0c int, 0d float or 0e double)`,
    );
  }
  const ndim = bytes[3]!;
  if (ndim === 0) fail(`bad magic number ${hex(magic)}: 0 dimensions`);
  const { type, size } = code!;
  if (
    exp &&
    ((exp.type !== undefined && exp.type !== type) || (exp.ndim !== undefined && exp.ndim !== ndim))
  ) {
    const want = (TYPE_CODE[exp.type ?? type] << 8) | (exp.ndim ?? ndim);
    fail(
      `magic number ${hex(magic)} (${type}, ${ndim} dims) but expected ${hex(want)} (${exp.type ?? type}, ${exp.ndim ?? ndim} dims)`,
    );
  }
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) {
    if (partial) return undefined;
    fail(`truncated header: ${ndim} dims need ${headerLen} header bytes but the file has ${bytes.length}`);
  }
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const s = view.getUint32(4 + 4 * d);
    shape.push(s);
    count *= s;
  }
  // A zero dim makes the array empty whatever the others say (and Infinity * 0 would be NaN).
  if (shape.includes(0)) count = 0;
  return { type, size, shape, count, headerLen, total: headerLen + count * size };
}

/** Decodes the elements after a checked header; `owned` bytes may be kept without a copy. */
function decodeBody(bytes: Uint8Array, h: IdxHeader, owned: boolean): IdxData {
  const body = bytes.subarray(h.headerLen);
  const { count } = h;
  switch (h.type) {
    case 'uint8':
      return owned ? body : body.slice();
    case 'int8': {
      const b = owned ? body : body.slice();
      return new Int8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    case 'int16': {
      const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getInt16(2 * i);
      return a;
    }
    case 'int32': {
      const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getInt32(4 * i);
      return a;
    }
    case 'float32': {
      const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getFloat32(4 * i);
      return a;
    }
    case 'float64': {
      const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getFloat64(8 * i);
      return a;
    }
  }
}

function failer(name: string): (why: string) => never {
  return (why: string): never => {
    throw new Error(`loadIdx: ${name}: ${why}`);
  };
}

function decode(bytes: Uint8Array, opts: IdxOptions, owned: boolean): IdxArray {
  const fail = failer(opts.name ?? 'IDX data');
  if (isGzip(bytes)) fail('is gzip-compressed; use the async loadIdx, which decompresses it');
  const h = readHeader(bytes, fail, opts.expect, false)!;
  const what = `shape ${fmtShape(h.shape)} of ${h.type}`;
  const expected = h.count * h.size;
  const actual = bytes.length - h.headerLen;
  if (actual < expected)
    fail(`truncated: ${what} needs ${expected} data bytes but only ${actual} follow the header`);
  if (actual > expected)
    fail(
      `${actual - expected} unexpected bytes after the data of shape ${fmtShape(h.shape)} (${h.type}): wrong dimensions in the header?`,
    );
  return { type: h.type, shape: h.shape, data: decodeBody(bytes, h, owned) };
}

/**
 * Decodes an uncompressed IDX file (the MNIST family's format): magic number 00 00 TT DD
 * (TT the element type, DD the number of dims), DD big-endian uint32 sizes, then the elements,
 * big-endian. Validates every part; errors say which file and what is wrong.
 */
export function parseIdx(input: Uint8Array | ArrayBuffer, opts: IdxOptions = {}): IdxArray {
  return decode(toBytes('parseIdx', input), opts, false);
}

/**
 * Inflates gzip-compressed IDX bytes, checking the size its header claims as the data arrives:
 * output beyond that size (or beyond `maxBytes`) stops the inflater at once, and the result is
 * written into one buffer of the claimed size, so memory never exceeds what the header declares.
 */
async function inflateIdx(gz: Uint8Array, opts: IdxOptions, name: string): Promise<Uint8Array> {
  const fail = failer(name);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let head: Uint8Array = new Uint8Array(0);
  let out: Uint8Array | undefined;
  let filled = 0;
  try {
    for await (const chunk of gunzipChunks(gz, name)) {
      if (out === undefined) {
        head = concatBytes([head, chunk]);
        const h = readHeader(head, fail, opts.expect, true);
        if (h === undefined) continue;
        const what = `shape ${fmtShape(h.shape)} of ${h.type}`;
        if (h.total > maxBytes)
          fail(
            `${what} is ${h.total} bytes, over the limit of ${maxBytes} (pass a larger maxBytes to load it)`,
          );
        if (h.total > gz.length * MAX_INFLATE_RATIO + 1024)
          fail(
            `truncated: ${what} needs ${h.total} bytes but ${gz.length} bytes of gzip data cannot inflate to more than ${gz.length * MAX_INFLATE_RATIO}`,
          );
        out = new Uint8Array(h.total);
        if (head.length > out.length)
          fail(
            `decompresses to more than the ${h.total} bytes its header declares (${what}): wrong dimensions in the header?`,
          );
        out.set(head);
        filled = head.length;
        continue;
      }
      if (filled + chunk.length > out.length)
        fail(
          `decompresses to more than the ${out.length} bytes its header declares: wrong dimensions in the header?`,
        );
      out.set(chunk, filled);
      filled += chunk.length;
    }
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('gunzip: '))
      throw new Error(`loadIdx: ${e.message.slice('gunzip: '.length)}`);
    throw e;
  }
  // A short stream: `decode` reports what is missing.
  return out === undefined ? head : out.subarray(0, filled);
}

/**
 * Decodes an IDX file, plain or gzip-compressed (detected by its magic bytes and decompressed
 * with the platform's DecompressionStream, stopping as soon as the output exceeds what the
 * header declares or `maxBytes`). Pass `name` so errors say which file is bad.
 */
export async function loadIdx(input: Uint8Array | ArrayBuffer, opts: IdxOptions = {}): Promise<IdxArray> {
  const bytes = toBytes('loadIdx', input);
  if (!isGzip(bytes)) return decode(bytes, opts, false);
  return decode(await inflateIdx(bytes, opts, opts.name ?? 'IDX data'), opts, true);
}

/** Encodes an array as an (uncompressed) IDX file; the inverse of `parseIdx`. */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const code = TYPE_CODE[arr.type];
  if (code === undefined) throw new TypeError(`encodeIdx: unknown IDX type ${JSON.stringify(arr.type)}`);
  if (arr.shape.length === 0 || arr.shape.length > 255)
    throw new RangeError(`encodeIdx: an IDX array needs 1 to 255 dims, got ${arr.shape.length}`);
  const count = arr.shape.reduce((a, b) => a * b, 1);
  if (count !== arr.data.length)
    throw new RangeError(
      `encodeIdx: shape [${arr.shape.join(',')}] needs ${count} elements but data has ${arr.data.length}`,
    );
  const size = CODES[code]!.size;
  const header = 4 + 4 * arr.shape.length;
  const out = new Uint8Array(header + count * size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, (code << 8) | arr.shape.length);
  arr.shape.forEach((s, d) => {
    dv.setUint32(4 + 4 * d, s);
  });
  for (let i = 0; i < count; i++) {
    const v = arr.data[i]!;
    const at = header + i * size;
    switch (arr.type) {
      case 'uint8':
        dv.setUint8(at, v);
        break;
      case 'int8':
        dv.setInt8(at, v);
        break;
      case 'int16':
        dv.setInt16(at, v);
        break;
      case 'int32':
        dv.setInt32(at, v);
        break;
      case 'float32':
        dv.setFloat32(at, v);
        break;
      case 'float64':
        dv.setFloat64(at, v);
        break;
    }
  }
  return out;
}

/** An IDX array as a tensor: floats as float32 (float64 kept), integers as int32. */
export function idxToTensor(arr: IdxArray): Tensor {
  const dtype = arr.type === 'float64' ? 'float64' : arr.type === 'float32' ? 'float32' : 'int32';
  return tensor(arr.data, { shape: arr.shape, dtype });
}
