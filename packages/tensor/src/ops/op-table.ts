import { BINARY_OPS } from './binary-decls.js';
import { getOpDecl, type OpDecl } from './declare.js';
import { UNARY_OPS } from './unary-decls.js';

// BACKENDS.md's table of elementwise ops, rendered from the declarations. `pnpm gen:backends`
// (scripts/gen-backends.mjs) writes it between the markers below; test/backends-doc.test.ts fails
// when the file is stale, so the table cannot drift from the code.

/** The line before the generated table in BACKENDS.md. */
export const TABLE_BEGIN =
  '<!-- elementwise-ops:begin (generated from src/ops/*-decls.ts by `pnpm gen:backends`; do not edit) -->';
/** The line after it. */
export const TABLE_END = '<!-- elementwise-ops:end -->';

const RESULT = { same: "input's dtype", float: 'floating (int/bool → float32 first)', bool: 'bool' } as const;
const BOOL = { keep: 'computed on', int32: 'cast to int32', reject: 'refused' } as const;

/** The table of the built-in elementwise ops, unary then binary, each in declaration-list order. */
export function builtinOpTable(): string {
  return renderOpTable([...UNARY_OPS, ...BINARY_OPS].map((n) => getOpDecl(n)!));
}

/** The markdown table of `decls` (one row per op, in order), without the markers. */
export function renderOpTable(decls: readonly OpDecl[]): string {
  const rows = [
    ['name', 'kind', 'result dtype', 'bool input', 'attrs (defaults)', 'differentiable', 'computes'],
    ...decls.map((d) => [
      `\`${d.name}\``,
      d.kind,
      RESULT[d.dtype],
      BOOL[d.boolInput],
      attrsText(d.attrs),
      d.differentiable ? 'yes' : 'no',
      d.doc,
    ]),
  ].map((r) => r.map((c) => c.replace(/\|/g, '\\|')));
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => width(r[c]!))));
  const line = (r: readonly string[]) =>
    `| ${r.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** `a: 1, b: 2`, or `(none)`. */
function attrsText(attrs: Readonly<Record<string, number>>): string {
  const e = Object.entries(attrs);
  return e.length === 0 ? '(none)' : e.map(([k, v]) => `${k}: ${numberText(v)}`).join(', ');
}

function numberText(v: number): string {
  return v === Number.POSITIVE_INFINITY
    ? 'Infinity'
    : v === Number.NEGATIVE_INFINITY
      ? '-Infinity'
      : String(v);
}

/** Display width in code points (so that a row with `−` or `√` lines up as a formatter would). */
function width(s: string): number {
  return [...s].length;
}

/** BACKENDS.md's text with the generated table replaced by `table`; throws when a marker is missing. */
export function withOpTable(doc: string, table: string): string {
  const a = doc.indexOf(TABLE_BEGIN);
  const b = doc.indexOf(TABLE_END);
  if (a < 0 || b < a) throw new Error(`BACKENDS.md: the markers ${TABLE_BEGIN} ... ${TABLE_END} are missing`);
  return `${doc.slice(0, a + TABLE_BEGIN.length)}\n\n${table}\n\n${doc.slice(b)}`;
}
