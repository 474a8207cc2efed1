/**
 * Packs every package the way it would be published (`pnpm pack` rewrites `workspace:^` to real
 * ranges) and installs the tarballs with plain npm into fresh projects outside the workspace, to
 * catch what unit tests on sources cannot: a missing or mis-pointed `exports`/`types` entry,
 * files left out of the tarball, an undeclared or extra dependency. Needs `dist/` (`pnpm build`).
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
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_DEPENDENCIES, SCOPE } from './boundary-rules.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const libs = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
);
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** Runs a command, returning stdout; throws with its full output when it fails. */
function run(cmd: string, args: string[], cwd: string): string {
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

let work = '';
const tarballs: Record<string, string> = {};

/** A new npm project in the temp folder; `overrides` map every @tessera package to its tarball. */
function consumer(name: string, install: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  const overrides = Object.fromEntries(
    libs.filter((l) => l !== install).map((l) => [`${SCOPE}/${l}`, `file:${tarballs[l]}`]),
  );
  const pkg = { name: `consumer-${name}`, private: true, type: 'module', overrides };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarballs[install]!], dir);
  return dir;
}

const installed = (dir: string) => readdirSync(join(dir, 'node_modules', SCOPE)).sort();

/** Export names of the installed packages vs. of the workspace's built dist/, checked by node. */
function exportNames(
  dir: string,
  names: string[],
): Record<string, { installed: string[]; workspace: string[] }> {
  const script = `
    const names = ${JSON.stringify(names)};
    const out = {};
    for (const n of names) {
      const installed = Object.keys(await import('${SCOPE}/' + n)).sort();
      const workspace = Object.keys(await import(${JSON.stringify(pathToFileURL(join(root, 'packages')).href)} + '/' + n + '/dist/index.js')).sort();
      out[n] = { installed, workspace };
    }
    console.log(JSON.stringify(out));`;
  writeFileSync(join(dir, 'exports.mjs'), script);
  return JSON.parse(run(process.execPath, ['exports.mjs'], dir));
}

beforeAll(() => {
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
  work = mkdtempSync(join(tmpdir(), 'tessera-consumer-'));
  const packs = join(work, 'tarballs');
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
      packs,
    ],
    root,
  );
  for (const l of libs) {
    const file = join(packs, `tessera-${l}-${manifestOf(join(root, 'packages', l)).version}.tgz`);
    expect(existsSync(file), `pnpm pack produced no ${file}`).toBe(true);
    tarballs[l] = file;
  }
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('published packages, installed by npm outside the workspace', () => {
  it.each(libs)('tarball of @tessera/%s: files, exports targets and dependencies', (lib) => {
    const out = join(work, 'unpacked', lib);
    mkdirSync(out, { recursive: true });
    run('tar', ['-xzf', tarballs[lib]!, '-C', out], root);
    const pkgDir = join(out, 'package');
    const m = manifestOf(pkgDir);

    // Every path the manifest points at exists in the tarball.
    const targets: string[] = [m.main, m.types];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') targets.push(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(m.exports);
    expect(targets.filter((t) => t && !existsSync(join(pkgDir, t)))).toEqual([]);
    expect(existsSync(join(pkgDir, 'dist/.tsbuildinfo')), 'dist/.tsbuildinfo is packed').toBe(false);
    expect(existsSync(join(pkgDir, 'test')), 'test/ is packed').toBe(false);

    // Dependencies: real ranges (no workspace: protocol), and only the siblings the rules allow.
    const deps: Record<string, string> = { ...m.dependencies, ...m.peerDependencies };
    expect(Object.entries(deps).filter(([, range]) => range.startsWith('workspace:'))).toEqual([]);
    const siblings = Object.keys(deps).filter((d) => d.startsWith(`${SCOPE}/`));
    const allowed = (ALLOWED_DEPENDENCIES[lib] ?? []).map((d) => `${SCOPE}/${d}`);
    expect(
      siblings.filter((d) => !allowed.includes(d)),
      `${SCOPE}/${lib} depends on`,
    ).toEqual([]);
  });

  it('@tessera/tensor alone: installs only itself, runs from an .mjs file, type-checks with NodeNext', () => {
    const dir = consumer('tensor', 'tensor');
    expect(readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual([SCOPE]);
    expect(installed(dir)).toEqual(['tensor']);

    writeFileSync(
      join(dir, 'use.mjs'),
      `import { tensor, zeros } from '@tessera/tensor';
const z = zeros([2, 2]);
const t = tensor([1, 2, 3]);
console.log(JSON.stringify({ zeros: typeof z, tensor: typeof t, shape: Array.from(z.shape) }));
`,
    );
    expect(JSON.parse(run(process.execPath, ['use.mjs'], dir))).toEqual({
      zeros: 'object',
      tensor: 'object',
      shape: [2, 2],
    });
    const names = exportNames(dir, ['tensor']).tensor!;
    expect(names.installed).toEqual(names.workspace);

    writeFileSync(
      join(dir, 'use.ts'),
      `import { tensor, zeros } from '@tessera/tensor';
const z = zeros([2, 2]);
export const t = tensor([1, 2, 3]);
export const shape: readonly number[] = z.shape;
// @ts-expect-error: proves the exports are typed (not \`any\`): a shape is not a string.
zeros('2x2');
`,
    );
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      types: [],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['use.ts'] }));
    run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], dir);
  }, 120_000);

  it('@tessera/nn brings exactly the packages it declares: nn, autograd, tensor', () => {
    const dir = consumer('nn', 'nn');
    expect(readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual([SCOPE]);
    expect(installed(dir)).toEqual(['autograd', 'nn', 'tensor']);
    for (const [name, names] of Object.entries(exportNames(dir, ['nn', 'autograd', 'tensor']))) {
      expect(names.installed, `exports of ${SCOPE}/${name}`).toEqual(names.workspace);
    }
  }, 120_000);
});
