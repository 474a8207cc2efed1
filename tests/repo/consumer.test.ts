/**
 * Packs every package the way it would be published (`pnpm pack` rewrites `workspace:^` to real
 * ranges) and installs the tarballs with plain npm into fresh projects outside the workspace, to
 * catch what unit tests on sources cannot: a missing or mis-pointed `exports`/`types` entry,
 * files left out of the tarball, an undeclared or extra dependency. Needs `dist/` (`pnpm build`).
 * The run / require / type-check / bundle matrix is in consumer-matrix.test.ts.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_DEPENDENCIES, SCOPE } from './boundary-rules.js';
import {
  consumer as consumerOf,
  installed,
  libs,
  manifestOf,
  type Packed,
  packAll,
  root,
  run,
} from './consumer-helpers.js';

let packed: Packed | undefined;
const tarballs: Record<string, string> = {};
const consumer = (name: string, install: string) => consumerOf(packed!, name, [install]);

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}

/** Export names of each module, imported in a separate Node process (one copy of tensor each). */
function namesOf(dir: string, specifiers: string[]): string[][] {
  const script = `const out = [];
    for (const s of ${JSON.stringify(specifiers)}) out.push(Object.keys(await import(s)).sort());
    console.log(JSON.stringify(out));`;
  writeFileSync(join(dir, 'exports.mjs'), script);
  return JSON.parse(run(process.execPath, ['exports.mjs'], dir));
}

/**
 * Export names of the installed packages vs. of the workspace's built dist/. Two processes: loading
 * both copies of @tessera/tensor in one is the error tensor's second-copy check exists for.
 */
function exportNames(
  dir: string,
  names: string[],
): Record<string, { installed: string[]; workspace: string[] }> {
  const installedNames = namesOf(
    dir,
    names.map((n) => `${SCOPE}/${n}`),
  );
  const dist = pathToFileURL(join(root, 'packages')).href;
  const workspaceNames = namesOf(
    dir,
    names.map((n) => `${dist}/${n}/dist/index.js`),
  );
  return Object.fromEntries(
    names.map((n, i) => [n, { installed: installedNames[i]!, workspace: workspaceNames[i]! }]),
  );
}

beforeAll(() => {
  packed = packAll();
  Object.assign(tarballs, packed.tarballs);
}, 120_000);

afterAll(() => packed?.dispose());

describe('published packages, installed by npm outside the workspace', () => {
  it.each(libs)('tarball of @tessera/%s: files, exports targets and dependencies', (lib) => {
    const out = join(packed!.work, 'unpacked', lib);
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

    // Which files are published (and which never are) is publish-dry-run.test.ts's, from npm's list.
    const files = filesUnder(pkgDir);
    expect(readFileSync(join(pkgDir, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} Tessera contributors/,
    );
    expect(m.license).toBe('MIT');
    // Source maps and declaration maps point at files inside the tarball (src/ is packed).
    const outside: string[] = [];
    for (const map of files.filter((f) => f.endsWith('.map'))) {
      const { sources = [], sourceRoot = '' } = JSON.parse(readFileSync(join(pkgDir, map), 'utf8'));
      for (const src of sources as string[]) {
        const target = resolve(dirname(join(pkgDir, map)), sourceRoot, src);
        if (relative(pkgDir, target).startsWith('..') || !existsSync(target))
          outside.push(`${map} -> ${src}`);
      }
    }
    expect(outside, 'source maps pointing outside the tarball').toEqual([]);
    // README links work from npm: absolute, an anchor, or a file in the tarball.
    const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((x) => x[1]!);
    const broken = links.filter(
      (l) => !/^(https?:|mailto:|#)/.test(l) && !existsSync(join(pkgDir, l.replace(/#.*$/, ''))),
    );
    expect(broken, `${SCOPE}/${lib} README links to files not in the tarball`).toEqual([]);

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

    // A second copy (another path) in the same program is an error naming both, at load time.
    cpSync(join(dir, 'node_modules', SCOPE, 'tensor'), join(dir, 'copy', 'tensor'), { recursive: true });
    writeFileSync(
      join(dir, 'two.mjs'),
      "await import('@tessera/tensor');\nawait import('./copy/tensor/dist/index.js');\n",
    );
    expect(() => run(process.execPath, ['two.mjs'], dir)).toThrow(
      /@tessera\/tensor is loaded twice: version \d+\.\d+\.\d+ from file:\S*\/node_modules\/@tessera\/tensor\/dist\/index\.js and version \d+\.\d+\.\d+ from file:\S*\/copy\/tensor\/dist\/index\.js\..*npm dedupe/s,
    );

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
