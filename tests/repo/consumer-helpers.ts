/**
 * Shared by the consumer tests: packs every package the way it would be published (`pnpm pack`
 * rewrites `workspace:^` to real ranges) into a temp folder and makes fresh npm projects outside
 * the workspace that install the tarballs. Needs `dist/` (`pnpm build`).
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCOPE } from './boundary-rules.js';
import { PACK_CACHE_ENV } from './pack-cache.js';

/** The repository root. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

/** Folder names of the published packages (packages/*). */
export const libs = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
);

/** The parsed package.json in `dir`. */
export const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** Runs a command, returning stdout; throws with its full output when it fails. */
export function run(cmd: string, args: string[], cwd: string): string {
  // Scripts run by pnpm see npm_config_*/npm_package_* variables meant for the workspace: drop them.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_(config|package|lifecycle)_/i.test(k)),
  );
  try {
    return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    throw new Error(
      `\`${cmd} ${args.join(' ')}\` failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`,
    );
  }
}

/** A temp folder holding one tarball per package (`tarballs[lib]`), and the projects made there. */
export interface Packed {
  work: string;
  tarballs: Record<string, string>;
  /** Removes the temp folder. */
  dispose(): void;
}

/**
 * Checks every package has dist/, then returns a new temp folder for projects and the tarballs of
 * every package: packed once per test run into the folder of the run's global setup
 * (pack-cache.ts) and shared by the test files, or packed into the new folder when a file runs
 * outside that setup.
 */
export function packAll(): Packed {
  const unbuilt = libs.filter(
    (l) =>
      !existsSync(join(root, 'packages', l, 'dist/index.js')) ||
      !existsSync(join(root, 'packages', l, 'dist/index.d.ts')),
  );
  if (unbuilt.length > 0) {
    throw new Error(
      `dist/ is missing for ${unbuilt.map((l) => `${SCOPE}/${l}`).join(', ')}: run \`pnpm build\` first ` +
        '(`npm test` builds before testing).',
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'tessera-consumer-'));
  const shared = process.env[PACK_CACHE_ENV];
  const packs =
    shared !== undefined && existsSync(shared) ? sharedPacks(shared) : packInto(join(work, 'tarballs'));
  const tarballs: Record<string, string> = {};
  for (const l of libs) tarballs[l] = tarballOf(packs, l);
  return { work, tarballs, dispose: () => rmSync(work, { recursive: true, force: true }) };
}

/** `pnpm pack`s every package into `dir`; returns `dir`. */
function packInto(dir: string): string {
  run(
    'npx',
    [
      '-y',
      `pnpm@${pnpmVersion}`,
      '--recursive',
      '--filter',
      './packages/*',
      'pack',
      '--pack-destination',
      dir,
    ],
    root,
  );
  for (const l of libs) tarballOf(dir, l);
  return dir;
}

/** The tarball of package `l` in `dir` (it must exist). */
function tarballOf(dir: string, l: string): string {
  const file = join(dir, `tessera-${l}-${manifestOf(join(root, 'packages', l)).version}.tgz`);
  if (!existsSync(file)) throw new Error(`pnpm pack produced no ${file}`);
  return file;
}

/**
 * The run's shared tarballs in `cache`: the first caller packs them (holding `lock/`, made
 * atomically by mkdir) and writes `done`; the others wait for `done` (or for `failed`, whose text
 * they rethrow), up to 5 minutes.
 */
function sharedPacks(cache: string): string {
  const dir = join(cache, 'tarballs');
  const done = join(cache, 'done');
  const failed = join(cache, 'failed');
  let owner = false;
  try {
    mkdirSync(join(cache, 'lock'));
    owner = true;
  } catch {
    // another test file packs (or has packed)
  }
  if (owner) {
    try {
      packInto(dir);
      writeFileSync(done, '');
    } catch (e) {
      writeFileSync(failed, String(e));
      throw e;
    }
    return dir;
  }
  const deadline = Date.now() + 5 * 60_000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(done)) {
    if (existsSync(failed))
      throw new Error(`packing the tarballs failed in another test file:\n${readFileSync(failed, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`packAll: no tarballs in ${dir} after 5 minutes of waiting`);
    Atomics.wait(nap, 0, 0, 200);
  }
  return dir;
}

/**
 * A new npm project `name` in the temp folder that installs the tarballs of `install`; `overrides`
 * map every other @tessera package to its tarball, so dependencies resolve to this build.
 */
export function consumer(packed: Packed, name: string, install: readonly string[]): string {
  const dir = join(packed.work, name);
  mkdirSync(dir);
  const overrides = Object.fromEntries(
    libs.filter((l) => !install.includes(l)).map((l) => [`${SCOPE}/${l}`, `file:${packed.tarballs[l]}`]),
  );
  const pkg = { name: `consumer-${name}`, private: true, type: 'module', overrides };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...install.map((l) => packed.tarballs[l]!)],
    dir,
  );
  return dir;
}

/** The @tessera packages installed in a consumer project. */
export const installed = (dir: string) => readdirSync(join(dir, 'node_modules', SCOPE)).sort();

/** The first ```ts block of the root README: the XOR training program. */
export function xorProgram(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (block === undefined || !block.includes('@tessera/nn')) throw new Error('README.md: no XOR ```ts block');
  return block;
}
