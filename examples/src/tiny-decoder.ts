/**
 * A tiny decoder-only Transformer (GPT-style: self-attention with a causal mask, so each position
 * sees only the tokens before it) learns a synthetic language, balanced strings of two kinds of
 * brackets such as `([])[]`, generated in code. Then it writes new strings one token at a time,
 * each drawn (`multinomial`) from the softmax of its logits divided by a temperature, and the example measures
 * the share of sampled strings that are well formed (every bracket closed by its own kind, in
 * order), and how many of those never occurred in the training data.
 *
 *   npx tessera-train --example tiny-decoder
 */
import { noGrad } from '@tessera/autograd';
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
import { Generator, manualSeed, multinomial, type Tensor, tensor } from '@tessera/tensor';
import { evaluate } from '@tessera/train';
import { type ExampleOptions, logOf, type Metrics, positiveInt, positiveNumber } from './lib/options.js';
import { uniforms } from './lib/prng.js';
import { runIfMain } from './lib/run.js';
import { train } from './lib/training.js';

const NAME = 'tiny-decoder';
/** Token ids: padding, start, end, then the four brackets. */
export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
const BRACKETS = '()[]';
const VOCAB = 3 + BRACKETS.length;
/** Temperatures the samples are drawn at. */
export const TEMPERATURES = [0.5, 1, 1.5] as const;

/** Options of the tiny-decoder example. */
export interface TinyDecoderOptions extends ExampleOptions {
  /** Training strings (default 4000). */
  trainSize?: number;
  /** Most bracket pairs in a string (default 6: strings of 2 to 12 characters). */
  maxPairs?: number;
  /** Width of the model (default 64). */
  dModel?: number;
  /** Strings sampled per temperature (default 500). */
  samples?: number;
}

/** `count` random balanced bracket strings of 1 to `maxPairs` pairs. */
export function bracketStrings(count: number, maxPairs: number, seed: number): string[] {
  const u = uniforms(seed);
  return Array.from({ length: count }, () => {
    const pairs = 1 + Math.floor(u() * maxPairs);
    const stack: string[] = [];
    let opened = 0;
    let s = '';
    while (s.length < 2 * pairs) {
      const canOpen = opened < pairs;
      if (canOpen && (stack.length === 0 || u() < 0.5)) {
        const k = u() < 0.5 ? 0 : 2;
        s += BRACKETS[k];
        stack.push(BRACKETS[k + 1]!);
        opened++;
      } else s += stack.pop();
    }
    return s;
  });
}

/** Whether `s` is a non-empty string of brackets, each closed by its own kind in order. */
export function isBalanced(s: string): boolean {
  const stack: string[] = [];
  for (const c of s) {
    const k = BRACKETS.indexOf(c);
    if (k < 0) return false;
    if (k % 2 === 0) stack.push(BRACKETS[k + 1]!);
    else if (stack.pop() !== c) return false;
  }
  return s.length > 0 && stack.length === 0;
}

/** Token ids of BOS, the string, EOS, padded with PAD to `length`. */
export function encode(s: string, length: number): number[] {
  const ids = [BOS, ...Array.from(s, (c) => 3 + BRACKETS.indexOf(c)), EOS];
  if (ids.length > length)
    throw new RangeError(`${NAME}: '${s}' needs ${ids.length} tokens, more than ${length}`);
  return [...ids, ...Array(length - ids.length).fill(PAD)];
}

/** The string of token ids after BOS, up to EOS; null when there is no EOS. */
export function decode(ids: readonly number[]): string | null {
  let s = '';
  for (const id of ids) {
    if (id === EOS) return s;
    if (id < 3) return null;
    s += BRACKETS[id - 3];
  }
  return null;
}

/** Embedding and positions -> causal Transformer blocks -> next-token logits [N, S, VOCAB]. */
export class TinyDecoder extends Module {
  embed: Embedding;
  pos: PositionalEncoding;
  blocks: TransformerEncoder;
  head: Linear;
  dModel: number;

  constructor(dModel: number, opts: { nhead?: number; numLayers?: number; maxLen?: number } = {}) {
    super();
    this.dModel = dModel;
    this.embed = new Embedding(VOCAB, dModel);
    this.pos = new PositionalEncoding(dModel, { dropout: 0, maxLen: opts.maxLen ?? 64, batchFirst: true });
    const layer = new TransformerEncoderLayer(dModel, opts.nhead ?? 4, {
      dimFeedforward: 2 * dModel,
      dropout: 0,
      batchFirst: true,
    });
    this.blocks = new TransformerEncoder(layer, opts.numLayers ?? 2);
    this.head = new Linear(dModel, VOCAB);
  }

  /** x: [N, S] token ids -> [N, S, VOCAB] logits, position t seeing only tokens 0..t. */
  forward(x: Tensor): Tensor {
    const h = this.pos.call(this.embed.call(x).mul(Math.sqrt(this.dModel)));
    return this.head.call(this.blocks.call(h, { isCausal: true }));
  }
}

