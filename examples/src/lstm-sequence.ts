/**
 * A task that needs memory: read a sequence of random digits and, at its end, name the FIRST
 * digit. The answer is only visible at the first step, so the network must carry it through
 * every later step; a model that only sees the last step cannot beat chance (10%). An embedding,
 * a one-layer LSTM and a linear head on the last hidden state solve it.
 *
 *   npx tessera-train --example lstm-sequence
 */
import { DataLoader, TensorDataset } from '@tessera/data';
import { CrossEntropyLoss, Embedding, Linear, LSTM, Module } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { Generator, manualSeed, randint, type Tensor } from '@tessera/tensor';
import { Accuracy, evaluate } from '@tessera/train';
import { type ExampleOptions, type Metrics, positiveInt, positiveNumber } from './lib/options.js';
import { runIfMain } from './lib/run.js';
import { train } from './lib/training.js';

/** Options of the LSTM example. */
export interface LstmSequenceOptions extends ExampleOptions {
  /** Digits per sequence (default 12). */
  seqLen?: number;
  /** Training sequences (default 4,000; 1,000 more are held out). */
  trainSize?: number;
  /** LSTM hidden size (default 64). */
  hiddenSize?: number;
}

const VOCAB = 10;

/** Sequences of random digits [n, seqLen] (int32) and their first digits [n]. */
export function recallData(n: number, seqLen: number, generator: Generator): { x: Tensor; y: Tensor } {
  const x = randint(0, VOCAB, [n, seqLen], { generator, dtype: 'int32' });
  return { x, y: x.select(1, 0).contiguous() };
}

/** Embedding → LSTM → linear classifier of the last step's hidden state. */
export class RecallNet extends Module {
  embed: Embedding;
  lstm: LSTM;
  head: Linear;

  constructor(hiddenSize: number) {
    super();
    this.embed = new Embedding(VOCAB, 16);
    this.lstm = new LSTM(16, hiddenSize, { batchFirst: true });
    this.head = new Linear(hiddenSize, VOCAB);
  }

  /** x: [N, T] digits → [N, 10] logits. */
  forward(x: Tensor): Tensor {
    const [out] = this.lstm.call(this.embed.call(x)) as [Tensor, unknown]; // [N, T, H]
    return this.head.call(out.select(1, out.shape[1]! - 1));
  }
}

/** Trains the LSTM to recall the first digit; returns held-out accuracy. */
export async function main(options: LstmSequenceOptions = {}): Promise<Metrics> {
  const epochs = positiveInt('lstm-sequence', 'epochs', options.epochs, 15);
  const batchSize = positiveInt('lstm-sequence', 'batchSize', options.batchSize, 32);
  const lr = positiveNumber('lstm-sequence', 'lr', options.lr, 3e-3);
  const seqLen = positiveInt('lstm-sequence', 'seqLen', options.seqLen, 12);
  const trainSize = positiveInt('lstm-sequence', 'trainSize', options.trainSize, 4000);
  const hiddenSize = positiveInt('lstm-sequence', 'hiddenSize', options.hiddenSize, 64);
  const seed = options.seed ?? 0;
  const device = options.device ?? 'cpu';
  manualSeed(seed);

  const data = new Generator(seed + 1);
  const trainSet = recallData(trainSize, seqLen, data);
  const testSet = recallData(1000, seqLen, data);
  const loader = new DataLoader(new TensorDataset(trainSet.x, trainSet.y), { batchSize, shuffle: true });

  const model = new RecallNet(hiddenSize).to(device);
  const optimizer = new Adam(model.parameters(), { lr });
  const loss = new CrossEntropyLoss();
  const history = await train(
    model,
    // Clipping keeps the recurrent gradients in check while the LSTM learns to hold on to the digit.
    { train: loader, loss, optimizer, epochs, metrics: [new Accuracy()], gradClip: 1 },
    { options },
  );
  const test = await evaluate(model, [[testSet.x, testSet.y]], { loss, metrics: [new Accuracy()], device });
  return {
    testAccuracy: test.accuracy!,
    testLoss: test.loss!,
    trainAccuracy: history.epochs.at(-1)?.logs.accuracy ?? Number.NaN,
    epochs: history.epochs.length,
  };
}

await runIfMain(import.meta.url, 'lstm-sequence', main);
