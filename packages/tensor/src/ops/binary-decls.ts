import { attr, type DTypeRule, defineOp, type OpDecl } from './declare.js';

// The built-in binary elementwise ops, declared once (see unary.ts). Operands are promoted to one
// dtype and broadcast before the kernel runs; `dtype` is the kernel's result for that dtype.

/**
 * The attributes of a binary op called with a JS-number operand (`x.mul(0.5)`, `2 - x`): the
 * number, converted to the op's dtype, and 1 when it is the left operand (see `ScalarAttrs`). A
 * call on two tensors records none.
 */
const SCALAR_ATTRS = Object.freeze({ scalar: attr<number>('number'), scalarFirst: attr<0 | 1>('0 | 1') });

const b = <const N extends string, const R extends DTypeRule = 'same'>(name: N, doc: string, dtype?: R) =>
  defineOp<N, 'binary', typeof SCALAR_ATTRS, R>({
    name,
    kind: 'binary',
    doc,
    attrs: SCALAR_ATTRS,
    ...(dtype === undefined ? {} : { dtype }),
  });

/** The built-in binary ops, in table order. */
export const CORE_BINARY = [
  b('add', 'a + b (add/sub alpha: a recorded mul of b first; bool computes in int32)'),
  b('sub', 'a − b'),
  b('mul', 'a·b (int32 wraps as 32-bit multiplication)'),
  b('div', 'a / b: true division (integers compute in float32); roundingMode = div then floor/trunc'),
  b('pow', 'a^b (integer tensors to negative integer scalars are an error)'),
  b('remainder', 'Python-style remainder, the sign of b'),
  b('minimum', 'elementwise minimum, NaN propagates (bool stays bool); ties split the gradient'),
  b('maximum', 'elementwise maximum, NaN propagates (bool stays bool); ties split the gradient'),
  b('atan2', 'angle of the point (b, a), floating'),
  b('eq', 'a == b', 'bool'),
  b('ne', 'a != b', 'bool'),
  b('lt', 'a < b', 'bool'),
  b('le', 'a <= b', 'bool'),
  b('gt', 'a > b', 'bool'),
  b('ge', 'a >= b', 'bool'),
  b('and', 'logical and (operands cast to bool first)', 'bool'),
  b('or', 'logical or (operands cast to bool first)', 'bool'),
  b('xor', 'logical xor (operands cast to bool first)', 'bool'),
] as const;

/** Names of the built-in binary ops. */
export type BinaryOp = (typeof CORE_BINARY)[number]['name'];

/** The built-in binary ops whose outputs carry gradients. */
export type DifferentiableBinaryOp = Exclude<
  BinaryOp,
  Extract<(typeof CORE_BINARY)[number], { dtype: 'bool' }>['name']
>;

/** Names of the built-in binary ops, in table order. */
export const BINARY_OPS: readonly BinaryOp[] = Object.freeze(CORE_BINARY.map((d) => d.name));

/** The declarations of the built-in binary ops, by name. */
export const BINARY_DECLS: { readonly [K in BinaryOp]: OpDecl } = Object.freeze(
  Object.fromEntries(CORE_BINARY.map((d) => [d.name, d])) as unknown as { [K in BinaryOp]: OpDecl },
);
