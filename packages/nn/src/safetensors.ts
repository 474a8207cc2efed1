import { type DType, Tensor, tensor } from '@tessera/tensor';
import { Module } from './module.js';

// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, ...,
// "__metadata__": {string: string}}, then raw little-endian tensor bytes. Offsets are relative to
// the end of the header; the data must be fully covered, without holes or overlaps.

/** safetensors dtype names this library writes, by tensor dtype. */
const WRITE_DTYPE: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

/** Bytes per element of every dtype we can read, and the tensor dtype it loads as. */
const READ_DTYPE: Record<string, { size: number; as: DType }> = {
  F64: { size: 8, as: 'float64' },
  F32: { size: 4, as: 'float32' },
  F16: { size: 2, as: 'float32' },
  BF16: { size: 2, as: 'float32' },
  I64: { size: 8, as: 'int32' },
  I32: { size: 4, as: 'int32' },
  I16: { size: 2, as: 'int32' },
  I8: { size: 1, as: 'int32' },
  U8: { size: 1, as: 'int32' },
  BOOL: { size: 1, as: 'bool' },
};

/** Largest header accepted (the reference implementation's limit is 100 MB). */
const MAX_HEADER = 100_000_000;

/** Serialises a module's state dict (or a dict of tensors) to safetensors bytes. */
export function save(source: Module | Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const dict = source instanceof Module ? source.stateDict() : source;
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`save: metadata value for '${k}' must be a string`);
    }
    header.__metadata__ = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(dict)) {
    if (!(t instanceof Tensor)) throw new TypeError(`save: '${name}' is not a tensor`);
    if (name === '__metadata__')
      throw new RangeError("save: '__metadata__' is reserved and cannot name a tensor");
    const bytes = toBytes(t);
    header[name] = {
      dtype: WRITE_DTYPE[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes.length],
    };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  const pad = (8 - (new TextEncoder().encode(json).length % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

function toBytes(t: Tensor): Uint8Array {
  const data = t.dataSync();
  const out = new Uint8Array(data.byteLength);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (!littleEndian()) throw new Error('save: big-endian platforms are not supported');
  return out;
}

let le: boolean | undefined;
function littleEndian(): boolean {
  le ??= new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  return le;
}

/** The parsed contents of a safetensors file. */
export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/**
 * Parses safetensors bytes, validating the header before reading any data: header length within
 * the file and at most 100 MB, known dtypes, integer shapes, offsets in bounds, sizes equal to
 * dtype x shape, no overlaps and no holes. F16/BF16 load as float32 and I64/I16/I8/U8 as int32
 * (I64 values outside the int32 range are rejected).
 */
export function loadSafetensors(bytes: Uint8Array, name = 'safetensors data'): SafetensorsFile {
  const fail = (why: string): never => {
    throw new Error(`load: ${name} is not a valid safetensors file: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) throw new TypeError('load: expected a Uint8Array');
  if (bytes.length < 8) fail(`only ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) fail(`header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length)
    fail(`header length ${headerLen} runs past the end of the ${bytes.length}-byte file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const entries: { key: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [key, raw] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        fail('__metadata__ is not an object');
      for (const [mk, mv] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof mv !== 'string') fail(`__metadata__ value for '${mk}' is not a string`);
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`entry '${key}' is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in READ_DTYPE))
      fail(`entry '${key}' has unsupported dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`entry '${key}' has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`entry '${key}' has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (begin > end || end > dataLen)
      fail(`entry '${key}' data_offsets [${begin}, ${end}] are outside the ${dataLen} data bytes`);
    const shape = e.shape as number[];
    const numel = shape.reduce((a, b) => a * b, 1);
    const want = numel * READ_DTYPE[e.dtype as string]!.size;
    if (end - begin !== want) {
      fail(`entry '${key}' has ${end - begin} bytes but ${e.dtype} x [${shape.join(',')}] needs ${want}`);
    }
    entries.push({ key, dtype: e.dtype as string, shape, begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of sorted) {
    if (e.begin < covered)
      fail(`entry '${e.key}' overlaps the previous tensor's bytes (starts at ${e.begin} < ${covered})`);
    if (e.begin > covered)
      fail(`bytes ${covered}..${e.begin} before entry '${e.key}' belong to no tensor (a hole)`);
    covered = e.end;
  }
  if (covered !== dataLen) fail(`the last ${dataLen - covered} data bytes belong to no tensor`);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries)
    tensors[e.key] = decode(
      e.dtype,
      e.shape,
      bytes.subarray(dataStart + e.begin, dataStart + e.end),
      e.key,
      fail,
    );
  return { tensors, metadata };
}

function decode(
  dtype: string,
  shape: number[],
  raw: Uint8Array,
  key: string,
  fail: (why: string) => never,
): Tensor {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const info = READ_DTYPE[dtype]!;
  const n = raw.byteLength / info.size;
  switch (dtype) {
    case 'F32': {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getFloat32(i * 4, true);
      return tensor(a, { shape });
    }
    case 'F64': {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getFloat64(i * 8, true);
      return tensor(a, { shape });
    }
    case 'F16':
    case 'BF16': {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++)
        a[i] =
          dtype === 'F16' ? halfToFloat(dv.getUint16(i * 2, true)) : bf16ToFloat(dv.getUint16(i * 2, true));
      return tensor(a, { shape });
    }
    case 'BOOL': {
      const a = new Uint8Array(n);
      for (let i = 0; i < n; i++) a[i] = raw[i]! !== 0 ? 1 : 0;
      return tensor(a, { shape, dtype: 'bool' });
    }
    default: {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        let v: number;
        if (dtype === 'I64') {
          const big = dv.getBigInt64(i * 8, true);
          if (big > 2147483647n || big < -2147483648n)
            fail(`entry '${key}' holds int64 value ${big} outside the int32 range`);
          v = Number(big);
        } else if (dtype === 'I32') v = dv.getInt32(i * 4, true);
        else if (dtype === 'I16') v = dv.getInt16(i * 2, true);
        else if (dtype === 'I8') v = dv.getInt8(i);
        else v = dv.getUint8(i);
        a[i] = v;
      }
      return tensor(a, { shape, dtype: info.as });
    }
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function bf16ToFloat(b: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setUint32(0, b << 16);
  return buf.getFloat32(0);
}

/** Parses safetensors bytes into a state dict (tensors by name). */
export function load(bytes: Uint8Array): Record<string, Tensor> {
  return loadSafetensors(bytes).tensors;
}

/** Wraps safetensors bytes in a Blob for a browser download. */
export function toBlob(bytes: Uint8Array): Blob {
  return new Blob([bytes as BlobPart], { type: 'application/octet-stream' });
}

/** Node: writes a module's state dict (or a dict) to a safetensors file. */
export async function saveFile(
  path: string,
  source: Module | Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  const fs = await import('node:fs/promises');
  await fs.writeFile(path, save(source, metadata));
}

/** Node: reads a safetensors file into a state dict. */
export async function loadFile(path: string): Promise<Record<string, Tensor>> {
  const fs = await import('node:fs/promises');
  const buf = await fs.readFile(path);
  return loadSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path).tensors;
}
