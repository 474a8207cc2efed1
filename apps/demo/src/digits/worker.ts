import '@tessera/autograd';
import { initBackend } from '../engine/backend.js';
import { betweenSteps, frameGate, PlayLoop, port, yieldToEvents } from '../engine/worker-port.js';
import { loadDigits } from './load-digits.js';
import type { DigitsConfig, FromWorker, MnistSource, ToWorker, WeightArray } from './protocol.js';
import { type DigitsData, DigitsTrainer, trainerFromFile } from './trainer.js';

// The Digits page's worker: loads MNIST, trains in slices of SLICE_MS (letting the page draw
// between steps, see frameGate), reports stats every
// STATS_MS and evaluates on the test images every EVAL_EVERY steps (and when paused).

const SLICE_MS = 40;
const STATS_MS = 250;
const EVAL_EVERY = 100;

let config: DigitsConfig | null = null;
let data: DigitsData | null = null;
let trainer: DigitsTrainer | null = null;
// After a pause, the page shows the evaluation and inspection of the model as it stopped.
const player = new PlayLoop(loop, () => {
  if (trainer && trainer.step > 0) void report(true).catch((e) => player.fail(e));
});
let lastInspect: { index: number | null; pixels: Float32Array | null } = { index: 0, pixels: null };

function post(m: FromWorker, transfer: Transferable[] = []): void {
  port.postMessage(m, transfer);
}

async function loadData(source: MnistSource): Promise<void> {
  data = await loadDigits(
    source,
    (m) => post(m),
    'Serve the four MNIST .gz files from a folder and open this page with ?mnist=<folder URL> (or build with VITE_MNIST_URL).',
  );
  trainer = new DigitsTrainer(data, config!);
  await report(true);
}

async function evaluate(t: DigitsTrainer): Promise<void> {
  const e = await t.evaluate(betweenSteps);
  post({ type: 'eval', ...e }, [e.confusion.buffer]);
}

async function inspect(t: DigitsTrainer): Promise<void> {
  const m = await t.inspect(lastInspect.index, lastInspect.pixels);
  post(m);
}

/** Posts stats (when there are new steps), and optionally an evaluation and the inspection view. */
async function report(full: boolean): Promise<void> {
  const t = trainer;
  if (!t) return;
  const s = await t.takeStats();
  if (s) {
    post({
      type: 'stats',
      step: t.step,
      epoch: t.epoch,
      trainLoss: s.loss,
      trainAcc: s.acc,
      imagesPerSec: s.imagesPerSec,
    });
  }
  if (full) {
    await evaluate(t);
    await inspect(t);
  }
}

async function loop(): Promise<void> {
  let lastStats = performance.now();
  frameGate.restart();
  while (player.playing && trainer) {
    const t = trainer;
    await t.trainFor(SLICE_MS, EVAL_EVERY, betweenSteps);
    if (t !== trainer) continue;
    const atEval = t.step % EVAL_EVERY === 0;
    if (atEval || performance.now() - lastStats >= STATS_MS) {
      lastStats = performance.now();
      await report(atEval);
    }
    await yieldToEvents();
  }
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      config = m.config;
      post({ type: 'ready', info: await initBackend(m.backend) });
      return;
    }
    case 'load':
      await loadData(m.source);
      return;
    case 'config': {
      const archChanged = m.config.arch !== config?.arch;
      config = m.config;
      if (!data) return;
      if (archChanged || !trainer) {
        await player.stop();
        trainer = new DigitsTrainer(data, config);
        await report(true);
      } else {
        trainer.configure(config);
      }
      return;
    }
    case 'train':
      if (trainer) player.set(true);
      return;
    case 'pause':
      player.set(false);
      return;
    case 'reset':
      await player.stop();
      if (data && config) {
        trainer = new DigitsTrainer(data, config);
        await report(true);
      }
      return;
    case 'predict':
      if (trainer) {
        const probs = await trainer.predict(m.pixels);
        post({ type: 'prediction', id: m.id, probs }, [probs.buffer]);
      }
      return;
    case 'inspect':
      lastInspect = { index: m.index, pixels: m.pixels };
      if (trainer) await inspect(trainer);
      return;
    case 'save': {
      const t = trainer;
      if (!t) return;
      // The weights are read one tensor at a time (asynchronously, for WebGPU): training pauses
      // meanwhile, so that the file holds one step's weights.
      const wasPlaying = player.playing;
      await player.stop();
      const name = `tessera-mnist-${t.arch}-step${t.step}.safetensors`;
      post({ type: 'saved', blob: await t.saveBlob(), name });
      if (wasPlaying && t === trainer) player.set(true);
      return;
    }
    case 'exportOnnx': {
      const t = trainer;
      if (!t) return;
      // As for Save: training pauses while the weights are read back (asynchronously on WebGPU).
      const wasPlaying = player.playing;
      await player.stop();
      // The page exports them: @tessera/onnx then loads only on the page, only when asked.
      const dict = await t.model.stateDictAsync();
      const tensors: WeightArray[] = [];
      for (const [name, w] of Object.entries(dict)) {
        tensors.push({ name, shape: [...w.shape], data: (await w.data()) as Float32Array | Int32Array });
      }
      post({ type: 'weights', arch: t.arch, tensors });
      if (wasPlaying && t === trainer) player.set(true);
      return;
    }
    case 'loadModel': {
      if (!data || !config) throw new Error('load MNIST before loading a model');
      await player.stop();
      trainer = trainerFromFile(data, config, m.bytes);
      config = { ...config, arch: trainer.arch };
      post({ type: 'modelLoaded', arch: trainer.arch, name: m.name });
      await report(true);
      return;
    }
  }
}

// Predictions and inspections are answered between training slices; other messages in order.
player.serve<ToWorker>(handle);
