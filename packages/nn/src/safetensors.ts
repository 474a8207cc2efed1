import { checkOptions, type DType, itemSize, Tensor, type TypedArray, tensor } from '@tessera/tensor';
import { type AnyModule, Module } from './module.js';
import { nodeFs } from './node-modules.js';
import {
  clip,
  describe,
  headerBoundsProblem,
  MAX_ENTRIES,
  MAX_HEADER,
  MAX_RANK,
} from './safetensors-limits.js';

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

/** A state dict laid out for writing: the header bytes and where each tensor's data goes. */
interface Layout {
  headerBytes: Uint8Array;
  tensors: { t: Tensor; begin: number; bytes: number }[];
  dataBytes: number;
}

function layout(op: string, dict: Record<string, Tensor>, metadata?: Record<string, string>): Layout {
  // A null-prototype header, so a tensor named '__proto__' is an ordinary key.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new TypeError(`${op}: metadata value for '${clip(k)}' must be a string`);
    }
    header.__metadata__ = metadata;
  }
  const tensors: Layout['tensors'] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(dict)) {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}: '${clip(name)}' is not a tensor`);
    if (name === '__metadata__')
      throw new RangeError(`${op}: '__metadata__' is reserved and cannot name a tensor`);
    if (t.ndim > MAX_RANK)
      throw new RangeError(`${op}: '${clip(name)}' has ${t.ndim} dims, more than ${MAX_RANK}`);
    const bytes = t.numel() * itemSize(t.dtype);
    header[name] = {
      dtype: WRITE_DTYPE[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes],
    };
    tensors.push({ t, begin: offset, bytes });
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  const pad = (8 - (new TextEncoder().encode(json).length % 8)) % 8;
  json += ' '.repeat(pad);
  return { headerBytes: new TextEncoder().encode(json), tensors, dataBytes: offset };
}

/** Allocates the file and writes the header; the caller fills each tensor's bytes. */
function allocate(l: Layout): Uint8Array {
  if (!littleEndian()) throw new Error('save: big-endian platforms are not supported');
  const out = new Uint8Array(8 + l.headerBytes.length + l.dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(l.headerBytes.length), true);
  out.set(l.headerBytes, 8);
  return out;
}

function put(out: Uint8Array, at: number, data: TypedArray): void {
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
}

/**
 * Serialises a module's state dict (or a dict of tensors) to safetensors bytes. Reads tensors
 * synchronously, so they must live on a backend JS can read directly (the CPU); use `saveAsync`
 * for a model on the GPU.
 */
export function save(
  source: AnyModule | Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const l = layout('save', source instanceof Module ? source.stateDict() : source, metadata);
  const out = allocate(l);
  const base = 8 + l.headerBytes.length;
  for (const { t, begin } of l.tensors) put(out, base + begin, readSync(t));
  return out;
}

/** `t.dataSync()`, pointing at `saveAsync` when the tensor's device cannot be read synchronously. */
function readSync(t: Tensor): TypedArray {
  try {
    return t.dataSync();
  } catch (e) {
    if (/cannot be read synchronously/.test((e as Error).message))
      throw new Error(
        `save: a tensor is on ${t.device}, which cannot be read synchronously; use await saveAsync(...)`,
      );
    throw e;
  }
}

/**
 * `save` for tensors on any backend: reads each tensor asynchronously (a GPU readback), so a
 * model trained on WebGPU can be saved without moving it. Same bytes as `save` on the CPU.
 */
export async function saveAsync(
  source: AnyModule | Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<Uint8Array> {
  const l = layout('saveAsync', source instanceof Module ? source.stateDict() : source, metadata);
  const out = allocate(l);
  const base = 8 + l.headerBytes.length;
  // One tensor at a time: peak memory is the file plus the largest tensor.
  for (const { t, begin } of l.tensors) put(out, base + begin, await t.data());
  return out;
}

let le: boolean | undefined;
function littleEndian(): boolean {
  le ??= new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  return le;
}

/** The parsed contents of a safetensors file. */
export interface SafetensorsFile {
  /** Tensors by name, in a null-prototype object (any name, `__proto__` included, is a plain key). */
  tensors: Record<string, Tensor>;
  /** The `__metadata__` strings, in a null-prototype object. */
  metadata: Record<string, string>;
}

interface Entry {
  key: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses safetensors bytes, validating the header before reading any data: header length within
 * the file and at most 100 MB, nesting, array lengths and key counts bounded before the JSON is
 * parsed (at most 8,192 tensors unless `opts.maxEntries` allows more; rank at most 64), known
 * dtypes, integer shapes, offsets in bounds, sizes equal to dtype x shape, no overlaps and no holes. F16/BF16 load as float32 and
 * I64/I16/I8/U8 as int32 (I64 values outside the int32 range are rejected). Error messages quote
 * at most a few dozen characters of any value.
 */
export function loadSafetensors(
  bytes: Uint8Array,
  name = 'safetensors data',
  opts: { maxEntries?: number } = {},
): SafetensorsFile {
  checkOptions('load', opts, { maxEntries: 'number' });
  const fail = (why: string): never => {
    throw new Error(`load: ${clip(String(name))} is not a valid safetensors file: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) throw new TypeError('load: expected a Uint8Array');
  if (bytes.length < 8) fail(`only ${bytes.length} bytes, shorter than the 8-byte header length`);
  if (!littleEndian()) throw new Error('load: big-endian platforms are not supported');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) fail(`header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length)
    fail(`header length ${headerLen} runs past the end of the ${bytes.length}-byte file`);
  const headerBytes = bytes.subarray(8, 8 + headerLen);
  const maxEntries = opts.maxEntries ?? MAX_ENTRIES;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 0)
    throw new RangeError(`load: maxEntries must be a non-negative integer, got ${describe(maxEntries)}`);
  const bounds = headerBoundsProblem(headerBytes, maxEntries);
  if (bounds !== null) fail(bounds);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${clip((e as Error).message)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const entries: Entry[] = [];
  const metadata: Record<string, string> = Object.create(null);
  for (const [key, raw] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        fail('__metadata__ is not an object');
      for (const [mk, mv] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof mv !== 'string') fail(`__metadata__ value for '${clip(mk)}' is not a string`);
        metadata[mk] = mv as string;
      }
      continue;
    }
    entries.push(parseEntry(key, raw, dataLen, fail));
  }
  if (entries.length > maxEntries) fail(`the header has more than ${maxEntries} entries`);
  checkCoverage(entries, dataLen, fail);
  const tensors: Record<string, Tensor> = Object.create(null);
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

function parseEntry(key: string, raw: unknown, dataLen: number, fail: (why: string) => never): Entry {
  const k = clip(key);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`entry '${k}' is not an object`);
  const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof e.dtype !== 'string' || !Object.hasOwn(READ_DTYPE, e.dtype))
    fail(`entry '${k}' has unsupported dtype ${describe(e.dtype)}`);
  const shape = e.shape;
  if (
    !Array.isArray(shape) ||
    shape.length > MAX_RANK ||
    !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
  )
    fail(`entry '${k}' has an invalid shape ${describe(shape)}`);
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0))
    fail(`entry '${k}' has invalid data_offsets ${describe(off)}`);
  const [begin, end] = off as [number, number];
  if (begin > end || end > dataLen)
    fail(`entry '${k}' data_offsets [${begin}, ${end}] are outside the ${dataLen} data bytes`);
  const dims = shape as number[];
  const size = READ_DTYPE[e.dtype as string]!.size;
  // Multiply with an early exit, so a huge shape can't lose precision or overflow.
  let want = dims.includes(0) ? 0 : size;
  for (const d of dims) {
    want *= d;
    if (want > Number.MAX_SAFE_INTEGER) break;
  }
  if (end - begin !== want)
    fail(
      `entry '${k}' has ${end - begin} bytes but ${e.dtype} x ${describe(dims)} needs ${want > Number.MAX_SAFE_INTEGER ? 'more than 2^53' : want}`,
    );
  return { key, dtype: e.dtype as string, shape: dims, begin, end };
}

function checkCoverage(entries: Entry[], dataLen: number, fail: (why: string) => never): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of sorted) {
    if (e.begin < covered)
      fail(`entry '${clip(e.key)}' overlaps the previous tensor's bytes (starts at ${e.begin} < ${covered})`);
    if (e.begin > covered)
      fail(`bytes ${covered}..${e.begin} before entry '${clip(e.key)}' belong to no tensor (a hole)`);
    covered = e.end;
  }
  if (covered !== dataLen) fail(`the last ${dataLen - covered} data bytes belong to no tensor`);
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
    // Little-endian hosts copy the bytes as they are (littleEndian() is checked by the caller).
    // `tensor` copies, so an aligned view needs no copy of its own.
    case 'F32':
      return tensor(new Float32Array(...viewArgs(raw, 4)), { shape });
    case 'F64':
      return tensor(new Float64Array(...viewArgs(raw, 8)), { shape });
    case 'I32':
      return tensor(new Int32Array(...viewArgs(raw, 4)), { shape, dtype: 'int32' });
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
            fail(`entry '${clip(key)}' holds int64 value ${big} outside the int32 range`);
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

