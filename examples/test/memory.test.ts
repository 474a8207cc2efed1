// The MNIST examples run thousands of steps: memory must stay bounded across them. Buffers of
// collected tensors are released by FinalizationRegistry callbacks, which only run between
// macrotasks, so `fit` must yield to the event loop even when the batches never do.
import { CrossEntropyLoss, Flatten, Linear, ReLU, Sequential } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { manualSeed, memory, randint, randn } from '@tessera/tensor';
import { fit } from '@tessera/train';
import { expect, it } from 'vitest';

it('fit keeps memory bounded over many steps when the batches are an array', async () => {
  manualSeed(0);
  const model = new Sequential(new Flatten(), new Linear(784, 512), new ReLU(), new Linear(512, 10));
  const x = randn([64, 784]);
  const y = randint(0, 10, [64], { dtype: 'int32' });
  // An array of batches: iterating it never leaves the microtask queue.
  const batches = Array.from({ length: 40 }, () => [x, y] as const);
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const before = memory().bytes.cpu ?? 0;
  // 120 steps; each step's gradients and optimizer temporaries are several MB (about 4 MB), so
  // without released buffers this would hold about 500 MB.
  await fit(model, { train: batches, loss: new CrossEntropyLoss(), optimizer, epochs: 3 });
  const held = (memory().bytes.cpu ?? 0) - before;
  expect(held).toBeLessThan(200 * 2 ** 20);
});
