import { noGrad } from '@tessera/autograd';
import { DataLoader, TensorDataset } from '@tessera/data';
import {
  Dropout,
  ELU,
  F,
  Identity,
  LeakyReLU,
  Linear,
  type Module,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
} from '@tessera/nn';
import { Adam, type Optimizer, RMSprop, SGD } from '@tessera/optim';
import { Generator, manualSeed, type Tensor, tensor } from '@tessera/tensor';
import { featurize, gridPoints, makePoints, type Points, splitPoints } from './data.js';
import { GRID, type SnapshotMessage } from './protocol.js';
import { type ActivationName, isRegression, type OptimizerName, type PlaygroundState } from './state.js';

/** A fresh activation module. */
export function activation(name: ActivationName): Module {
  switch (name) {
    case 'relu':
      return new ReLU();
    case 'tanh':
      return new Tanh();
    case 'sigmoid':
      return new Sigmoid();
    case 'linear':
      return new Identity();
    case 'elu':
      return new ELU();
    case 'leakyrelu':
      return new LeakyReLU(0.01);
  }
}

/** The optimizer for the network's parameters. */
export function makeOptimizer(name: OptimizerName, params: Tensor[], lr: number): Optimizer {
  switch (name) {
    case 'sgd':
      return new SGD(params, { lr });
    case 'momentum':
      return new SGD(params, { lr, momentum: 0.9 });
    case 'adam':
      return new Adam(params, { lr });
    case 'rmsprop':
      return new RMSprop(params, { lr });
  }
}

/**
 * The playground's network, data and training loop, independent of the page (it runs in the
 * worker, and in Node in the tests). One `trainEpoch` is one pass over the training points in
 * mini-batches, as in the TensorFlow Playground.
 */
export class PlaygroundTrainer {
  epoch = 0;
  readonly train: Points;
  readonly test: Points;
  private readonly model: Sequential;
  private readonly linears: Linear[];
  /** The activation module of each hidden layer. */
  private readonly activations: Module[] = [];
  private optimizer: Optimizer;
  private loader: DataLoader<Tensor[], Tensor[]>;
  private readonly trainX: Tensor;
  private readonly trainY: Tensor;
  private readonly testX: Tensor;
  private readonly testY: Tensor;
  private readonly gridX: Tensor;

  private constructor(
    private state: PlaygroundState,
    points: Points,
  ) {
    const { train, test } = splitPoints(points, state.trainRatio);
    this.train = train;
    this.test = test;
    const f = state.features.length;
    this.trainX = tensor(featurize(train.x, state.features), { shape: [train.y.length, f] });
    this.trainY = tensor(train.y);
    this.testX = tensor(featurize(test.x, state.features), { shape: [test.y.length, f] });
    this.testY = tensor(test.y);
    this.gridX = tensor(featurize(gridPoints(), state.features), { shape: [GRID * GRID, f] });

    manualSeed(state.seed);
    const layers: Module[] = [];
    this.linears = [];
    let width = f;
    for (const n of state.layers) {
      const lin = new Linear(width, n);
      this.linears.push(lin);
      const act = activation(state.activation);
      this.activations.push(act);
      layers.push(lin, act);
      if (state.regularization === 'dropout' && state.regRate > 0) layers.push(new Dropout(state.regRate));
      width = n;
    }
    const out = new Linear(width, 1);
    this.linears.push(out);
    layers.push(out);
    this.model = new Sequential(...layers);
    this.optimizer = makeOptimizer(state.optimizer, this.model.parameters(), state.learningRate);
    this.loader = this.makeLoader();
  }

  /** Generates the data for `state` and builds the network (weights seeded by `state.seed`). */
  static async create(state: PlaygroundState): Promise<PlaygroundTrainer> {
    const points = await makePoints(state.dataset, state.noise, state.seed);
    return new PlaygroundTrainer(state, points);
  }