/**
 * The next-token distribution at `temperature`: softmax(logits / temperature). Below 1 it
 * sharpens the distribution toward the likeliest token, above 1 it flattens it.
 */
export function nextTokenProbs(logits: Tensor, temperature: number): Tensor {
  if (!(temperature > 0)) throw new RangeError(`${NAME}: temperature must be positive, got ${temperature}`);
  return logits.div(temperature).softmax(-1);
}

/** Samples `count` strings of at most `length - 1` tokens at `temperature`; returns them (null: no EOS). */
export async function sample(
  model: TinyDecoder,
  count: number,
  length: number,
  temperature: number,
  generator: Generator,
  device = 'cpu',
): Promise<(string | null)[]> {
  model.eval();
  const seqs: number[][] = Array.from({ length: count }, () => [BOS]);
  for (let t = 1; t < length; t++) {
    const x = tensor(seqs.flat(), { dtype: 'int32' }).reshape([count, t]).to(device);
    const probs = noGrad(() => nextTokenProbs(model.call(x).select(1, t - 1), temperature));
    const next = await multinomial(probs, 1, true, { generator }).data();
    for (let i = 0; i < count; i++) seqs[i]!.push(Number(next[i]));
  }
  return seqs.map((s) => decode(s.slice(1)));
}

/** Trains the decoder on bracket strings, samples; returns the share of valid samples per temperature. */
export async function main(options: TinyDecoderOptions = {}): Promise<Metrics> {
  const epochs = positiveInt(NAME, 'epochs', options.epochs, 10);
  const batchSize = positiveInt(NAME, 'batchSize', options.batchSize, 64);
  const lr = positiveNumber(NAME, 'lr', options.lr, 3e-3);
  const trainSize = positiveInt(NAME, 'trainSize', options.trainSize, 4000);
  const maxPairs = positiveInt(NAME, 'maxPairs', options.maxPairs, 6);
  const dModel = positiveInt(NAME, 'dModel', options.dModel, 64);
  const samples = positiveInt(NAME, 'samples', options.samples, 500);
  const seed = options.seed ?? 0;
  const device = options.device ?? 'cpu';
  const log = logOf(options);
  manualSeed(seed);

  const length = 2 * maxPairs + 2;
  const strings = bracketStrings(trainSize + 500, maxPairs, seed + 1);
  const toTensors = (ss: string[]) => {
    const ids = tensor(
      ss.flatMap((s) => encode(s, length)),
      { dtype: 'int32' },
    ).reshape([ss.length, length]);
    return [ids.narrow(1, 0, length - 1).contiguous(), ids.narrow(1, 1, length - 1).contiguous()] as const;
  };
  const [x, y] = toTensors(strings.slice(0, trainSize));
  const [testX, testY] = toTensors(strings.slice(trainSize));
  const loader = new DataLoader(new TensorDataset(x, y), {
    batchSize,
    shuffle: true,
    generator: new Generator(seed + 2),
  });

  const model = new TinyDecoder(dModel, { maxLen: length }).to(device);
  const optimizer = new Adam(model.parameters(), { lr });
  const scheduler = new OneCycleLR(optimizer, { maxLr: lr, epochs, stepsPerEpoch: loader.length });
  const ce = new CrossEntropyLoss({ ignoreIndex: PAD });
  const loss = (logits: Tensor, target: Tensor) => ce.call(logits.reshape([-1, VOCAB]), target.reshape([-1]));
  const history = await train(
    model,
    { train: loader, loss, optimizer, scheduler, schedulerStep: 'batch', epochs, gradClip: 1 },
    { options },
  );
  const test = await evaluate(model, [[testX, testY]], { loss, device });
  log(`${NAME}: held-out next-token cross-entropy ${test.loss!.toFixed(4)}`);

  const seen = new Set(strings.slice(0, trainSize));
  const metrics: Metrics = {
    testLoss: test.loss!,
    trainLoss: history.epochs.at(-1)?.logs.loss ?? Number.NaN,
  };
  const gen = new Generator(seed + 3);
  for (const temperature of TEMPERATURES) {
    const out = await sample(model, samples, length, temperature, gen, device);
    const valid = out.filter((s): s is string => s !== null && isBalanced(s));
    const novel = valid.filter((s) => !seen.has(s)).length;
    log(
      `${NAME}: temperature ${temperature}: ${valid.length} of ${samples} samples valid ` +
        `(${((100 * valid.length) / samples).toFixed(1)}%), ${novel} of them not in the training set; ` +
        `e.g. ${out
          .slice(0, 5)
          .map((s) => (s === null ? '<no end>' : `'${s}'`))
          .join(' ')}`,
    );
    metrics[`validShareT${temperature}`] = valid.length / samples;
  }
  return metrics;
}

await runIfMain(import.meta.url, NAME, main);
