import { type DType, type Tensor, tensor } from '@tessera/tensor';
import protobuf from 'protobufjs/light.js';
import { ONNX_SCHEMA_JSON } from './schema.js';

/** Plain-object forms of the ONNX messages this package reads and writes (field names as in onnx.proto). */
export interface TensorProto {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
}

/** One attribute of a node (only the fields of its type are set). */
export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

/** One graph node. */
export interface NodeProto {
  name?: string;
  op_type: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute?: AttributeProto[];
}

/** One dimension of a value's shape: a size or a symbolic name. */
export interface DimProto {
  dim_value?: number;
  dim_param?: string;
}

/** A graph input or output with its element type and shape. */
export interface ValueInfoProto {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimProto[] } } };
}

/** The graph: nodes in topological order, initializers (weights), inputs and outputs. */
export interface GraphProto {
  name?: string;
  node?: NodeProto[];
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
}

/** The whole model file. */
export interface ModelProto {
  ir_version?: number;
  producer_name?: string;
  producer_version?: string;
  opset_import?: { domain?: string; version?: number }[];
  graph?: GraphProto;
}

/** AttributeProto.AttributeType values. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/** TensorProto.DataType values this package maps to Tessera dtypes. */
export const ONNX_TYPE = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;

const root = protobuf.Root.fromJSON(JSON.parse(ONNX_SCHEMA_JSON));
const Model = root.lookupType('onnx.ModelProto');

/** Serialises a model to ONNX protobuf bytes. */
export function encodeModel(model: ModelProto): Uint8Array {
  const err = Model.verify(model);
  if (err !== null) throw new Error(`exportOnnx: invalid ModelProto (${err})`);
  return Model.encode(Model.fromObject(model as Record<string, unknown>)).finish();
}

/** Parses ONNX protobuf bytes into a plain ModelProto (int64 fields as numbers). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError('importOnnx: expected the model bytes as a Uint8Array');
  let msg: protobuf.Message;
  try {
    msg = Model.decode(bytes);
  } catch (e) {
    throw new Error(`importOnnx: not an ONNX model (${(e as Error).message})`);
  }
  return Model.toObject(msg, { longs: Number, arrays: true }) as ModelProto;
}

/** The ONNX element type of a Tessera dtype. */
export function onnxType(dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return ONNX_TYPE.FLOAT;
    case 'float64':
      return ONNX_TYPE.DOUBLE;
    case 'int32':
      return ONNX_TYPE.INT32;
    case 'bool':
      return ONNX_TYPE.BOOL;
  }
}

/** A Tessera tensor as an initializer (raw little-endian data). */
export function toTensorProto(name: string, t: Tensor): TensorProto {
  const data = t.contiguous().dataSync();
  const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return { name, dims: [...t.shape], data_type: onnxType(t.dtype), raw_data: bytes };
}

/** An int64 initializer (shapes, axes, pads). */
export function int64Proto(name: string, values: readonly number[]): TensorProto {
  return { name, dims: [values.length], data_type: ONNX_TYPE.INT64, int64_data: [...values] };
}

function int64ToInt32(v: ArrayLike<number | bigint>): Int32Array {
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const n = Number(v[i]);
    // Clamp huge slice ends (INT64_MAX / MIN are common "to the end" markers) into int32 range.
    out[i] = Math.min(2147483647, Math.max(n, -2147483648));
  }
  return out;
}

function rawView(tp: TensorProto): ArrayBuffer {
  const r = tp.raw_data!;
  return r.buffer.slice(r.byteOffset, r.byteOffset + r.byteLength) as ArrayBuffer;
}

/** An ONNX tensor as a Tessera tensor (int64 becomes int32, clamped; uint8/float16 and others are rejected). */
export function fromTensorProto(tp: TensorProto, op = 'importOnnx'): Tensor {
  const dims = (tp.dims ?? []).map(Number);
  const raw = tp.raw_data !== undefined && tp.raw_data.byteLength > 0;
  const name = tp.name ?? '';
  switch (tp.data_type) {
    case ONNX_TYPE.FLOAT:
      return tensor(raw ? new Float32Array(rawView(tp)) : Float32Array.from(tp.float_data ?? []), {
        shape: dims,
      });
    case ONNX_TYPE.DOUBLE:
      return tensor(raw ? new Float64Array(rawView(tp)) : Float64Array.from(tp.double_data ?? []), {
        shape: dims,
      });
    case ONNX_TYPE.INT32:
      return tensor(raw ? new Int32Array(rawView(tp)) : Int32Array.from(tp.int32_data ?? []), {
        shape: dims,
      });
    case ONNX_TYPE.INT64:
      return tensor(int64ToInt32(raw ? new BigInt64Array(rawView(tp)) : (tp.int64_data ?? [])), {
        shape: dims,
      });
    case ONNX_TYPE.BOOL: {
      const src = raw ? new Uint8Array(rawView(tp)) : (tp.int32_data ?? []);
      return tensor(
        Array.from(src, (v) => v !== 0),
        { shape: dims, dtype: 'bool' },
      );
    }
    default:
      throw new Error(
        `${op}: tensor '${name}' has ONNX data type ${tp.data_type}, which Tessera cannot hold`,
      );
  }
}
