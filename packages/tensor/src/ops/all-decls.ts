import { CORE_BINARY } from './binary-decls.js';
import type { AttrsOf, OpDecl } from './declare.js';
import { CORE_INDEX } from './index-decls.js';
import { CORE_INPLACE, type InplaceOp } from './inplace-decls.js';
import { CORE_MOVEMENT } from './movement-decls.js';
import { CORE_NN } from './nn-decls.js';
import { CORE_REDUCE } from './reduce-decls.js';
import { CORE_UNARY } from './unary-decls.js';

// Every op @tessera/tensor records, declared once. The name unions below are derived from the
// declaration lists, so `runOp` call sites, autograd's rule table and BACKENDS.md's table are all
// checked against the same rows.

/** The built-in out-of-place ops' declarations, in table order (in-place ones: `CORE_INPLACE`). */
export const CORE_DECLS = [
  ...CORE_UNARY,
  ...CORE_BINARY,
  ...CORE_REDUCE,
  ...CORE_MOVEMENT,
  ...CORE_INDEX,
  ...CORE_NN,
] as const;

/** A built-in out-of-place op's declaration. */
export type CoreDecl = (typeof CORE_DECLS)[number];

/** Names of every op @tessera/tensor records (out-of-place and in-place). */
export type BuiltinOp = CoreDecl['name'] | InplaceOp;

/** The declaration of built-in out-of-place op `N`. */
export type DeclOf<N extends CoreDecl['name']> = Extract<CoreDecl, { readonly name: N }>;

/** The recorded attributes of built-in out-of-place op `N`, typed by its declaration. */
export type OpAttrs<N extends CoreDecl['name']> = AttrsOf<DeclOf<N>>;

/** The built-in ops whose outputs carry gradients (autograd has a rule for each). */
export type DifferentiableOp = Exclude<
  CoreDecl,
  { readonly differentiable: false } | { readonly dtype: 'bool' | 'int32' }
>['name'];

/** Every built-in declaration (out-of-place, then in-place), in BACKENDS.md's table order. */
export function builtinDecls(): readonly OpDecl[] {
  return [...CORE_DECLS, ...CORE_INPLACE];
}
