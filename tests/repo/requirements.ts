/**
 * For tests that need something outside npm: Debian's Chromium (browser tests), a WebGPU
 * adapter (Dawn from the `webgpu` package, on Mesa's lavapipe) or the MNIST test files
 * (TESSERA_MNIST_DIR, else ../shared/datasets/mnist beside the repository). When it is missing the
 * tests are registered as skipped, with the reason and the fix in their name, and the reason is
 * printed to stderr: never a silent pass. With TESSERA_REQUIRE=chromium,webgpu,mnist (or `all`) a
 * missing requirement fails instead.
 *
 *   import { describeIfAvailable } from '../../../tests/repo/requirements.js';
 *   describeIfAvailable('webgpu', 'matmul kernel', () => { it('...', async () => { ... }); });
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'vitest';

export type Requirement = 'chromium' | 'webgpu' | 'mnist';

export type Availability =
  | { available: true; detail: string }
  | { available: false; reason: string; enable: string };

const root = fileURLToPath(new URL('../..', import.meta.url));
const INSTALL = 'run sudo scripts/install-system-deps.sh';

/** The two MNIST test-set files (10,000 images) that every MNIST test reads. */
export const MNIST_FILES = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'] as const;

const MNIST_FIX = 'set TESSERA_MNIST_DIR or place the dataset in ../shared/datasets/mnist';

/**
 * Where the MNIST test files are: $TESSERA_MNIST_DIR when set (never overridden by the fallback,
 * so a wrong setting is reported, not silently replaced), else `<repoRoot>/../shared/datasets/mnist`.
 * Available only when the folder holds both MNIST_FILES. `env` and `repoRoot` are parameters so
 * tests can check the resolution without touching the real folders.
 */
export function mnistAvailability(
  env: NodeJS.ProcessEnv = process.env,
  repoRoot: string = root,
): Availability {
  const fromEnv = env.TESSERA_MNIST_DIR;
  const dir = fromEnv ? resolve(fromEnv) : resolve(repoRoot, '../shared/datasets/mnist');
  const missing = MNIST_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length === 0) return { available: true, detail: dir };
  if (fromEnv)
    return {
      available: false,
      reason: `MNIST not found: TESSERA_MNIST_DIR=${fromEnv} lacks ${missing.join(', ')}`,
      enable: 'point TESSERA_MNIST_DIR at the folder holding the t10k IDX .gz files',
    };
  return { available: false, reason: 'MNIST not found', enable: MNIST_FIX };
}

/** The folder holding the MNIST test files (see mnistAvailability), or null when there is none. */
export function mnistDir(env: NodeJS.ProcessEnv = process.env, repoRoot: string = root): string | null {
  const a = mnistAvailability(env, repoRoot);
  return a.available ? a.detail : null;
}

/** Chromium to drive (playwright-core `executablePath`): $CHROMIUM_PATH or /usr/bin/chromium, if present. */
export function chromiumPath(candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium']): string | null {
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

/** Where the `webgpu` package (a devDependency of @tessera/gpu) is installed, or null. */
export function webgpuModulePath(): string | null {
  try {
    return createRequire(join(root, 'packages/gpu/package.json')).resolve('webgpu');
  } catch {
    return null;
  }
}

const PROBE = `
const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter();
console.log(JSON.stringify(adapter ? adapter.info.description || adapter.info.vendor || 'adapter' : null));`;

let webgpuCache: Availability | undefined;

/** Asks Dawn for an adapter, in a child process so that a crash or hang cannot take the test worker down. */
function probeWebgpu(): Availability {
  const module = webgpuModulePath();
  if (!module)
    return { available: false, reason: "the 'webgpu' package is not installed", enable: 'run pnpm install' };
  const env = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? ensureRuntimeDir() };
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE, pathToFileURL(module).href], {
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  const found = r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').pop() || 'null') : null;
  if (found) return { available: true, detail: found };
  const why =
    r.status === 0
      ? 'Dawn found no WebGPU adapter'
      : `the WebGPU probe failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`;
  return { available: false, reason: `${why}, no Vulkan driver?`, enable: `${INSTALL} (Mesa lavapipe)` };
}

function ensureRuntimeDir(): string {
  const dir = join(tmpdir(), 'xdg-runtime');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Whether `requirement` is met on this machine: a detail when it is, else the reason and the fix. */
export function availability(requirement: Requirement): Availability {
  if (requirement === 'mnist') return mnistAvailability();
  if (requirement === 'webgpu') return (webgpuCache ??= probeWebgpu());
  const path = chromiumPath();
  return path
    ? { available: true, detail: path }
    : { available: false, reason: 'Chromium not found', enable: `${INSTALL} or set CHROMIUM_PATH` };
}

/** Whether TESSERA_REQUIRE (a comma list, or `all`) turns a missing `requirement` into a failure. */
export function required(requirement: Requirement, env: NodeJS.ProcessEnv = process.env): boolean {
  const list = (env.TESSERA_REQUIRE ?? '').split(',').map((s) => s.trim());
  return list.includes('all') || list.includes(requirement);
}

/** Prints the reason to stderr once per vitest run (marker file keyed by the vitest main process). */
function warnOnce(requirement: Requirement, message: string): void {
  const dir = join(tmpdir(), 'tessera-requirements');
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${process.ppid}-${requirement}`), '', { flag: 'wx' });
  } catch {
    return; // already printed in this run
  }
  process.stderr.write(`\n[tessera] ${message}\n`);
}

export type Gate = { run: true } | { run: false; label: string } | { run: false; error: Error };

/**
 * Run, skip (with the label to register) or fail (under TESSERA_REQUIRE): the decision behind
 * describeIfAvailable and itIfAvailable. `a` and `env` default to this machine and process.
 */
export function gate(
  requirement: Requirement,
  name: string,
  a: Availability = availability(requirement),
  env: NodeJS.ProcessEnv = process.env,
): Gate {
  if (a.available) return { run: true };
  if (required(requirement, env)) {
    const error = new Error(`${requirement} is required (TESSERA_REQUIRE) but ${a.reason}; ${a.enable}`);
    return { run: false, error };
  }
  // Only a real skip is announced: a test that passes its own availability or env is a simulation.
  if (env === process.env) warnOnce(requirement, `${requirement} tests skipped: ${a.reason}; ${a.enable}`);
  return { run: false, label: `${name} [skipped: ${a.reason}; ${a.enable}]` };
}

/**
 * `describe(name, fn)` when the requirement is met. Otherwise the suite is registered as skipped,
 * named `<name> [skipped: <reason>; <how to enable>]`, or, under TESSERA_REQUIRE, as one failing test.
 */
export function describeIfAvailable(requirement: Requirement, name: string, fn: () => void): void {
  const g = gate(requirement, name);
  if (g.run) describe(name, fn);
  else if ('label' in g) describe.skip(g.label, fn);
  else it(name, () => Promise.reject(g.error));
}

/** `it` counterpart of describeIfAvailable, for a single test. */
export function itIfAvailable(
  requirement: Requirement,
  name: string,
  fn: () => unknown,
  timeout?: number,
): void {
  const g = gate(requirement, name);
  if (g.run) it(name, fn, timeout);
  else if ('label' in g) it.skip(g.label, fn);
  else it(name, () => Promise.reject(g.error));
}