/** Arguments for a typed-array view of `raw`: in place when aligned, else over an aligned copy. */
function viewArgs(raw: Uint8Array, size: number): [ArrayBuffer, number, number] {
  const n = raw.byteLength / size;
  if (raw.byteOffset % size === 0) return [raw.buffer as ArrayBuffer, raw.byteOffset, n];
  return [raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer, 0, n];
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

/** Node: writes a module's state dict (or a dict) to a safetensors file (from any backend). */
export async function saveFile(
  path: string,
  source: AnyModule | Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  if (typeof path !== 'string') {
    // PyTorch's torch.save(obj, path) and safetensors' save_file(tensors, path) take the path last.
    const swapped = typeof source === 'string';
    throw new TypeError(
      swapped
        ? `saveFile: the arguments are (path, model): got the model first and the path '${source}' second; write saveFile('${source}', model)`
        : `saveFile: path must be a string, got ${path === null ? 'null' : typeof path}`,
    );
  }
  const fs = await nodeFs('saveFile', 'in the browser use saveAsync(model) and download the bytes (toBlob)');
  await fs.writeFile(path, await saveAsync(source, metadata));
}

/** Node: reads a safetensors file into a state dict. */
export async function loadFile(path: string): Promise<Record<string, Tensor>> {
  const fs = await nodeFs(
    'loadFile',
    'in the browser fetch or read the file into bytes and call load(bytes)',
  );
  const buf = await fs.readFile(path);
  return loadSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path).tensors;
}
