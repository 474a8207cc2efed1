import { builtinDecls } from './all-decls.js';
import type { AttrSpec, OpDecl, OpKind } from './declare.js';

// BACKENDS.md's table of recorded ops, rendered from the declarations, one table per kind.
// `pnpm gen:backends` (scripts/gen-backends.mjs) writes it between the markers below;
// test/backends-doc.test.ts fails when the file is stale, so the table cannot drift from the code.

/** The line before the generated tables in BACKENDS.md. */
export const TABLE_BEGIN =
  '<!-- recorded-ops:begin (generated from src/ops/*-decls.ts by `pnpm gen:backends`; do not edit) -->';
/** The line after them. */
export const TABLE_END = '<!-- recorded-ops:end -->';

const RESULT = {
  same: "input's dtype",
  float: 'floating (int/bool → float32 first)',
  bool: 'bool',
  int32: 'int32',
  accumulate: 'float keeps its dtype; int32/bool → int32',
  attr: 'the dtype attribute',
} as const;
const BOOL = { keep: 'computed on', int32: 'cast to int32', reject: 'refused' } as const;

/** What each kind's table holds, in table order. */
const KIND_TITLES: { readonly [K in OpKind]: string } = {
  unary: 'Elementwise, one input',
  binary: 'Elementwise, two inputs (broadcast)',
  ternary: 'Elementwise, three inputs (broadcast)',
  reduce: 'Reductions',
  scan: 'Scans along one dim',
  movement: 'Views and shape changes',
  copy: 'Copies',
  index: 'Indexing',
  linalg: 'Linear algebra',
  conv: 'Convolution',
  pool: 'Pooling',
  sort: 'Sorting',
  random: 'Random sampling',
  inplace: 'In place (not differentiable; refused on tensors that require grad)',
};

/** The tables of every built-in declared op, one per kind (`#### kind: title`), in declaration order. */
export function builtinOpTable(): string {
  const decls = builtinDecls();
  const parts: string[] = [];
  for (const kind of Object.keys(KIND_TITLES) as OpKind[]) {
    const rows = decls.filter((d) => d.kind === kind);
    if (rows.length > 0) parts.push(`#### ${kind}: ${KIND_TITLES[kind]}\n\n${renderOpTable(rows)}`);
  }
  return parts.join('\n\n');
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

/** `a: 1, dims (dims), keepdim: false`: defaults after a colon, required ones with their type. */
function attrsText(attrs: AttrSpec): string {
  const e = Object.entries(attrs);
  if (e.length === 0) return '(none)';
  return e
    .map(([k, v]) =>
      typeof v === 'number'
        ? `${k}: ${valueText(v)}`
        : 'default' in v
          ? `${k}: ${valueText(v.default)}`
          : `${k} (${v.type})`,
    )
    .join(', ');
}

function valueText(v: unknown): string {
  return v === Number.POSITIVE_INFINITY
    ? 'Infinity'
    : v === Number.NEGATIVE_INFINITY
      ? '-Infinity'
      : v === null
        ? 'null'
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
