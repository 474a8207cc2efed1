import { DataLoader, TensorDataset } from '@tessera/data';
import { F, init, LeakyReLU, Linear, type Module, ReLU, Sequential, Sigmoid, Tanh } from '@tessera/nn';
import { Adam, type Optimizer, SGD } from '@tessera/optim';
import { Generator, manualSeed, type Tensor, tensor } from '@tessera/tensor';
import { makePoints } from '../playground/data.js';
import {
  BINS,
  GRAD_LOG_RANGE,
  type InsideActivation,
  type InsideConfig,
  type LayerStats,
  type StatsMessage,
  WIDTH,
} from './protocol.js';

/**
 * Range of the activation histograms: the output range of tanh and sigmoid; for the ReLU family,
 * from 0 to a round number above the largest activation of the first measurement (kept until the
 * network is rebuilt, so growth and shrinkage over time stay visible).
 */
export function activationRange(act: InsideActivation, largest: number): [number, number] {
  if (act === 'tanh') return [-1, 1];
  if (act === 'sigmoid') return [0, 1];
  const top = niceCeil(Math.max(largest, 1e-3));
  return act === 'leakyrelu' ? [-top / 10, top] : [0, top];
}

/** The smallest of 1, 2, 5 times a power of ten that is at least v. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function activation(name: InsideActivation): Module {
  switch (name) {
    case 'relu':
      return new ReLU();
    case 'leakyrelu':
      return new LeakyReLU(0.01);
    case 'tanh':
      return new Tanh();
    case 'sigmoid':
      return new Sigmoid();
  }
}

const GAIN_NAME: Record<InsideActivation, 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid'> = {
  relu: 'relu',
  leakyrelu: 'leaky_relu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
};

/** Counts values into BINS bins over [lo, hi]; values outside go to the first or last bin. */
export function histogram(
  values: ArrayLike<number>,
  lo: number,
  hi: number,
  map = (v: number) => v,
): Uint32Array {
  const out = new Uint32Array(BINS);
  const scale = BINS / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor((map(values[i]!) - lo) * scale);
    out[b < 0 || Number.isNaN(b) ? 0 : b >= BINS ? BINS - 1 : b]! += 1;
  }
  return out;
}

/**
 * A deep MLP (2 inputs, `depth` hidden layers of WIDTH units, 1 output) learning the spiral
 * dataset, with a probe that measures, on all points, each layer's activations and their
 * gradients, its dead or saturated units and the norm of its weight gradient.
 */
export class DeepMonitor {
  step = 0;
  private readonly model: Sequential;
  private readonly linears: Linear[] = [];
  private readonly acts: Module[] = [];
  private readonly optimizer: Optimizer;
  private readonly loader: DataLoader<Tensor[], Tensor[]>;
  private iter: AsyncIterator<Tensor[]> | null = null;
  private readonly x: Tensor;
  private readonly y: Tensor;
  /** Activation histogram range, fixed at the first measurement. */
  private actRange: [number, number] | null = null;

  private constructor(
    readonly config: InsideConfig,
    xy: Float32Array,
    labels: Float32Array,
  ) {
    const n = labels.length;
    const scaled = xy.map((v) => v / 6);
    this.x = tensor(scaled, { shape: [n, 2] });
    this.y = tensor(labels);
    manualSeed(3);
    const layers: Module[] = [];
    let width = 2;
    for (let i = 0; i < config.depth; i++) {
      const lin = new Linear(width, WIDTH);
      const act = activation(config.activation);
      this.linears.push(lin);
      this.acts.push(act);
      layers.push(lin, act);
      width = WIDTH;
    }
    const out = new Linear(width, 1);
    this.linears.push(out);
    layers.push(out);
    this.model = new Sequential(...layers);
    this.initialise();
    this.optimizer =
      config.optimizer === 'adam'
        ? new Adam(this.model.parameters(), { lr: config.lr })
        : new SGD(this.model.parameters(), { lr: config.lr });
    this.loader = new DataLoader(new TensorDataset(this.x, this.y), {
      batchSize: 32,
      shuffle: true,
      generator: new Generator(5),
    });
  }

  /** Builds the network and its data (the spiral, 500 points, scaled to [-1, 1]). */
  static async create(config: InsideConfig): Promise<DeepMonitor> {
    const p = await makePoints('spiral', 0, 11);
    return new DeepMonitor(config, p.x, p.y);
  }

