import { attr, defineOp } from './declare.js';

// The built-in reductions, scans and softmaxes, declared once (see declare.ts). The recorded
// attributes are normalised by the op functions (reduce.ts): dims sorted and non-negative.

const DIMS = attr<readonly number[]>('dims');
/** keepdim's default (false, as in PyTorch): declared here once; the op functions' signatures read it. */
export const KEEPDIM_DEFAULT = false;
const KEEPDIM = attr('bool', KEEPDIM_DEFAULT);
const DIM = attr<number>('dim');

/** Reductions over a list of dims. */
export const SUM_OP = defineOp({
  name: 'sum',
  kind: 'reduce',
  dtype: 'accumulate',
  attrs: { dims: DIMS, keepdim: KEEPDIM },
  doc: 'sum over dims',
});
export const PROD_OP = defineOp({
  name: 'prod',
  kind: 'reduce',
  dtype: 'accumulate',
  attrs: { dims: DIMS, keepdim: KEEPDIM },
  doc: 'product over dims',
});
export const AMAX_OP = defineOp({
  name: 'amax',
  kind: 'reduce',
  attrs: { dims: DIMS, keepdim: KEEPDIM },
  doc: 'maximum over dims; ties share the gradient',
});
export const AMIN_OP = defineOp({
  name: 'amin',
  kind: 'reduce',
  attrs: { dims: DIMS, keepdim: KEEPDIM },
  doc: 'minimum over dims; ties share the gradient',
});
export const NORM_OP = defineOp({
  name: 'norm',
  kind: 'reduce',
  dtype: 'float',
  attrs: { p: 2, dims: DIMS, keepdim: KEEPDIM },
  doc: 'p-norm over dims (p may be ±Infinity or 0)',
});
/** Index of the extreme value: `dim` null means over the flattened tensor. */
export const ARGMAX_OP = defineOp({
  name: 'argmax',
  kind: 'reduce',
  dtype: 'int32',
  attrs: { dim: attr<number | null>('dim or null', null), keepdim: KEEPDIM },
  doc: 'index of the first maximum',
});
export const ARGMIN_OP = defineOp({
  name: 'argmin',
  kind: 'reduce',
  dtype: 'int32',
  attrs: { dim: attr<number | null>('dim or null', null), keepdim: KEEPDIM },
  doc: 'index of the first minimum',
});
export const ALL_OP = defineOp({
  name: 'all',
  kind: 'reduce',
  dtype: 'bool',
  attrs: { dims: DIMS, keepdim: KEEPDIM },
  doc: 'logical and over dims',
});
export const ANY_OP = defineOp({
  name: 'any',
  kind: 'reduce',
  dtype: 'bool',
  attrs: { dims: DIMS, keepdim: KEEPDIM },
  doc: 'logical or over dims',
});
export const CUMSUM_OP = defineOp({
  name: 'cumsum',
  kind: 'scan',
  dtype: 'accumulate',
  attrs: { dim: DIM },
  doc: 'inclusive sum along dim',
});
export const CUMPROD_OP = defineOp({
  name: 'cumprod',
  kind: 'scan',
  dtype: 'accumulate',
  attrs: { dim: DIM },
  doc: 'inclusive product along dim',
});
export const SOFTMAX_OP = defineOp({
  name: 'softmax',
  kind: 'scan',
  attrs: { dim: DIM },
  doc: 'e^x / Σ e^x along dim (max-shifted; floating inputs only)',
});
export const LOG_SOFTMAX_OP = defineOp({
  name: 'logSoftmax',
  kind: 'scan',
  attrs: { dim: DIM },
  doc: 'x − logΣe^x along dim (floating inputs only)',
});

/** The built-in reductions and scans, in table order. */
export const CORE_REDUCE = [
  SUM_OP,
  PROD_OP,
  AMAX_OP,
  AMIN_OP,
  NORM_OP,
  ARGMAX_OP,
  ARGMIN_OP,
  ALL_OP,
  ANY_OP,
  CUMSUM_OP,
  CUMPROD_OP,
  SOFTMAX_OP,
  LOG_SOFTMAX_OP,
] as const;
