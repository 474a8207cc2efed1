import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { root } from './consumer-helpers.js';

// The built @tessera/tensor in Node: nothing loads the WebAssembly kernels' chunk at import time;
// the first op that wants them loads it synchronously (require(esm)), so a script that never
// yields runs its first big matmul on them, as before they were split off. Where Node has no
// require(esm) (before 20.19 and 22.12) the chunk loads asynchronously and that first matmul runs
// on the TypeScript kernels.

const dist = join(root, 'packages/tensor/dist/index.js');

/** Runs `body` as an ES module in a fresh Node process; returns its stdout lines. */
function script(body: string): string[] {
  if (!existsSync(dist)) throw new Error('packages/tensor/dist is missing: run `pnpm build` first');
  const src = `import * as t from ${JSON.stringify(pathToFileURL(dist).href)};\n${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n');
}

describe('the WebAssembly kernels of the built package in Node', () => {
  it('load on the first op that wants them, synchronously where Node has require(esm)', () => {
    const sync = (process.features as { require_module?: boolean }).require_module === true;
    const [before, small, big] = script(`
      const info = () => t.cpuKernelInfo().variant;
      console.log(String(t.cpuKernelStats().calls));
      t.matmul(t.randn([4, 2]), t.randn([2, 8]));
      console.log(String(t.cpuKernelStats().calls));
      const a = t.randn([64, 64]);
      t.matmul(a, a);
      console.log(t.cpuKernelStats().calls + ' ' + info());
    `);
    expect(before).toBe('0');
    expect(small).toBe('0');
    expect(big).toBe(sync ? '1 relaxed' : '0 null');
  });

  it('can be awaited with initCpuKernels() before the first op', () => {
    const [variant, calls] = script(`
      console.log((await t.initCpuKernels()).variant);
      const a = t.randn([64, 64]);
      t.matmul(a, a);
      console.log(String(t.cpuKernelStats().calls));
    `);
    expect(variant).toBe('relaxed');
    expect(calls).toBe('1');
  });
});
