#!/usr/bin/env node
// Entry point of `npm test` and `npm run demo` on a machine with only Node >= 20 and npm:
// runs the pinned pnpm (package.json "packageManager") through npx, installs, then
//   test: build, lint, typecheck and every vitest project (extra arguments go to vitest);
//   setup: build (for the examples, `npx tessera-train`, benchmarks);
//   demo: build, then the demo's dev server, which prints its local URL; Ctrl+C stops it quietly
//   (exit status 0).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runForeground, shellQuote } from './lib/foreground.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const [mode, ...extra] = process.argv.slice(2);
const pnpmSpec = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).packageManager.split('+')[0];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' };

/** Runs `pnpm ...args` (pinned, through npx) in the repo root; returns true on success. */
function pnpm(...args) {
  console.log(`\n> pnpm ${args.join(' ')}`);
  const r = spawnSync('npx', ['-y', pnpmSpec, ...args], {
    cwd: root,
    env,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  return r.status === 0;
}
function fail(message) {
  console.error(`\nbootstrap: ${message}`);
  process.exit(1);
}

if (!['test', 'demo', 'setup'].includes(mode))
  fail('usage: node scripts/bootstrap.mjs test|demo|setup [vitest args...]');
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) fail(`Node >= 20 is required (this is ${process.version})`);

const frozen = existsSync(`${root}pnpm-lock.yaml`) ? ['--frozen-lockfile'] : [];
if (!pnpm('install', ...frozen)) fail('pnpm install failed');

if (mode === 'setup') {
  if (!pnpm('build')) fail('build failed');
  console.log('\nbootstrap: installed and built');
} else if (mode === 'test') {
  // Every step runs even if an earlier one failed, so one run reports everything.
  const failed = [
    ['build', ['build']],
    ['lint', ['lint']],
    ['typecheck', ['typecheck']],
    ['tests', ['exec', 'vitest', 'run', ...extra]],
  ]
    .filter(([, args]) => !pnpm(...args))
    .map(([name]) => name);
  if (failed.length > 0) fail(`failed: ${failed.join(', ')}`);
  console.log('\nbootstrap: build, lint, typecheck and tests passed');
} else {
  if (!pnpm('build')) fail('build failed');
  const demo = `${root}apps/demo/package.json`;
  const scripts = existsSync(demo) ? (JSON.parse(readFileSync(demo, 'utf8')).scripts ?? {}) : {};
  if (!scripts.dev) fail('apps/demo has no "dev" script yet: the demo app has not landed, nothing to start.');
  console.log('\nbootstrap: starting the demo; open the "Local:" URL printed below (Ctrl+C to stop).');
  // The dev script itself, not through pnpm, which reports Ctrl+C as ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL.
  const command = [scripts.dev, ...extra.map(shellQuote)].join(' ');
  const status = await runForeground(command, {
    cwd: `${root}apps/demo`,
    binDirs: [`${root}apps/demo`, root],
    env,
  });
  if (status !== 0) fail(`the demo dev server exited with status ${status}`);
  console.log('\nbootstrap: demo stopped');
}
