import type { BinaryOp } from '../backend.js';
import type { TypedArray } from '../dtype.js';

// Row loops for the three common layouts of a binary op's operands after broadcasting: both
// operands read with stride 1, or one of them a broadcast scalar (stride 0). Each takes zero-based
// arrays (subarrays at the row's start) and returns false for ops it does not specialise; the
// caller then runs the general strided loop.
//
// The float32 loops are unrolled by 8, which V8 runs about 1.5x faster than a plain loop, and are
// typed for Float32Array only: V8 keeps one type profile per function, so a loop shared between
// dtypes becomes polymorphic and slows down for all of them. Other dtypes share plain loops.

/** Binary op names the CPU kernels use internally (int32 variants of mul, pow and div included). */
export type KernelBinaryOp = BinaryOp | 'imul' | 'ipow' | 'idiv';

/** o[i] = a[i] op b[i] for i < n. */
export function rowContiguous(
  op: KernelBinaryOp,
  o: TypedArray,
  a: TypedArray,
  b: TypedArray,
  n: number,
): boolean {
  if (o instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array) {
    return contiguousF32(op, o, a, b, n);
  }
  return contiguousAny(op, o, a, b, n);
}

/** o[i] = s op b[i] for i < n. */
export function rowScalarLeft(
  op: KernelBinaryOp,
  o: TypedArray,
  s: number,
  b: TypedArray,
  n: number,
): boolean {
  if (o instanceof Float32Array && b instanceof Float32Array) return scalarLeftF32(op, o, s, b, n);
  return scalarLeftAny(op, o, s, b, n);
}

/** o[i] = a[i] op s for i < n. */
export function rowScalarRight(
  op: KernelBinaryOp,
  o: TypedArray,
  a: TypedArray,
  s: number,
  n: number,
): boolean {
  if (o instanceof Float32Array && a instanceof Float32Array) return scalarRightF32(op, o, a, s, n);
  return scalarRightAny(op, o, a, s, n);
}

function contiguousF32(
  op: KernelBinaryOp,
  o: Float32Array,
  a: Float32Array,
  b: Float32Array,
  n: number,
): boolean {
  switch (op) {
    case 'add': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = a[i]! + b[i]!;
        o[i + 1] = a[i + 1]! + b[i + 1]!;
        o[i + 2] = a[i + 2]! + b[i + 2]!;
        o[i + 3] = a[i + 3]! + b[i + 3]!;
        o[i + 4] = a[i + 4]! + b[i + 4]!;
        o[i + 5] = a[i + 5]! + b[i + 5]!;
        o[i + 6] = a[i + 6]! + b[i + 6]!;
        o[i + 7] = a[i + 7]! + b[i + 7]!;
      }
      for (; i < n; i++) o[i] = a[i]! + b[i]!;
      return true;
    }
    case 'sub': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = a[i]! - b[i]!;
        o[i + 1] = a[i + 1]! - b[i + 1]!;
        o[i + 2] = a[i + 2]! - b[i + 2]!;
        o[i + 3] = a[i + 3]! - b[i + 3]!;
        o[i + 4] = a[i + 4]! - b[i + 4]!;
        o[i + 5] = a[i + 5]! - b[i + 5]!;
        o[i + 6] = a[i + 6]! - b[i + 6]!;
        o[i + 7] = a[i + 7]! - b[i + 7]!;
      }
      for (; i < n; i++) o[i] = a[i]! - b[i]!;
      return true;
    }
    case 'mul': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = a[i]! * b[i]!;
        o[i + 1] = a[i + 1]! * b[i + 1]!;
        o[i + 2] = a[i + 2]! * b[i + 2]!;
        o[i + 3] = a[i + 3]! * b[i + 3]!;
        o[i + 4] = a[i + 4]! * b[i + 4]!;
        o[i + 5] = a[i + 5]! * b[i + 5]!;
        o[i + 6] = a[i + 6]! * b[i + 6]!;
        o[i + 7] = a[i + 7]! * b[i + 7]!;
      }
      for (; i < n; i++) o[i] = a[i]! * b[i]!;
      return true;
    }
    case 'div': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = a[i]! / b[i]!;
        o[i + 1] = a[i + 1]! / b[i + 1]!;
        o[i + 2] = a[i + 2]! / b[i + 2]!;
        o[i + 3] = a[i + 3]! / b[i + 3]!;
        o[i + 4] = a[i + 4]! / b[i + 4]!;
        o[i + 5] = a[i + 5]! / b[i + 5]!;
        o[i + 6] = a[i + 6]! / b[i + 6]!;
        o[i + 7] = a[i + 7]! / b[i + 7]!;
      }
      for (; i < n; i++) o[i] = a[i]! / b[i]!;
      return true;
    }
    default:
      return false;
  }
}

function contiguousAny(op: KernelBinaryOp, o: TypedArray, a: TypedArray, b: TypedArray, n: number): boolean {
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) o[i] = a[i]! + b[i]!;
      return true;
    case 'sub':
      for (let i = 0; i < n; i++) o[i] = a[i]! - b[i]!;
      return true;
    case 'mul':
      for (let i = 0; i < n; i++) o[i] = a[i]! * b[i]!;
      return true;
    case 'div':
      for (let i = 0; i < n; i++) o[i] = a[i]! / b[i]!;
      return true;
    default:
      return false;
  }
}

