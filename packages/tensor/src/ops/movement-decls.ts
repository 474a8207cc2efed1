import type { DType } from '../dtype.js';
import { attr, defineOp } from './declare.js';

// The built-in views, copies and shape-changing ops, declared once (see declare.ts). Attributes
// are recorded normalised (non-negative dims, resolved shapes), as the gradient rules read them.

const SHAPE = attr<readonly number[]>('shape');
const DIMS = attr<readonly number[]>('dims');
const DIM = attr<number>('dim');
const INT = attr<number>('int');

export const RESHAPE_OP = defineOp({
  name: 'reshape',
  kind: 'movement',
  attrs: { shape: SHAPE },
  doc: 'same elements, new shape (a view when the strides allow)',
});
export const PERMUTE_OP = defineOp({
  name: 'permute',
  kind: 'movement',
  attrs: { dims: DIMS },
  doc: 'dims reordered (a view)',
});
export const EXPAND_OP = defineOp({
  name: 'expand',
  kind: 'movement',
  attrs: { shape: SHAPE },
  doc: 'size-1 dims broadcast to shape (a view, stride 0)',
});
export const SLICE_OP = defineOp({
  name: 'slice',
  kind: 'movement',
  attrs: { dim: DIM, start: INT, length: INT, step: 1 },
  doc: 'length elements of dim from start by step (a view)',
});
export const SELECT_OP = defineOp({
  name: 'select',
  kind: 'movement',
  attrs: { dim: DIM, index: INT },
  doc: 'one index of dim, the dim removed (a view)',
});
export const DIAGONAL_OP = defineOp({
  name: 'diagonal',
  kind: 'movement',
  attrs: { offset: 0, dim1: 0, dim2: 1 },
  doc: 'the diagonal of dims dim1, dim2 as the last dim (a view)',
});
export const FLIP_OP = defineOp({
  name: 'flip',
  kind: 'movement',
  attrs: { dims: DIMS },
  doc: 'reversed along dims (a copy)',
});
export const CAT_OP = defineOp({
  name: 'cat',
  kind: 'movement',
  attrs: { dim: DIM, sizes: attr<readonly number[]>('sizes') },
  doc: 'inputs joined along dim (sizes: each input’s extent there)',
});
export const PAD_OP = defineOp({
  name: 'pad',
  kind: 'movement',
  attrs: { pad: attr<readonly number[]>('pads'), value: 0 },
  doc: 'constant padding (before, after) per dim, last dim first',
});
export const SLICE_SCATTER_OP = defineOp({
  name: 'sliceScatter',
  kind: 'movement',
  attrs: { dim: DIM, start: INT, length: INT, step: 1 },
  doc: 'a copy of base with src written into its slice',
});
export const SELECT_SCATTER_OP = defineOp({
  name: 'selectScatter',
  kind: 'movement',
  attrs: { dim: DIM, index: INT },
  doc: 'a copy of base with src written into its select',
});
export const DIAGONAL_SCATTER_OP = defineOp({
  name: 'diagonalScatter',
  kind: 'movement',
  attrs: { offset: 0, dim1: 0, dim2: 1 },
  doc: 'a copy of base with src written into its diagonal',
});
export const CONTIGUOUS_OP = defineOp({
  name: 'contiguous',
  kind: 'copy',
  doc: 'a contiguous copy (recorded only when one is made)',
});
export const CLONE_OP = defineOp({ name: 'clone', kind: 'copy', doc: 'a contiguous copy' });
export const TO_OP = defineOp({
  name: 'to',
  kind: 'copy',
  attrs: { device: attr<string>('device') },
  doc: 'a copy on another device',
});
export const CAST_OP = defineOp({
  name: 'cast',
  kind: 'copy',
  dtype: 'attr',
  attrs: { dtype: attr<DType>('dtype') },
  doc: 'a copy in another dtype (floats to ints truncate); differentiable between float dtypes',
});

/** The built-in movement and copy ops, in table order. */
export const CORE_MOVEMENT = [
  RESHAPE_OP,
  PERMUTE_OP,
  EXPAND_OP,
  SLICE_OP,
  SELECT_OP,
  DIAGONAL_OP,
  FLIP_OP,
  CAT_OP,
  PAD_OP,
  SLICE_SCATTER_OP,
  SELECT_SCATTER_OP,
  DIAGONAL_SCATTER_OP,
  CONTIGUOUS_OP,
  CLONE_OP,
  TO_OP,
  CAST_OP,
] as const;
