import type { View } from '@tessera/tensor';

/** `[2,3] float32, [3] int32 (strides [0,1])`: shapes, dtypes and non-contiguous strides of views, for messages. */
export function describeViews(...views: readonly View[]): string {
  return views
    .map((v) => {
      let contiguous = true;
      let acc = 1;
      for (let d = v.shape.length - 1; d >= 0; d--) {
        if (v.shape[d]! > 1 && v.strides[d] !== acc) contiguous = false;
        acc *= v.shape[d]!;
      }
      return `[${v.shape.join(',')}] ${v.dtype}${contiguous ? '' : ` (strides [${v.strides.join(',')}])`}`;
    })
    .join(', ');
}