function scalarLeftF32(op: KernelBinaryOp, o: Float32Array, s: number, b: Float32Array, n: number): boolean {
  switch (op) {
    case 'add': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = s + b[i]!;
        o[i + 1] = s + b[i + 1]!;
        o[i + 2] = s + b[i + 2]!;
        o[i + 3] = s + b[i + 3]!;
        o[i + 4] = s + b[i + 4]!;
        o[i + 5] = s + b[i + 5]!;
        o[i + 6] = s + b[i + 6]!;
        o[i + 7] = s + b[i + 7]!;
      }
      for (; i < n; i++) o[i] = s + b[i]!;
      return true;
    }
    case 'sub': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = s - b[i]!;
        o[i + 1] = s - b[i + 1]!;
        o[i + 2] = s - b[i + 2]!;
        o[i + 3] = s - b[i + 3]!;
        o[i + 4] = s - b[i + 4]!;
        o[i + 5] = s - b[i + 5]!;
        o[i + 6] = s - b[i + 6]!;
        o[i + 7] = s - b[i + 7]!;
      }
      for (; i < n; i++) o[i] = s - b[i]!;
      return true;
    }
    case 'mul': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = s * b[i]!;
        o[i + 1] = s * b[i + 1]!;
        o[i + 2] = s * b[i + 2]!;
        o[i + 3] = s * b[i + 3]!;
        o[i + 4] = s * b[i + 4]!;
        o[i + 5] = s * b[i + 5]!;
        o[i + 6] = s * b[i + 6]!;
        o[i + 7] = s * b[i + 7]!;
      }
      for (; i < n; i++) o[i] = s * b[i]!;
      return true;
    }
    case 'div': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = s / b[i]!;
        o[i + 1] = s / b[i + 1]!;
        o[i + 2] = s / b[i + 2]!;
        o[i + 3] = s / b[i + 3]!;
        o[i + 4] = s / b[i + 4]!;
        o[i + 5] = s / b[i + 5]!;
        o[i + 6] = s / b[i + 6]!;
        o[i + 7] = s / b[i + 7]!;
      }
      for (; i < n; i++) o[i] = s / b[i]!;
      return true;
    }
    default:
      return false;
  }
}

function scalarLeftAny(op: KernelBinaryOp, o: TypedArray, s: number, b: TypedArray, n: number): boolean {
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) o[i] = s + b[i]!;
      return true;
    case 'sub':
      for (let i = 0; i < n; i++) o[i] = s - b[i]!;
      return true;
    case 'mul':
      for (let i = 0; i < n; i++) o[i] = s * b[i]!;
      return true;
    case 'div':
      for (let i = 0; i < n; i++) o[i] = s / b[i]!;
      return true;
    default:
      return false;
  }
}

function scalarRightF32(op: KernelBinaryOp, o: Float32Array, a: Float32Array, s: number, n: number): boolean {
  switch (op) {
    case 'add': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = a[i]! + s;
        o[i + 1] = a[i + 1]! + s;
        o[i + 2] = a[i + 2]! + s;
        o[i + 3] = a[i + 3]! + s;
        o[i + 4] = a[i + 4]! + s;
        o[i + 5] = a[i + 5]! + s;
        o[i + 6] = a[i + 6]! + s;
        o[i + 7] = a[i + 7]! + s;
      }
      for (; i < n; i++) o[i] = a[i]! + s;
      return true;
    }
    case 'sub': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = a[i]! - s;
        o[i + 1] = a[i + 1]! - s;
        o[i + 2] = a[i + 2]! - s;
        o[i + 3] = a[i + 3]! - s;
        o[i + 4] = a[i + 4]! - s;
        o[i + 5] = a[i + 5]! - s;
        o[i + 6] = a[i + 6]! - s;
        o[i + 7] = a[i + 7]! - s;
      }
      for (; i < n; i++) o[i] = a[i]! - s;
      return true;
    }
    case 'mul': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = a[i]! * s;
        o[i + 1] = a[i + 1]! * s;
        o[i + 2] = a[i + 2]! * s;
        o[i + 3] = a[i + 3]! * s;
        o[i + 4] = a[i + 4]! * s;
        o[i + 5] = a[i + 5]! * s;
        o[i + 6] = a[i + 6]! * s;
        o[i + 7] = a[i + 7]! * s;
      }
      for (; i < n; i++) o[i] = a[i]! * s;
      return true;
    }
    case 'div': {
      let i = 0;
      for (; i + 7 < n; i += 8) {
        o[i] = a[i]! / s;
        o[i + 1] = a[i + 1]! / s;
        o[i + 2] = a[i + 2]! / s;
        o[i + 3] = a[i + 3]! / s;
        o[i + 4] = a[i + 4]! / s;
        o[i + 5] = a[i + 5]! / s;
        o[i + 6] = a[i + 6]! / s;
        o[i + 7] = a[i + 7]! / s;
      }
      for (; i < n; i++) o[i] = a[i]! / s;
      return true;
    }
    default:
      return false;
  }
}

function scalarRightAny(op: KernelBinaryOp, o: TypedArray, a: TypedArray, s: number, n: number): boolean {
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) o[i] = a[i]! + s;
      return true;
    case 'sub':
      for (let i = 0; i < n; i++) o[i] = a[i]! - s;
      return true;
    case 'mul':
      for (let i = 0; i < n; i++) o[i] = a[i]! * s;
      return true;
    case 'div':
      for (let i = 0; i < n; i++) o[i] = a[i]! / s;
      return true;
    default:
      return false;
  }
}
