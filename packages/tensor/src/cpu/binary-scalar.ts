import type { BinaryOp, View } from '../backend.js';
import type { CpuBuffer } from '../cpu-array.js';
import { allocArray, type DType, type TypedArray } from '../dtype.js';
import { binary } from './elementwise.js';

// The CPU tensor-scalar kernel. The scalar is stored once in a one-element array of the dtype (so
// it is rounded exactly as a 0-d operand of that dtype would be) and the binary kernel reads it
// as a stride-0 operand: its scalar row loops keep it in a register, and the results are the
// binary kernel's, bit for bit. The arrays are module-wide scratch (kernels run synchronously).

const scratch: Record<DType, CpuBuffer> = {
  float32: { data: allocArray('float32', 1) },
  float64: { data: allocArray('float64', 1) },
  int32: { data: allocArray('int32', 1) },
  bool: { data: allocArray('bool', 1) },
};

/** out = x op s (s op x when `first`), in x's dtype; `out` may be `x` itself. */
export function binaryScalar(op: BinaryOp, out: View, x: View, s: number, first: boolean): void {
  const buffer = scratch[x.dtype];
  (buffer.data as TypedArray)[0] = s;
  const c: View = { buffer, dtype: x.dtype, shape: out.shape, strides: out.shape.map(() => 0), offset: 0 };
  binary(op, out, first ? c : x, first ? x : c);
}
