import { type BinaryOp, CORE_BINARY } from './binary-decls.js';
import { type AttrSpec, attr, defineOp, type OpDecl } from './declare.js';
import { CORE_UNARY, type UnaryOp } from './unary-decls.js';

// The built-in in-place ops, declared once (see declare.ts): `<op>_` for every elementwise op
// (taking that op's attributes), the fused optimizer updates, copy_ and fill_. They are not
// differentiable: an attached autograd refuses them on tensors that require grad.

/** The in-place declaration of elementwise op `d`: `<name>_`, its attributes (add_/sub_: alpha). */
function inplaceOf<const N extends string>(
  d: { readonly name: N; readonly doc: string; readonly attrs: OpDecl['attrs'] },
  extra: OpDecl['attrs'] = {},
): OpDecl<`${N}_`, 'inplace'> {
  return defineOp({
    name: `${d.name}_` as `${N}_`,
    kind: 'inplace',
    attrs: { ...d.attrs, ...extra },
    differentiable: false,
    doc: `${d.name} into the target`,
  });
}

/** In-place names of the elementwise ops (`relu_`, `add_`, ...). */
export type ElementwiseInplaceOp = `${UnaryOp | BinaryOp}_`;

/** The in-place declaration of each built-in unary op, keyed by the op's name. */
export const UNARY_INPLACE: { readonly [K in UnaryOp]: OpDecl<`${K}_`, 'inplace'> } = Object.freeze(
  Object.fromEntries(CORE_UNARY.map((d) => [d.name, inplaceOf(d)])) as {
    [K in UnaryOp]: OpDecl<`${K}_`, 'inplace'>;
  },
);

const ALPHA = { alpha: 1 };

/** The in-place declaration of each built-in binary op, keyed by the op's name (add_/sub_ take alpha). */
export const BINARY_INPLACE: { readonly [K in BinaryOp]: OpDecl<`${K}_`, 'inplace'> } = Object.freeze(
  Object.fromEntries(
    CORE_BINARY.map((d) => [d.name, inplaceOf(d, d.name === 'add' || d.name === 'sub' ? ALPHA : {})]),
  ) as { [K in BinaryOp]: OpDecl<`${K}_`, 'inplace'> },
);

const fusedOp = <const N extends string, const A extends AttrSpec>(name: N, attrs: A, doc: string) =>
  defineOp({ name, kind: 'inplace', attrs, differentiable: false, doc });

/** The fused in-place updates (optimizer steps), keyed by name. */
export const FUSED_INPLACE = Object.freeze({
  addcmul_: fusedOp('addcmul_', { value: 1 }, 'target + value·t1·t2 into the target'),
  addcdiv_: fusedOp('addcdiv_', { value: 1 }, 'target + value·t1/t2 into the target'),
  lerp_: fusedOp(
    'lerp_',
    { weight: attr<number>('scalar') },
    'target + weight·(end − target) into the target',
  ),
});

/** copy_: src (broadcast, cast) into the target. */
export const COPY_INPLACE_OP = defineOp({
  name: 'copy_',
  kind: 'inplace',
  differentiable: false,
  doc: 'src (broadcast and cast) into the target',
});
/** fill_: one value into every element of the target. */
export const FILL_INPLACE_OP = defineOp({
  name: 'fill_',
  kind: 'inplace',
  attrs: { value: attr<number | boolean>('scalar') },
  differentiable: false,
  doc: 'value into every element of the target',
});

/** Names of the fused in-place updates. */
export type FusedInplaceOp = keyof typeof FUSED_INPLACE;

/** Every built-in in-place op's declaration, in table order. */
export const CORE_INPLACE: readonly OpDecl[] = [
  ...Object.values(UNARY_INPLACE),
  ...Object.values(BINARY_INPLACE),
  ...Object.values(FUSED_INPLACE),
  COPY_INPLACE_OP,
  FILL_INPLACE_OP,
];

/** Names of the built-in in-place ops. */
export type InplaceOp = ElementwiseInplaceOp | FusedInplaceOp | 'copy_' | 'fill_';

const ELEMENTWISE_INPLACE: { readonly [K in UnaryOp | BinaryOp]: OpDecl } = {
  ...UNARY_INPLACE,
  ...BINARY_INPLACE,
};

/** The in-place declaration of `<op>_` for an elementwise op (`add_` for 'add'): one property read. */
export function inplaceDecl(op: UnaryOp | BinaryOp): OpDecl {
  return ELEMENTWISE_INPLACE[op];
}

/** The updates that run as one fused kernel when they can (add_/sub_: axpy), keyed by name. */
export const UPDATE_INPLACE = Object.freeze({
  add_: BINARY_INPLACE.add,
  sub_: BINARY_INPLACE.sub,
  ...FUSED_INPLACE,
});

/** Names of the updates in `UPDATE_INPLACE`. */
export type UpdateInplaceOp = keyof typeof UPDATE_INPLACE;
