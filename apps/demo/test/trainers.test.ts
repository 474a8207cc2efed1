// The demo's training code without a browser: the same modules the workers run, in Node.
import { mnist } from '@tessera/data';
import { describe, expect, it } from 'vitest';
import { itIfAvailable, mnistDir } from '../../../tests/repo/requirements.js';
import { DigitsTrainer, splitDigits, trainerFromFile } from '../src/digits/trainer.js';
import { DEFAULT_STATE, decodeState, encodeState } from '../src/playground/state.js';
import { PlaygroundTrainer } from '../src/playground/trainer.js';

describe('playground trainer', () => {
  it('lowers the test loss on the circle dataset and changes the output map', async () => {
    const t = await PlaygroundTrainer.create({
      ...DEFAULT_STATE,
      dataset: 'circle',
      optimizer: 'adam',
      learningRate: 0.03,
    });
    const before = await t.snapshot();
    for (let i = 0; i < 20; i++) await t.trainEpoch();
    const after = await t.snapshot();
    expect(after.epoch).toBe(20);
    expect(after.testLoss).toBeLessThan(before.testLoss * 0.7);
    expect(after.neurons.map((n) => n.length)).toEqual([4 * 48 * 48, 2 * 48 * 48]);
    expect(after.weights.map((w) => w.length)).toEqual([2 * 4, 4 * 2, 2]);
    let changed = 0;
    for (let i = 0; i < after.output.length; i++)
      if (Math.abs(after.output[i]! - before.output[i]!) > 0.05) changed++;
    expect(changed).toBeGreaterThan(after.output.length / 10);
  });

  it('state survives a URL round trip', () => {
    const s = {
      ...DEFAULT_STATE,
      dataset: 'spiral' as const,
      features: ['x1', 'x2', 'sinx1'] as const,
      layers: [8, 8, 3],
      regularization: 'l2' as const,
      regRate: 0.003,
      seed: 12345,
    };
    const decoded = decodeState(
      new URLSearchParams(encodeState({ ...s, features: [...s.features] }).toString()),
    );
    expect(decoded).toEqual({ ...s, features: [...s.features] });
  });
});

describe('digits trainer', () => {
  itIfAvailable('mnist', 'trains an MLP on the shared MNIST split and saves/loads it', async () => {
    const root = mnistDir()!;
    const test = await mnist({ root, split: 'test' });
    const data = splitDigits({ test });
    expect(data.trainIndices.length).toBe(8000);
    expect(data.testIndices.length).toBe(2000);
    const t = new DigitsTrainer(data, { arch: 'mlp', optimizer: 'adam', lr: 0.001, batchSize: 64 });
    for (let i = 0; i < 150; i++) await t.trainStep();
    const e = await t.evaluate();
    expect(e.testAcc).toBeGreaterThan(0.85);
    expect(e.confusion.reduce((a, b) => a + b, 0)).toBe(2000);
    const bytes = new Uint8Array(await (await t.saveBlob()).arrayBuffer());
    const back = trainerFromFile(
      data,
      { arch: 'lenet5', optimizer: 'adam', lr: 0.001, batchSize: 64 },
      bytes,
    );
    expect(back.arch).toBe('mlp');
    expect(back.step).toBe(150);
    expect((await back.evaluate()).testAcc).toBeCloseTo(e.testAcc, 5);
  });
});
