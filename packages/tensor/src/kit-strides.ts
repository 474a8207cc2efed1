import type { Shape } from './shape.js';

// Stride collapse for strided kernels: merging the dims that every operand walks contiguously
// leaves fewer loops (CPU, WebAssembly copies) or less index arithmetic (generated WGSL).

/** An iteration space after merging dims: one shape, the strides of each operand over it. */
export interface CollapsedStrides {
  shape: number[];
  strides: number[][];
}

/**
 * Drops size-1 dims and merges dim d into d-1 wherever every operand has
 * stride[d-1] == stride[d] * shape[d]. `strides` holds one stride array per operand, each as long
 * as `shape`. A shape with no dim above 1 (a scalar, [1, 1]) collapses to zero dims.
 */
export function collapseStrides(shape: Shape, strides: readonly (readonly number[])[]): CollapsedStrides {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue; // size-1 dims contribute nothing to addressing
    const last = outShape.length - 1;
    let merge = last >= 0;
    if (merge) {
      for (let k = 0; k < strides.length; k++) {
        if (outStrides[k]![last]! !== strides[k]![d]! * size) {
          merge = false;
          break;
        }
      }
    }
    if (merge) {
      outShape[last] = outShape[last]! * size;
      for (let k = 0; k < strides.length; k++) outStrides[k]![last] = strides[k]![d]!;
    } else {
      outShape.push(size);
      for (let k = 0; k < strides.length; k++) outStrides[k]!.push(strides[k]![d]!);
    }
  }
  return { shape: outShape, strides: outStrides };
}
