import '@tessera/autograd';
import {
  Conv2d,
  CrossEntropyLoss,
  Flatten,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
} from '@tessera/nn';
import { Adam, type Optimizer, SGD } from '@tessera/optim';
import { currentBackend, manualSeed, randn, setBackend, type Tensor, tensor } from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import type { WebGPUBackend } from '../src/index.js';
import { gpuBackend } from './helpers.js';

// Dispatches per step measured with fusion (steps 3 to 5): a change that loses some fails here.
const MLP_CEILING = 20;
const LENET_CEILING = 64;

// The models of the benchmark's step rows (bench/models.mjs, packages/gpu/bench/run.mjs).

/** LeNet-5 for 1x28x28 inputs (first convolution padded), 10 logits. */
function lenet5(): Module {
  return new Sequential(
    new Conv2d(1, 6, 5, { padding: 2 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(6, 16, 5),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(400, 120),
    new ReLU(),
    new Linear(120, 84),
    new ReLU(),
    new Linear(84, 10),
  );
}

/** The 784-512-512-10 MLP with ReLU between its layers. */
function mlp(): Module {
  return new Sequential(
    new Linear(784, 512),
    new ReLU(),
    new Linear(512, 512),
    new ReLU(),
    new Linear(512, 10),
  );
}

interface Setup {
  model: Module;
  opt: Optimizer;
  x: Tensor;
  y: Tensor;
}

function mlpSetup(): Setup {
  manualSeed(1);
  const model = mlp();
  const y = tensor(new Int32Array(128).map((_, i) => (i * 7) % 10));
  return { model, opt: new SGD(model.parameters(), { lr: 0.01 }), x: randn([128, 784]), y };
}

function lenetSetup(): Setup {
  manualSeed(2);
  const model = lenet5();
  const y = tensor(new Int32Array(64).map((_, i) => (i * 7) % 10));
  return { model, opt: new Adam(model.parameters(), { lr: 1e-3 }), x: randn([64, 1, 28, 28]), y };
}

/** Ops whose cost is more than O(elements): fusion must not compute them more often than eager. */
const EXPENSIVE = /\b(matmul|sum|mean|amax|amin|max|min|prod)\b/g;

/**
 * Dispatches of training steps 3 to 5 (after two warm-up steps), with fusion on or off, the
 * matmuls and reductions they compute (fused ones included), and the losses of all five steps.
 */
async function countSteps(
  b: WebGPUBackend,
  setup: () => Setup,
  fusion: boolean,
): Promise<{ counts: number[]; expensive: number[]; losses: number[] }> {
  const was = b.fuser.enabled;
  const device = currentBackend();
  b.fuser.enabled = fusion;
  setBackend('webgpu');
  try {
    const { model, opt, x, y } = setup();
    const lossFn = new CrossEntropyLoss();
    const rt = b.runtime;
    const losses: number[] = [];
    const counts: number[] = [];
    const expensive: number[] = [];
    const run = rt.run.bind(rt);
    for (let s = 0; s < 5; s++) {
      let count = 0;
      let heavy = 0;
      rt.run = (d) => {
        count++;
        heavy += d.op.match(EXPENSIVE)?.length ?? 0;
        run(d);
      };
      opt.zeroGrad();
      const loss = lossFn.call(model.call(x), y);
      loss.backward();
      opt.step();
      await rt.sync();
      rt.run = run;
      if (s >= 2) {
        counts.push(count);
        expensive.push(heavy);
      }
      losses.push((await loss.data())[0]!);
    }
    return { counts, expensive, losses };
  } finally {
    setBackend(device);
    b.fuser.enabled = was;
  }
}

describeIfAvailable('webgpu', 'elementwise fusion: dispatches per training step', () => {
  let b: WebGPUBackend;
  beforeAll(async () => {
    b = await gpuBackend();
  });

  // Before fusion (issue #22): 44 dispatches per MLP step, 159 per LeNet-5 step. The ceilings
  // are the counts measured with fusion, so that a change that loses some fails here.
  const check = async (setup: () => Setup, before: number, ceiling: number) => {
    const eager = await countSteps(b, setup, false);
    const fused = await countSteps(b, setup, true);
    for (const c of fused.counts) {
      expect(c).toBeLessThanOrEqual(Math.floor(before / 2));
      expect(c).toBeLessThanOrEqual(ceiling);
      // Unfused, some small fills go through buffer writes instead of dispatches, depending on
      // what the pool hands out; fusion still halves what is left.
      for (const e of eager.counts) expect(c).toBeLessThanOrEqual(Math.floor(e / 2));
    }
    // Each matmul and reduction is computed at most once, as eagerly (none recomputed by the
    // several fused kernels that read it).
    for (let s = 0; s < 3; s++) expect(fused.expensive[s]).toBeLessThanOrEqual(eager.expensive[s]!);
    for (let s = 0; s < 5; s++) expect(fused.losses[s]).toBeCloseTo(eager.losses[s]!, 5);
  };

  it('an MLP SGD step dispatches at most half as many kernels, with the same losses', async () => {
    await check(mlpSetup, 44, MLP_CEILING);
  });

  it('a LeNet-5 Adam step dispatches at most half as many kernels, with the same losses', async () => {
    await check(lenetSetup, 159, LENET_CEILING);
  });
});