  private initialise(): void {
    const { init: how, activation: act } = this.config;
    if (how === 'default') return;
    for (const lin of this.linears) {
      const w = lin.weight;
      if (how === 'kaiming')
        init.kaimingNormal_(w, { nonlinearity: GAIN_NAME[act], a: act === 'leakyrelu' ? 0.01 : 0 });
      else if (how === 'xavier') init.xavierNormal_(w, init.calculateGain(GAIN_NAME[act]));
      else init.normal_(w, 0, how === 'small' ? 0.01 : 1);
      init.zeros_(lin.bias!);
    }
  }

  /** One SGD/Adam step on a mini-batch. */
  async trainStep(): Promise<void> {
    let r: IteratorResult<Tensor[]>;
    for (;;) {
      this.iter ??= this.loader[Symbol.asyncIterator]();
      r = await this.iter.next();
      if (!r.done) break;
      this.iter = null;
    }
    const [xb, yb] = r.value;
    const loss = F.binaryCrossEntropyWithLogits((this.model.call(xb!) as Tensor).reshape([-1]), yb!);
    this.optimizer.zeroGrad();
    loss.backward();
    this.optimizer.step();
    this.step += 1;
  }

  /** Forward and backward on all points (no update), measuring every layer. */
  async probe(): Promise<StatsMessage> {
    const hidden: Tensor[] = [];
    let h = this.x;
    for (const m of this.model) {
      h = m.call(h) as Tensor;
      if (this.acts.includes(m)) {
        h.retainGrad();
        hidden.push(h);
      }
    }
    const logits = h.reshape([-1]);
    const loss = F.binaryCrossEntropyWithLogits(logits, this.y);
    this.model.zeroGrad();
    loss.backward();
    const [lossV, logitV, yV] = await Promise.all([loss.data(), logits.data(), this.y.data()]);
    let correct = 0;
    for (let i = 0; i < yV.length; i++) if (logitV[i]! > 0 === yV[i]! > 0.5) correct++;
    const norms = await Promise.all(
      this.linears.map(async (l) => {
        const g = (await l.weight.grad!.data()) as ArrayLike<number>;
        let s = 0;
        for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
        return Math.sqrt(s);
      }),
    );
    const acts = await Promise.all(hidden.map(async (t) => (await t.data()) as ArrayLike<number>));
    if (this.actRange === null) {
      let largest = 0;
      for (const a of acts) for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i]!));
      this.actRange = activationRange(this.config.activation, largest);
    }
    const [lo, hi] = this.actRange;
    const layers: LayerStats[] = [];
    for (let l = 0; l < hidden.length; l++) {
      const a = acts[l]!;
      const g = (await hidden[l]!.grad!.data()) as ArrayLike<number>;
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < a.length; i++) {
        sum += a[i]!;
        sq += a[i]! * a[i]!;
      }
      const mean = sum / a.length;
      layers.push({
        actHist: histogram(a, lo, hi),
        actRange: [lo, hi],
        gradHist: histogram(g, GRAD_LOG_RANGE[0], GRAD_LOG_RANGE[1], (v) => Math.log10(Math.abs(v))),
        dead: this.deadShare(a),
        gradNorm: norms[l]!,
        actMean: mean,
        actStd: Math.sqrt(Math.max(0, sq / a.length - mean * mean)),
      });
    }
    this.model.zeroGrad();
    return {
      type: 'stats',
      step: this.step,
      loss: lossV[0]!,
      accuracy: correct / yV.length,
      layers,
      outputGradNorm: norms[norms.length - 1]!,
    };
  }

  /**
   * Share of units that never respond on any point: a ReLU (or leaky ReLU) unit whose input is
   * negative everywhere (output ≤ 0), or a tanh/sigmoid unit saturated everywhere.
   */
  private deadShare(a: ArrayLike<number>): number {
    const units = WIDTH;
    const n = a.length / units;
    let dead = 0;
    for (let j = 0; j < units; j++) {
      let alive = false;
      for (let i = 0; i < n && !alive; i++) {
        const v = a[i * units + j]!;
        switch (this.config.activation) {
          case 'relu':
          case 'leakyrelu':
            alive = v > 0;
            break;
          case 'tanh':
            alive = Math.abs(v) < 0.99;
            break;
          case 'sigmoid':
            alive = v > 0.01 && v < 0.99;
            break;
        }
      }
      if (!alive) dead++;
    }
    return dead / units;
  }
}
