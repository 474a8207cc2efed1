/**
 * The consumer matrix in the browser: the packed tarballs, installed once by npm into a project
 * outside the workspace, bundled by esbuild, webpack 5, Rollup and Vite for each published
 * package alone (a tiny entry running one op, fixtures/consumer/<package>.mjs) and for the root
 * README's XOR program, and each bundle run in Chromium (one browser for the file): the op's value,
 * and for XOR a falling loss and the right predictions. Each bundler builds all entries at once (a
 * multi-page app); one test per bundler and entry, so that a failure names both. Needs `dist/`
 * (`pnpm build`) and Chromium.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCOPE } from './boundary-rules.js';
import { type Bundler, bundlers, CHROMIUM_ARGS, runInPage, withServer } from './consumer-bundlers.js';
import { consumer, libs, type Packed, packAll, root, xorProgram } from './consumer-helpers.js';
import { chromiumPath, describeIfAvailable } from './requirements.js';

const fixtures = join(root, 'tests/repo/fixtures/consumer');

/**
 * The README's XOR program as a browser entry: each step's loss recorded before backward(), and the
 * final console.log (the predictions) reported with the losses instead.
 */
function xorEntry(): string {
  const program = xorProgram();
  const backward = program.match(/^(\s*)loss\.backward\(\);$/m);
  const log = [...program.matchAll(/^console\.log\((.*)\);.*$/gm)].at(-1);
  if (!backward || !log) throw new Error('README.md XOR program: no `loss.backward();` or final console.log');
  return [
    "import { report } from './report.mjs';",
    'const losses = [];',
    program
      .replace(backward[0], `${backward[1]}losses.push(loss.item());\n${backward[0]}`)
      .replace(log[0], `report(() => ({ losses, prediction: ${log[1]} }));`),
  ].join('\n');
}

/** What each entry must compute: its value checked by `check`. */
const entries: Record<string, (value: any) => void> = {
  tensor: (v) => {
    expect(v.sum).toBe(70.5);
    expect(v.product).toBe(32 ** 3);
    // The WebAssembly kernels' chunk loaded and ran the matmul (note says why when it did not).
    expect(v.variant, v.note ?? '').toMatch(/^(relaxed|simd|scalar)$/);
    expect(v.wasmCalls).toBeGreaterThan(0);
  },
  autograd: (v) => expect(v).toEqual([2, 4, 6]),
  nn: (v) => expect(v).toBeCloseTo(Math.LN2, 6),
  optim: (v) => expect(v.map((x: number) => Math.fround(x))).toEqual([Math.fround(0.95), Math.fround(2.1)]),
  data: (v) => expect(v).toEqual({ sizes: [4, 4, 2], total: 90 }),
  gpu: (v) => expect(v).toEqual([3, 5, 7]),
  train: (v) => expect(v).toBeCloseTo(2 / 3, 12),
  onnx: (v) => {
    expect(v.shape).toEqual([4, 2]);
    expect(v.maxDiff).toBeLessThan(1e-6);
  },
  xor: ({ losses, prediction }) => {
    expect(losses).toHaveLength(200);
    expect(losses.at(-1), `XOR loss, first ${losses[0]}`).toBeLessThan(losses[0] / 10);
    expect(prediction).toEqual([0, 1, 1, 0]);
  },
};

const missing = libs.filter((l) => !(l in entries));
if (missing.length > 0)
  throw new Error(`no browser entry for ${missing.map((l) => `${SCOPE}/${l}`).join(', ')}`);

let packed: Packed | undefined;
let project = '';
let browser: Browser | undefined;
/** Bytes of JavaScript each page downloaded, per entry and bundler, printed as a table at the end. */
const sizes: Record<string, Partial<Record<Bundler['name'], number>>> = {};

describeIfAvailable('chromium', 'consumer bundles in Chromium', () => {
  beforeAll(async () => {
    packed = packAll();
    project = consumer(packed, 'bundles', libs);
    for (const name of Object.keys(entries)) {
      const dir = join(project, name);
      mkdirSync(dir);
      cpSync(join(fixtures, 'report.mjs'), join(dir, 'report.mjs'));
      if (name === 'xor') writeFileSync(join(dir, 'main.mjs'), xorEntry());
      else cpSync(join(fixtures, `${name}.mjs`), join(dir, 'main.mjs'));
    }
    browser = await chromium.launch({ executablePath: chromiumPath()!, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    packed?.dispose();
    const names = bundlers.map((b) => b.name);
    const rows = Object.entries(sizes).map(
      ([entry, s]) =>
        `| ${entry} | ${names.map((n) => (s[n] ? `${(s[n] / 1024).toFixed(0)} KiB` : '-')).join(' | ')} |`,
    );
    console.log(`| entry | ${names.join(' | ')} |\n${rows.join('\n')}`);
  });

  for (const bundler of bundlers) {
    // One build of every entry per bundler, started by the first test of its row and awaited by all.
    let built: Promise<string> | undefined;
    const build = () => {
      const outDir = join(project, `dist-${bundler.name}`);
      built ??= bundler.bundle(project, Object.keys(entries), outDir).then(() => outDir);
      return built;
    };
    for (const [name, check] of Object.entries(entries)) {
      const label = name === 'xor' ? "the README's XOR program" : `${SCOPE}/${name} alone`;
      it(`${bundler.name}: ${label}`, async () => {
        const outDir = await build();
        const { value, bytes } = await withServer(outDir, (url) => runInPage(browser!, `${url}${name}/`));
        (sizes[name] ??= {})[bundler.name] = bytes;
        check(value);
      }, 300_000);
    }
  }
});
