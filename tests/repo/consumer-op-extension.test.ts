/**
 * The extension API from outside the workspace: the example package @tessera/example-softclip
 * (examples/op-extension), packed as it would be published, installed by npm with the packed core
 * packages, registers its op and runs it with autograd, double backward included, in a fresh
 * project. Needs `dist/` (`pnpm build`).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumer, manifestOf, type Packed, packAll, root, run } from './consumer-helpers.js';

const example = join(root, 'examples', 'op-extension');
let packed: Packed | undefined;
let dir = '';

beforeAll(() => {
  if (!existsSync(join(example, 'dist', 'index.js'))) {
    throw new Error('examples/op-extension/dist is missing: run `pnpm build` first');
  }
  packed = packAll();
  const pnpm = `pnpm@${manifestOf(root).packageManager.split('@')[1]}`;
  run('npx', ['-y', pnpm, 'pack', '--pack-destination', join(packed.work, 'tarballs')], example);
  const file = join(packed.work, 'tarballs', `tessera-example-softclip-${manifestOf(example).version}.tgz`);
  if (!existsSync(file)) throw new Error(`pnpm pack produced no ${file}`);
  packed.tarballs['example-softclip'] = file;
  dir = consumer(packed, 'op-extension', ['tensor', 'autograd', 'example-softclip']);
}, 180_000);

afterAll(() => packed?.dispose());

describe('an extension op installed from packed tarballs', () => {
  it('declares its peers as ranges, not workspace: protocols', () => {
    const m = manifestOf(join(dir, 'node_modules', '@tessera', 'example-softclip'));
    expect(m.peerDependencies['@tessera/tensor']).toMatch(/^>=0\.1\.0 <1$/);
    expect(JSON.stringify(m)).not.toContain('workspace:');
  });

  it('runs like a built-in: function and method, autograd, double backward, gradcheck', () => {
    const script = `import { autogradGrad, gradcheck, gradgradcheck } from '@tessera/autograd';
      import { softclip, SOFTCLIP } from '@tessera/example-softclip';
      import { getOpDecl, tensor } from '@tessera/tensor';
      const x = tensor([-3, 0, 0.5, 3], { dtype: 'float64', requiresGrad: true });
      const y = softclip(x);
      const [g] = autogradGrad(y.sum(), [x], null, { createGraph: true });
      const [gg] = autogradGrad(g.sum(), [x]);
      console.log(JSON.stringify({
        y: Array.from(y.dataSync()),
        method: Array.from(x.softclip(-2, 2).dataSync()),
        g: Array.from(g.dataSync()),
        gg: Array.from(gg.dataSync()),
        gradcheck: gradcheck((t) => softclip(t, -0.5, 1.5), [x]),
        gradgradcheck: gradgradcheck((t) => softclip(t, -0.5, 1.5), [x]),
        declared: getOpDecl('softclip') === SOFTCLIP,
      }));`;
    writeFileSync(join(dir, 'softclip.mjs'), script);
    const out = JSON.parse(run(process.execPath, ['softclip.mjs'], dir));
    const sp = (z: number) => Math.log(1 + Math.exp(z));
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const xs = [-3, 0, 0.5, 3];
    xs.forEach((v, i) => {
      expect(out.y[i]).toBeCloseTo(-1 + sp(v + 1) - sp(v - 1), 12);
      expect(out.method[i]).toBeCloseTo(-2 + sp(v + 2) - sp(v - 2), 12);
      expect(out.g[i]).toBeCloseTo(sig(v + 1) - sig(v - 1), 12);
      // d²/dx²: σ'(x + 1) - σ'(x - 1), σ' = σ(1 - σ).
      expect(out.gg[i]).toBeCloseTo(sig(v + 1) * (1 - sig(v + 1)) - sig(v - 1) * (1 - sig(v - 1)), 12);
    });
    expect(out).toMatchObject({ gradcheck: true, gradgradcheck: true, declared: true });
  });
});
