// After `changeset version` bumps package.json versions: writes @tessera/tensor's version into
// packages/tensor/src/version.ts, which its load-time second-copy check reports.
import { readFileSync, writeFileSync } from 'node:fs';

const dir = new URL('../packages/tensor/', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'));
const file = new URL('src/version.ts', dir);
const text = readFileSync(file, 'utf8');
const next = text.replace(/export const VERSION = '[^']*';/, `export const VERSION = '${version}';`);
if (!next.includes(`'${version}'`)) throw new Error(`sync-versions: no VERSION constant in ${file.pathname}`);
writeFileSync(file, next);
