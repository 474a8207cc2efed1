// The Generate page's autoencoder without a browser: the same module its worker runs, in Node.
import { mnist } from '@tessera/data';
import { tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { itIfAvailable, mnistDir } from '../../../tests/repo/requirements.js';
import { splitDigits } from '../src/digits/trainer.js';
import { AutoencoderTrainer, buildDecoder, buildEncoder } from '../src/generate/autoencoder.js';
import { AE_DEFAULTS, decodeGenerate, MAP_POINTS, SHOWN_DIGITS } from '../src/generate/protocol.js';

describe('generate: autoencoder', () => {
  it('encodes [N, 1, 28, 28] to 2-D codes and decodes them back to [N, 1, 28, 28] with either decoder', () => {
    const x = tensor(new Float32Array(3 * 784).fill(0.5), { shape: [3, 1, 28, 28] });
    const z = buildEncoder().call(x);
    expect(z.shape).toEqual([3, 2]);
    expect(buildDecoder('convtranspose').call(z).shape).toEqual([3, 1, 28, 28]);
    expect(buildDecoder('upsample').call(z).shape).toEqual([3, 1, 28, 28]);
  });

  it('reads its settings from the URL, invalid ones taking defaults', () => {
    expect(decodeGenerate(new URLSearchParams('decoder=upsample&lr=0.001&batch=32'))).toEqual({
      decoder: 'upsample',
      lr: 0.001,
      batchSize: 32,
    });
    expect(decodeGenerate(new URLSearchParams('decoder=gan&lr=5&batch=7'))).toEqual(AE_DEFAULTS);
  });

  for (const decoder of ['convtranspose', 'upsample'] as const) {
    itIfAvailable(
      'mnist',
      `learns to reconstruct MNIST digits (${decoder} decoder)`,
      async () => {
        const test = await mnist({ root: mnistDir()!, split: 'test' });
        const data = splitDigits({ test });
        const t = new AutoencoderTrainer(data, { decoder, lr: 0.003, batchSize: 64 });
        const before = await t.reconstruct();
        await t.trainStep();
        const first = (await t.takeLoss())!;
        for (let i = 0; i < 120; i++) await t.trainStep();
        const last = (await t.takeLoss())!;
        expect(t.step).toBe(121);
        expect(last).toBeLessThan(first * 0.75);
        const after = await t.reconstruct();
        expect(after.originals).toEqual(before.originals);
        expect(after.recons.length).toBe(SHOWN_DIGITS * 784);
        // The shown digits are one of each class, and reconstructions got closer to them.
        expect(new Set(t.shown.map((i) => test.labels[i])).size).toBe(10);
        const err = (r: Float32Array) => r.reduce((s, v, i) => s + (v - after.originals[i]!) ** 2, 0);
        expect(err(after.recons)).toBeLessThan(err(before.recons) * 0.8);
        const { codes, labels } = await t.codes();
        expect(codes.length).toBe(2 * MAP_POINTS);
        expect(labels.length).toBe(MAP_POINTS);
        expect(codes.every(Number.isFinite)).toBe(true);
        // Two far-apart codes decode to different images in [0, 1].
        const a = await t.decode(codes[0]!, codes[1]!);
        const b = await t.decode(-codes[0]! * 3, -codes[1]! * 3);
        expect(a.length).toBe(784);
        expect(a.every((v) => v >= 0 && v <= 1)).toBe(true);
        expect(a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0)).toBeGreaterThan(5);
      },
      120_000,
    );
  }
});
