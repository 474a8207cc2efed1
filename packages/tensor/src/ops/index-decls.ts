import { attr, defineOp } from './declare.js';

/** sort/argsort's `descending` default (false): declared here once; the op functions read it. */
export const DESCENDING_DEFAULT = false;

// The built-in indexing, selection, sorting and sampling ops, declared once (see declare.ts).

const DIM = attr<number>('dim');

export const GATHER_OP = defineOp({
  name: 'gather',
  kind: 'index',
  attrs: { dim: DIM },
  doc: 'out[i][j] = x[index[i][j]][j] along dim',
});
export const SCATTER_OP = defineOp({
  name: 'scatter',
  kind: 'index',
  attrs: { dim: DIM },
  doc: 'a copy of x with src written at index along dim',
});
export const SCATTER_ADD_OP = defineOp({
  name: 'scatterAdd',
  kind: 'index',
  attrs: { dim: DIM },
  doc: 'a copy of x with src added at index along dim',
});
export const INDEX_SELECT_OP = defineOp({
  name: 'indexSelect',
  kind: 'index',
  attrs: { dim: DIM },
  doc: 'the entries of dim listed by a 1-D index',
});
export const INDEX_ADD_OP = defineOp({
  name: 'indexAdd',
  kind: 'index',
  attrs: { dim: DIM, alpha: 1 },
  doc: 'a copy of x with alpha·source added at the entries of dim listed by index',
});
export const WHERE_OP = defineOp({
  name: 'where',
  kind: 'ternary',
  doc: 'cond ? a : b, broadcast (operands promoted to one dtype)',
});
export const ARGSORT_OP = defineOp({
  name: 'argsort',
  kind: 'sort',
  dtype: 'int32',
  attrs: { dim: DIM, descending: attr('bool', DESCENDING_DEFAULT) },
  doc: 'indices that sort dim (stable; NaN last)',
});
export const BERNOULLI_OP = defineOp({
  name: 'bernoulli',
  kind: 'random',
  dtype: 'float',
  differentiable: false,
  doc: '1 with probability p, else 0 (a draw from the global generator)',
});

/** The built-in indexing, sorting and sampling ops, in table order. */
export const CORE_INDEX = [
  GATHER_OP,
  SCATTER_OP,
  SCATTER_ADD_OP,
  INDEX_SELECT_OP,
  INDEX_ADD_OP,
  WHERE_OP,
  ARGSORT_OP,
  BERNOULLI_OP,
] as const;
