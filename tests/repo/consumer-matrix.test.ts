/**
 * The consumer matrix: for each published package alone, and for the root README's XOR training
 * program (tensor, autograd, nn, optim), the packed tarballs installed by npm outside the workspace
 * (a) run in plain Node ESM, (b) load through `require()` from CommonJS (Node 20.19+ `require(esm)`),
 * (c) type-check in a strict NodeNext project without the DOM lib and with `skipLibCheck: false`,
 * (d) bundle for the browser with esbuild, with no `node:` import left in the bundle (the bundle
 * then runs in Node too, giving the same result). The bundles of esbuild, webpack 5, Rollup and
 * Vite, run in Chromium, are consumer-bundlers.test.ts's. Needs `dist/` (`pnpm build`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPE } from './boundary-rules.js';
import { consumer, libs, type Packed, packAll, root, run, xorProgram } from './consumer-helpers.js';

let packed: Packed | undefined;
beforeAll(() => {
  packed = packAll();
}, 120_000);
afterAll(() => packed?.dispose());

/** The same program with its static imports turned into `require()` calls (CommonJS). */
function toCommonJs(program: string): string {
  return program.replace(
    /^import \{([^}]*)\} from '([^']+)';$/gm,
    (_, names: string, from: string) => `const {${names}} = require('${from}');`,
  );
}

/**
 * Bundles `entry` in `dir` for the browser; returns the bundle's file name and the `node:` modules it
 * still imports (esbuild's metafile lists every import left in the output; a built-in it could not
 * resolve for the browser fails the build). Text that merely mentions `node:` (the source of a Node
 * worker, a computed specifier) is not an import.
 */
function bundleForBrowser(dir: string, entry: string): { file: string; nodeImports: string[] } {
  const file = 'bundle.browser.mjs';
  const result = buildSync({
    absWorkingDir: dir,
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outfile: join(dir, file),
    metafile: true,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  const imports = Object.values(result.metafile!.outputs).flatMap((o) => o.imports.map((i) => i.path));
  return { file, nodeImports: imports.filter((p) => p.startsWith('node:')) };
}

/** Type-checks `file` in `dir` as a strict NodeNext project: ES2022 + @types/node, no DOM lib, skipLibCheck off. */
function typeCheck(dir: string, file: string): void {
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2022'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [join(root, 'node_modules/@types')],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [file] }));
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], dir);
}

const node = (dir: string, file: string) => run(process.execPath, [file], dir).trim();

describe('consumer matrix: npm install, ESM, require(), strict types, browser bundle', () => {
  it.each(libs)(
    '@tessera/%s alone',
    (lib) => {
      const dir = consumer(packed!, `alone-${lib}`, [lib]);
      const spec = `${SCOPE}/${lib}`;
      writeFileSync(
        join(dir, 'use.mjs'),
        `import * as m from '${spec}';\nconsole.log(Object.keys(m).sort().join(','));\n`,
      );
      const esm = node(dir, 'use.mjs');
      expect(esm.split(',').length, `${spec} exports`).toBeGreaterThan(3);

      writeFileSync(
        join(dir, 'use.cjs'),
        `const m = require('${spec}');\nconsole.log(Object.keys(m).filter((k) => k !== '__esModule' && k !== 'module.exports').sort().join(','));\n`,
      );
      expect(node(dir, 'use.cjs'), `require('${spec}')`).toBe(esm);

      writeFileSync(
        join(dir, 'use.ts'),
        `import * as m from '${spec}';\nexport const names: string[] = Object.keys(m);\n`,
      );
      typeCheck(dir, 'use.ts');

      const { file, nodeImports } = bundleForBrowser(dir, 'use.mjs');
      expect(nodeImports, `node: imports in the browser bundle of ${spec}`).toEqual([]);
      expect(node(dir, file), 'the browser bundle, run in Node').toBe(esm);
    },
    180_000,
  );

  it("the README's XOR program (tensor, autograd, nn, optim)", () => {
    const dir = consumer(packed!, 'xor', ['tensor', 'autograd', 'nn', 'optim']);
    const program = xorProgram();
    const expected = '[ 0, 1, 1, 0 ]';
    writeFileSync(join(dir, 'xor.mjs'), program);
    expect(node(dir, 'xor.mjs')).toBe(expected);

    writeFileSync(join(dir, 'xor.cjs'), toCommonJs(program));
    expect(node(dir, 'xor.cjs')).toBe(expected);

    writeFileSync(join(dir, 'xor.ts'), `${program}\nexport {};\n`);
    typeCheck(dir, 'xor.ts');

    const { file, nodeImports } = bundleForBrowser(dir, 'xor.mjs');
    expect(nodeImports).toEqual([]);
    expect(node(dir, file)).toBe(expected);
  }, 180_000);
});
