/**
 * XOR with the smallest network that can learn it: 2 inputs, 2 tanh hidden units, 1 output
 * (logit), trained with binary cross-entropy and Adam. Reaches 100% on the four points.
 *
 *   npx tessera-train --example xor
 */
import { DataLoader, TensorDataset } from '@tessera/data';
import { BCEWithLogitsLoss, Linear, Sequential, Tanh } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { manualSeed, tensor } from '@tessera/tensor';
import { Accuracy, evaluate, predict } from '@tessera/train';
import { type ExampleOptions, logOf, type Metrics, positiveInt, positiveNumber } from './lib/options.js';
import { runIfMain } from './lib/run.js';
import { train } from './lib/training.js';

/** Trains the 2-2-1 MLP on XOR; returns the accuracy and loss on the four points. */
export async function main(options: ExampleOptions = {}): Promise<Metrics> {
  const epochs = positiveInt('xor', 'epochs', options.epochs, 40);
  const batchSize = positiveInt('xor', 'batchSize', options.batchSize, 4);
  const lr = positiveNumber('xor', 'lr', options.lr, 0.05);
  const device = options.device ?? 'cpu';
  const log = logOf(options);
  manualSeed(options.seed ?? 0);

  const x = tensor(
    [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ],
    { dtype: 'float32' },
  );
  const y = tensor([[0], [1], [1], [0]], { dtype: 'float32' });
  // An epoch is 25 shuffled passes over the truth table, so the progress bar has something to show.
  const loader = new DataLoader(new TensorDataset(x.repeat(25, 1), y.repeat(25, 1)), {
    batchSize,
    shuffle: true,
  });

  const model = new Sequential(new Linear(2, 2), new Tanh(), new Linear(2, 1)).to(device);
  const optimizer = new Adam(model.parameters(), { lr });
  const loss = new BCEWithLogitsLoss();
  // The output is a logit: class 1 when it is above 0.
  const accuracy = () => new Accuracy({ threshold: 0 });
  const history = await train(
    model,
    { train: loader, loss, optimizer, epochs, metrics: [accuracy()] },
    { options },
  );

  const final = await evaluate(model, [[x, y]], { loss, metrics: [accuracy()], device });
  const p = await predict(model, x, { device }).then((t) => t.sigmoid().data());
  for (let i = 0; i < 4; i++) log(`${i >> 1} xor ${i & 1} -> ${p[i]!.toFixed(3)}`);
  return { accuracy: final.accuracy!, loss: final.loss!, epochs: history.epochs.length };
}

await runIfMain(import.meta.url, 'xor', main);
