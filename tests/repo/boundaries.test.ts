import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  manifestViolations,
  type PackageJson,
  sourceViolations,
  specifiersOf,
  type Unit,
  unitViolations,
} from './boundaries.js';
import { ALLOWED_DEPENDENCIES, UNRESTRICTED } from './boundary-rules.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readJson = (file: string): PackageJson => JSON.parse(readFileSync(file, 'utf8'));
const packages = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
);
/** apps/*, examples: folders with a package.json, found from the UNRESTRICTED globs. */
const unrestricted = UNRESTRICTED.flatMap((glob) => {
  const [parent, star] = glob.split('/');
  const dirs = star === '*' ? readdirSync(join(root, parent!)).map((d) => `${parent}/${d}`) : [glob];
  return dirs.filter((d) => existsSync(join(root, d, 'package.json')));
});

describe('dependency boundaries (rules: tests/repo/boundary-rules.ts)', () => {
  it('the rule table covers every package and has no cycle', () => {
    expect(packages.filter((p) => !(p in ALLOWED_DEPENDENCIES))).toEqual([]);
    const visit = (p: string, path: string[]): void => {
      if (path.includes(p)) throw new Error(`dependency cycle: ${[...path, p].join(' -> ')}`);
      for (const d of ALLOWED_DEPENDENCIES[p] ?? []) visit(d, [...path, p]);
    };
    for (const p of Object.keys(ALLOWED_DEPENDENCIES)) visit(p, []);
  });

  it.each(packages)('@tessera/%s imports and declares only what it may', (name) => {
    const dir = join(root, 'packages', name);
    const unit: Unit = {
      name,
      dir,
      allowed: ALLOWED_DEPENDENCIES[name] ?? [],
      manifest: readJson(join(dir, 'package.json')),
    };
    expect(unit.manifest.name).toBe(`@tessera/${name}`);
    expect(unitViolations(unit, join(dir, 'src'), root)).toEqual([]);
  });

  it.runIf(unrestricted.length > 0).each(unrestricted)(
    '%s uses packages only through their entries',
    (rel) => {
      const dir = join(root, rel);
      const unit: Unit = { name: rel, dir, allowed: 'any', manifest: readJson(join(dir, 'package.json')) };
      expect(unitViolations(unit, dir, root)).toEqual([]);
    },
  );
});

describe('the boundary checker itself', () => {
  const dir = join(root, 'packages', 'optim');
  const optim: Unit = {
    name: 'optim',
    dir,
    allowed: ['tensor'],
    manifest: { name: '@tessera/optim', dependencies: { '@tessera/tensor': 'workspace:^' } },
  };
  const check = (source: string, unit = optim) => sourceViolations(unit, join(dir, 'src', 'a.ts'), source);

  it('finds static, side-effect, type-only, re-export, dynamic and require specifiers, not comments', () => {
    const source = [
      "import { a } from 'one';",
      "import type { B } from 'two';",
      "import 'three';",
      "export * from 'four';",
      "const m = await import('five');",
      "const r = require('six');",
      "// import 'commented';",
      "/* import { x } from 'block-commented'; */",
      'const s = "import \'in-a-string\'";',
    ].join('\n');
    expect(specifiersOf(source)).toEqual(['one', 'two', 'three', 'four', 'five', 'six']);
  });

  it('allows permitted siblings, relative imports inside the package and node builtins', () => {
    expect(
      check("import { t } from '@tessera/tensor';\nimport './b.js';\nimport 'node:fs';\nimport 'path';"),
    ).toEqual([]);
  });

  it('rejects forbidden siblings, deep imports, escaping relative paths and self imports', () => {
    const found = check(
      [
        "import { Linear } from '@tessera/nn';",
        "const g = await import('@tessera/gpu');",
        "import { x } from '@tessera/tensor/src/internal.js';",
        "import '../../tensor/src/index.js';",
        "import '@tessera/optim';",
      ].join('\n'),
    );
    expect(found).toHaveLength(5);
    expect(found[0]).toMatch(/optim may not depend on nn/);
    expect(found[1]).toMatch(/optim may not depend on gpu/);
    expect(found[2]).toMatch(/deep import/);
    expect(found[3]).toMatch(/leaves optim/);
    expect(found[4]).toMatch(/itself/);
  });

  it('rejects undeclared externals and webgpu outside @tessera/gpu', () => {
    expect(check("import 'left-pad';")[0]).toMatch(/not in dependencies/);
    expect(check("await import('webgpu');")[0]).toMatch(/only @tessera\/gpu/);
    const gpu: Unit = {
      ...optim,
      name: 'gpu',
      manifest: {
        peerDependencies: { webgpu: '>=0.3.0' },
        peerDependenciesMeta: { webgpu: { optional: true } },
      },
    };
    expect(check("await import('webgpu');", gpu)).toEqual([]);
  });

  it('checks package.json: allowed edges, workspace:^ ranges, tensor as a peer, webgpu as optional peer only', () => {
    const bad = manifestViolations({
      ...optim,
      manifest: {
        dependencies: { '@tessera/tensor': '^0.1.0', '@tessera/data': 'workspace:^', webgpu: '^0.6.2' },
      },
    });
    expect(bad).toHaveLength(4);
    expect(bad.join('\n')).toMatch(/use "workspace:\^"/);
    expect(bad.join('\n')).toMatch(/dependencies\.@tessera\/tensor: make it a peerDependency/);
    expect(bad.join('\n')).toMatch(/optim may not depend on data/);
    expect(bad.join('\n')).toMatch(/only @tessera\/gpu may depend on 'webgpu'/);

    const tensorPeer = { '@tessera/tensor': 'workspace:>=0.1.0 <1' };
    const tensorDev = { '@tessera/tensor': 'workspace:^' };
    expect(
      manifestViolations({
        ...optim,
        manifest: { peerDependencies: tensorPeer, devDependencies: tensorDev },
      }),
    ).toEqual([]);
    expect(
      manifestViolations({
        ...optim,
        manifest: { peerDependencies: tensorDev, devDependencies: tensorDev },
      })[0],
    ).toMatch(/peerDependencies\.@tessera\/tensor is "workspace:\^"; use "workspace:>=0\.1\.0 <1"/);
    expect(manifestViolations({ ...optim, manifest: { peerDependencies: tensorPeer } })[0]).toMatch(
      /needs devDependencies\.@tessera\/tensor "workspace:\^" too/,
    );

    const gpu = (manifest: PackageJson) => manifestViolations({ ...optim, name: 'gpu', manifest });
    expect(gpu({ dependencies: { webgpu: '^0.6.2' } })[0]).toMatch(/optional peerDependency/);
    expect(gpu({ peerDependencies: { webgpu: '*' } })[0]).toMatch(/must be optional/);
    expect(
      gpu({
        peerDependencies: { webgpu: '*' },
        peerDependenciesMeta: { webgpu: { optional: true } },
        devDependencies: { webgpu: '^0.6.2' },
      }),
    ).toEqual([]);
  });
});
