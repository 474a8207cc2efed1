import { it } from 'vitest';
import { DEFAULT_STATE } from '/work/main/apps/demo/src/playground/state.js';
import { PlaygroundTrainer } from '/work/main/apps/demo/src/playground/trainer.js';
it('bench', async () => {
  const t = await PlaygroundTrainer.create({ ...DEFAULT_STATE, optimizer: 'adam', learningRate: 0.03 });
  await t.trainEpoch();
  let t0 = performance.now();
  for (let i = 0; i < 10; i++) await t.trainEpoch();
  console.log('epoch ms', (performance.now() - t0) / 10);
  t0 = performance.now();
  for (let i = 0; i < 10; i++) await t.snapshot();
  console.log('snapshot ms', (performance.now() - t0) / 10);
  console.log(await t.losses());
});
