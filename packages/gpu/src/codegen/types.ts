import type { DType } from '@tessera/tensor';

/** WGSL scalar type of a value in compute code. */
export type WgslType = 'f32' | 'i32' | 'u32';

/**
 * Storage type of a dtype on the GPU: float32 → f32, int32 → i32, bool → u32 (one 0/1 word per
 * element, since WGSL has no byte-addressed storage).
 */
export function storageType(dtype: DType): WgslType {
  switch (dtype) {
    case 'float32':
      return 'f32';
    case 'int32':
      return 'i32';
    case 'bool':
      return 'u32';
    default:
      throw new TypeError(`webgpu: dtype ${dtype} is not supported on the GPU (float32, int32 and bool are)`);
  }
}

/**
 * WGSL expression converting `expr` (of storage/compute type `from`) to `to`, with the CPU
 * backend's semantics: float → int truncates toward zero and wraps like JS ToInt32 (`f2i`), anything
 * → bool is `!= 0` (NaN counts as true), bool → number is 0/1.
 */
export function convert(expr: string, from: WgslType, to: WgslType, toBool = false): string {
  if (toBool) {
    if (from === 'f32') return `select(0u, 1u, truthy(${expr}))`;
    return `select(0u, 1u, (${expr}) != ${from === 'i32' ? '0' : '0u'})`;
  }
  if (from === to) return expr;
  if (from === 'f32' && to === 'i32') return `f2i(${expr})`;
  if (from === 'f32' && to === 'u32') return `u32(f2i(${expr}))`;
  return `${to}(${expr})`;
}

/** Typed literal of a constant in WGSL (finite floats by bit pattern; ±Infinity and NaN through
 * `inf_()`/`nan_()`, since WGSL rejects non-finite constant expressions). */
export function literal(value: number, type: WgslType): string {
  if (type === 'f32') {
    if (Number.isNaN(value)) return 'nan_()';
    if (value === Infinity) return 'inf_()';
    if (value === -Infinity) return '-inf_()';
    const f = new Float32Array([value]);
    return `bitcast<f32>(${new Uint32Array(f.buffer)[0]}u)`;
  }
  if (type === 'i32') return `i32(${value | 0})`;
  return `${value >>> 0}u`;
}
