import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { root } from './consumer-helpers.js';

// Bundle-size budgets (issue #21), enforced by size-limit (.size-limit.json; `pnpm size` prints
// them): tests/repo/fixtures/size/bundle.mjs bundles each entry against the built packages with
// esbuild (browser, ESM, minified, code splitting) and size-limit gzips the entry with the chunks
// it imports statically. The WebAssembly kernels' chunk, fetched on first use, counts in no budget.
//
// Issue #21 asks for 30 kB (tensor + one op) and 50 kB (the README's XOR program). The limits in
// .size-limit.json are lower than what came before the kernels were split off (58.8 kB and 81.1 kB)
// but above those targets: the Tensor class's methods reach every op module (and the CPU backend
// every kernel), so `zeros` alone costs as much as `add`; reaching 30 kB needs ops that the Tensor
// class does not link statically.

interface Bundle {
  files: string[];
  minified: number;
  gzip: number;
  lazy: { file: string; minified: number; gzip: number }[];
}
interface Check {
  name: string;
  passed: boolean;
  size: number;
  sizeLimit: number;
}

const NEEDED = ['tensor', 'autograd', 'nn', 'optim'];
let bundles: Record<string, Bundle> = {};

/** Runs a Node script of the repository; returns stdout, throwing with its output on failure. */
function node(args: string[]): string {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`node ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  const unbuilt = NEEDED.filter((p) => !existsSync(join(root, 'packages', p, 'dist/index.js')));
  if (unbuilt.length > 0) {
    throw new Error(
      `dist/ is missing for ${unbuilt.map((p) => `@tessera/${p}`).join(', ')}: run \`pnpm build\` first ` +
        '(`npm test` builds before testing).',
    );
  }
  bundles = JSON.parse(node(['tests/repo/fixtures/size/bundle.mjs', '--json']));
});

describe('bundle-size budgets', () => {
  it('the WebAssembly kernels are a chunk of their own, fetched on first use, in no budget', () => {
    expect(Object.keys(bundles).sort()).toEqual(['add', 'xor', 'zeros']);
    // "\0asm\1\0\0\0", the start of every WebAssembly binary, in base64.
    const WASM = 'AGFzbQEAAAA';
    for (const [name, b] of Object.entries(bundles)) {
      expect(
        b.lazy.map((l) => l.file.replace(/-\w+\.js$/, '')),
        name,
      ).toEqual([`node_modules/.cache/size-bundles/${name}/kernels`]);
      expect(readFileSync(join(root, b.lazy[0]!.file), 'utf8'), `${name}: lazy chunk`).toContain(WASM);
      for (const f of b.files) expect(readFileSync(join(root, f), 'utf8'), f).not.toContain(WASM);
    }
  });

  it('every budget in .size-limit.json holds (size-limit)', () => {
    const bin = join(root, 'node_modules/size-limit/bin.js');
    const checks: Check[] = JSON.parse(node([bin, '--json']));
    expect(checks.length).toBe(3);
    for (const c of checks) {
      expect(c.size, `${c.name}: ${c.size} B gzip, limit ${c.sizeLimit} B`).toBeLessThanOrEqual(c.sizeLimit);
      expect(c.passed, c.name).toBe(true);
    }
    // size-limit measured what bundle.mjs counted: the entry with its static chunks.
    const sizes = (a: number[]) => a.sort((x, y) => x - y);
    expect(sizes(checks.map((c) => c.size))).toEqual(sizes(Object.values(bundles).map((b) => b.gzip)));
  });
});
