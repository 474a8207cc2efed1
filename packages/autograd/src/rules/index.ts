// Registers every built-in gradient rule (imported for its side effects). The elementwise rules
// are registered by elementwise.ts from tables typed by the unary and binary op names; every
// other family exports a table, registered here, and `NONE_MISSING` makes a differentiable
// built-in op without a rule a compile error that names it.
import type { DifferentiableBinaryOp, DifferentiableOp, DifferentiableUnaryOp } from '@tessera/tensor';
import { registerRules } from '../rule.js';
import { CONV_RULES } from './conv.js';
import './elementwise.js';
import { INDEXING_RULES } from './indexing.js';
import { LINALG_RULES } from './linalg.js';
import { REDUCE_RULES } from './reduce.js';
import { SELECT_RULES } from './select.js';
import { SHAPING_RULES } from './shaping.js';
import { VIEW_RULES } from './views.js';

const TABLES = [
  CONV_RULES,
  INDEXING_RULES,
  LINALG_RULES,
  REDUCE_RULES,
  SELECT_RULES,
  SHAPING_RULES,
  VIEW_RULES,
];
for (const t of TABLES) registerRules(t);

/** The keys of each table (a union over the tables, not the keys they share). */
type KeysOf<T> = T extends unknown ? keyof T : never;
type Covered = DifferentiableUnaryOp | DifferentiableBinaryOp | KeysOf<(typeof TABLES)[number]>;
type Missing = Exclude<DifferentiableOp, Covered>;

/** `true` when every differentiable built-in op has a rule; otherwise a type error naming the ops without one. */
export const NONE_MISSING: [Missing] extends [never] ? true : Missing = true;
