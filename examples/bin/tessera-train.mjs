#!/usr/bin/env node
// Committed entry point for `npx tessera-train`: it exists at install time (so package managers
// link it on a fresh clone) and loads the compiled CLI, which `npm run build` produces.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error(
    'tessera-train: the examples are not built yet; run `node scripts/bootstrap.mjs setup` (install and build) or `npm run build` first',
  );
  process.exit(1);
}
const { runCli, exitWith } = await import(cli.href);
exitWith(await runCli(process.argv.slice(2)));
