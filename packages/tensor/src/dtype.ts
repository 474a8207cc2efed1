/** Element types a tensor can hold. `float64` is available on the CPU backend only. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The typed array that stores each dtype (bool is one byte per element, 0 or 1). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Every dtype name, for validation and tests. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** Bytes per element of a dtype. */
export function itemSize(dtype: DType): number {
  return dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4;
}

/** Allocates a zero-filled typed array of the dtype's storage type. */
export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

/** True for float32 and float64. */
export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** Throws a clear error unless `dtype` names a dtype. */
export function checkDType(op: string, dtype: unknown): DType {
  if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype)) {
    throw new TypeError(
      `${op}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${DTYPES.join(', ')})`,
    );
  }
  return dtype as DType;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/**
 * Result dtype of a binary op between two tensors, following PyTorch's promotion lattice
 * bool < int32 < float32 < float64.
 */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Result dtype of a tensor combined with a JS number, as PyTorch does with Python scalars: the
 * scalar only raises the category (bool → int32 → float32), never the width: int32 + 1.5 is
 * float32, float64 + 1.5 stays float64, bool + 2 is int32, anything + true keeps its dtype.
 */
export function promoteWithScalar(t: DType, scalar: number | boolean): DType {
  if (typeof scalar === 'boolean') return t;
  if (Number.isInteger(scalar)) return t === 'bool' ? 'int32' : t;
  return isFloating(t) ? t : 'float32';
}

/** dtype PyTorch infers for a single JS value: bool, int32 for integers, float32 otherwise. */
export function inferDType(value: number | boolean): DType {
  return typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int32' : 'float32';
}

/** Whether a value of dtype `from` may be written into a tensor of dtype `to` (PyTorch's canCast). */
export function canCast(from: DType, to: DType): boolean {
  if (isFloating(to)) return true;
  if (to === 'int32') return from === 'int32' || from === 'bool';
  return from === 'bool';
}
