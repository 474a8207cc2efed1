// Writes BACKENDS.md's table of elementwise ops from the op declarations (src/ops/*-decls.ts), using the
// built package: run `pnpm build` first (`pnpm gen:backends` does). test/backends-doc.test.ts
// fails when the checked-in table differs from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);
await import(new URL('dist/index.js', root).href);
const { builtinOpTable, withOpTable } = await import(new URL('dist/ops/op-table.js', root).href);
const file = fileURLToPath(new URL('BACKENDS.md', root));
const before = readFileSync(file, 'utf8');
const after = withOpTable(before, builtinOpTable());
if (after !== before) writeFileSync(file, after);
console.log(after === before ? 'BACKENDS.md is up to date' : 'BACKENDS.md: op table rewritten');