  private makeLoader(): DataLoader<Tensor[], Tensor[]> {
    return new DataLoader(new TensorDataset(this.trainX, this.trainY), {
      batchSize: this.state.batchSize,
      shuffle: true,
      generator: new Generator(this.state.seed),
    });
  }

  /** Applies settings that do not need a rebuild: learning rate, batch size, penalty rate. */
  update(state: PlaygroundState): void {
    const batchChanged = state.batchSize !== this.state.batchSize;
    this.state = state;
    for (const g of this.optimizer.paramGroups) g.lr = state.learningRate;
    if (batchChanged) this.loader = this.makeLoader();
  }

  private loss(out: Tensor, y: Tensor): Tensor {
    const pred = out.reshape([-1]);
    return isRegression(this.state.dataset) ? F.mseLoss(pred, y) : F.binaryCrossEntropyWithLogits(pred, y);
  }

  /** L1 or L2 penalty on the weights (not the biases), times the rate; null when there is none. */
  private penalty(): Tensor | null {
    const { regularization: r, regRate: rate } = this.state;
    if ((r !== 'l1' && r !== 'l2') || rate === 0) return null;
    let total: Tensor | null = null;
    for (const lin of this.linears) {
      const w = lin.weight;
      const term = r === 'l1' ? w.abs().sum() : w.square().sum().mul(0.5);
      total = total === null ? term : total.add(term);
    }
    return total!.mul(rate);
  }

  /** One pass over the training points. */
  async trainEpoch(): Promise<void> {
    this.model.train();
    for await (const [x, y] of this.loader) {
      const data = this.loss(this.model.call(x!), y!);
      const pen = this.penalty();
      const loss = pen === null ? data : data.add(pen);
      this.optimizer.zeroGrad();
      loss.backward();
      this.optimizer.step();
    }
    this.epoch += 1;
  }

  /** Mean loss on the training and test points (dropout off; penalty not included). */
  async losses(): Promise<{ train: number; test: number }> {
    this.model.eval();
    const [tr, te] = noGrad(() => [
      this.loss(this.model.call(this.trainX), this.trainY),
      this.testY.shape[0]! > 0 ? this.loss(this.model.call(this.testX), this.testY) : null,
    ]);
    this.model.train();
    const train = (await tr!.data())[0]!;
    const test = te === null ? Number.NaN : (await te.data())[0]!;
    return { train, test };
  }

  /**
   * Everything the page draws: losses, the output and every hidden neuron on the grid, and the
   * weights. Runs the layers one by one to capture the hidden activations.
   */
  async snapshot(): Promise<Omit<SnapshotMessage, 'id'>> {
    const { train, test } = await this.losses();
    this.model.eval();
    const hidden: Tensor[] = [];
    const out = noGrad(() => {
      let h = this.gridX;
      for (const m of this.model) {
        h = m.call(h);
        if (this.activations.includes(m)) hidden.push(h);
      }
      const z = h.reshape([-1]);
      return isRegression(this.state.dataset) ? z : z.mul(0.5).tanh();
    });
    this.model.train();
    const neurons: Float32Array[] = [];
    for (const a of hidden) {
      const n = a.shape[1]!;
      const flat = (await a.data()) as Float32Array;
      const byNeuron = new Float32Array(flat.length);
      const cells = GRID * GRID;
      for (let c = 0; c < cells; c++) for (let j = 0; j < n; j++) byNeuron[j * cells + c] = flat[c * n + j]!;
      neurons.push(byNeuron);
    }
    const weights: Float32Array[] = [];
    const biases: Float32Array[] = [];
    for (const lin of this.linears) {
      weights.push(Float32Array.from((await lin.weight.data()) as ArrayLike<number>));
      biases.push(Float32Array.from((await lin.bias!.data()) as ArrayLike<number>));
    }
    return {
      type: 'snapshot',
      epoch: this.epoch,
      trainLoss: train,
      testLoss: test,
      output: Float32Array.from((await out.data()) as ArrayLike<number>),
      neurons,
      weights,
      biases,
    };
  }
}
