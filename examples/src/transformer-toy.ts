/**
 * A tiny transformer that learns to sort: the input is a sequence of random digits, the target
 * the same digits in ascending order, one prediction per position. An encoder-only model
 * (embedding, sinusoidal positional encoding, a 2-layer TransformerEncoder, a linear head) sees
 * the whole sequence at every position through self-attention, which sorting needs. Reports
 * per-digit accuracy and the share of sequences sorted entirely right on held-out sequences.
 *
 *   npx tessera-train --example transformer-toy
 */
import { DataLoader, TensorDataset } from '@tessera/data';
import {
  CrossEntropyLoss,
  Embedding,
  Linear,
  Module,
  PositionalEncoding,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '@tessera/nn';
import { Adam, OneCycleLR } from '@tessera/optim';
import { Generator, manualSeed, randint, type Tensor } from '@tessera/tensor';
import { Accuracy, evaluate, predict } from '@tessera/train';
import { type ExampleOptions, logOf, type Metrics, positiveInt, positiveNumber } from './lib/options.js';
import { runIfMain } from './lib/run.js';
import { train } from './lib/training.js';

/** Options of the transformer example. */
export interface TransformerToyOptions extends ExampleOptions {
  /** Digits per sequence (default 6). */
  seqLen?: number;
  /** Training sequences (default 8,000; 1,000 more are held out). */
  trainSize?: number;
  /** Model width (default 64). */
  dModel?: number;
}

const VOCAB = 10;

/** Random digit sequences [n, seqLen] (int32) and the same sequences sorted. */
export function sortData(n: number, seqLen: number, generator: Generator): { x: Tensor; y: Tensor } {
  const x = randint(0, VOCAB, [n, seqLen], { generator, dtype: 'int32' });
  return { x, y: x.sort(1).values.contiguous() };
}

/** Embedding + positional encoding → TransformerEncoder → per-position digit logits. */
export class SortTransformer extends Module {
  embed: Embedding;
  pos: PositionalEncoding;
  encoder: TransformerEncoder;
  head: Linear;
  dModel: number;

  constructor(dModel: number, opts: { nhead?: number; numLayers?: number } = {}) {
    super();
    this.dModel = dModel;
    this.embed = new Embedding(VOCAB, dModel);
    this.pos = new PositionalEncoding(dModel, { dropout: 0, maxLen: 64, batchFirst: true });
    const layer = new TransformerEncoderLayer(dModel, opts.nhead ?? 4, {
      dimFeedforward: 2 * dModel,
      dropout: 0,
      batchFirst: true,
    });
    this.encoder = new TransformerEncoder(layer, opts.numLayers ?? 2);
    this.head = new Linear(dModel, VOCAB);
  }

  /** x: [N, S] digits → [N, S, 10] logits. */
  forward(x: Tensor): Tensor {
    const h = this.pos.call(this.embed.call(x).mul(Math.sqrt(this.dModel)));
    return this.head.call(this.encoder.call(h));
  }
}

/** Cross-entropy over every position: logits [N, S, C], targets [N, S]. */
export function sequenceLoss(): (logits: Tensor, target: Tensor) => Tensor {
  const ce = new CrossEntropyLoss();
  return (logits, target) => ce.call(logits.reshape(-1, VOCAB), target.reshape(-1));
}

/** Trains the transformer to sort digit sequences; returns held-out digit and sequence accuracy. */
export async function main(options: TransformerToyOptions = {}): Promise<Metrics> {
  const epochs = positiveInt('transformer-toy', 'epochs', options.epochs, 20);
  const batchSize = positiveInt('transformer-toy', 'batchSize', options.batchSize, 64);
  const lr = positiveNumber('transformer-toy', 'lr', options.lr, 2e-3);
  const seqLen = positiveInt('transformer-toy', 'seqLen', options.seqLen, 6);
  const trainSize = positiveInt('transformer-toy', 'trainSize', options.trainSize, 8000);
  const dModel = positiveInt('transformer-toy', 'dModel', options.dModel, 64);
  const seed = options.seed ?? 0;
  const device = options.device ?? 'cpu';
  const log = logOf(options);
  manualSeed(seed);

  const gen = new Generator(seed + 1);
  const trainSet = sortData(trainSize, seqLen, gen);
  const testSet = sortData(1000, seqLen, gen);
  const loader = new DataLoader(new TensorDataset(trainSet.x, trainSet.y), { batchSize, shuffle: true });

  const model = new SortTransformer(dModel).to(device);
  const optimizer = new Adam(model.parameters(), { lr });
  // Warm-up then annealing, stepped every batch: transformers train poorly at a high rate from the start.
  const scheduler = new OneCycleLR(optimizer, { maxLr: lr, epochs, stepsPerEpoch: loader.length });
  const loss = sequenceLoss();
  const history = await train(
    model,
    {
      train: loader,
      loss,
      optimizer,
      scheduler,
      schedulerStep: 'batch',
      epochs,
      metrics: [new Accuracy()],
      gradClip: 1,
    },
    { options },
  );

  const test = await evaluate(model, [[testSet.x, testSet.y]], { loss, metrics: [new Accuracy()], device });
  const guess = (await predict(model, testSet.x, { device })).argmax(-1);
  const wholeRight = await guess.eq(testSet.y.to(guess.device)).all(1).int().sum().data();
  const sequenceAccuracy = Number(wholeRight[0]) / testSet.x.shape[0]!;
  const show = async (t: Tensor) => Array.from(await t.data()).join(' ');
  for (let i = 0; i < 3; i++) {
    log(`${await show(testSet.x.select(0, i))}  ->  ${await show(guess.select(0, i))}`);
  }
  return {
    digitAccuracy: test.accuracy!,
    sequenceAccuracy,
    testLoss: test.loss!,
    epochs: history.epochs.length,
  };
}

await runIfMain(import.meta.url, 'transformer-toy', main);
