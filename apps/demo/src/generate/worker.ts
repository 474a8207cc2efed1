import '@tessera/autograd';
import { loadDigits } from '../digits/load-digits.js';
import type { MnistSource } from '../digits/protocol.js';
import type { DigitsData } from '../digits/trainer.js';
import { initBackend } from '../engine/backend.js';
import { betweenSteps, frameGate, PlayLoop, port, yieldToEvents } from '../engine/worker-port.js';
import { AutoencoderTrainer } from './autoencoder.js';
import type { AeConfig, FromWorker, ToWorker } from './protocol.js';

// The Generate page's worker: loads MNIST, trains the autoencoder in slices of SLICE_MS (letting
// the page draw between steps, see frameGate), posts the loss every STATS_MS and the
// reconstructions and latent codes every VIEW_EVERY steps (and when paused).

const SLICE_MS = 40;
const STATS_MS = 250;
const VIEW_EVERY = 25;

let config: AeConfig | null = null;
let data: DigitsData | null = null;
let trainer: AutoencoderTrainer | null = null;
const player = new PlayLoop(loop, () => {
  if (trainer) void views(trainer).catch((e) => player.fail(e));
});

function post(m: FromWorker, transfer: Transferable[] = []): void {
  port.postMessage(m, transfer);
}

async function loadData(source: MnistSource): Promise<void> {
  data = await loadDigits(
    source,
    (m) => post(m),
    'Serve the four MNIST .gz files from a folder and open this page with ?mnist=<folder URL>.',
  );
  await rebuild();
}

async function rebuild(): Promise<void> {
  await player.stop();
  if (!data || !config) return;
  trainer = new AutoencoderTrainer(data, config);
  await views(trainer);
}

/** Posts the reconstructions and the latent codes of the test digits. */
async function views(t: AutoencoderTrainer): Promise<void> {
  const r = await t.reconstruct();
  post({ type: 'recon', step: t.step, ...r }, [r.originals.buffer, r.recons.buffer]);
  const c = await t.codes();
  post({ type: 'codes', step: t.step, ...c }, [c.codes.buffer, c.labels.buffer]);
}

async function stats(t: AutoencoderTrainer): Promise<void> {
  const loss = await t.takeLoss();
  if (loss !== null) post({ type: 'stats', step: t.step, epoch: t.epoch, loss });
}

async function loop(): Promise<void> {
  let lastStats = performance.now();
  frameGate.restart();
  while (player.playing && trainer) {
    const t = trainer;
    const end = performance.now() + SLICE_MS;
    do {
      await betweenSteps();
      await t.trainStep();
    } while (performance.now() < end && t.step % VIEW_EVERY !== 0);
    if (t !== trainer) continue;
    const atView = t.step % VIEW_EVERY === 0;
    if (atView || performance.now() - lastStats >= STATS_MS) {
      lastStats = performance.now();
      await stats(t);
    }
    if (atView) await views(t);
    await yieldToEvents();
  }
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init':
      config = m.config;
      post({ type: 'ready', info: await initBackend(m.backend) });
      return;
    case 'load':
      await loadData(m.source);
      return;
    case 'config':
      config = m.config;
      await rebuild();
      return;
    case 'train':
      if (trainer) player.set(true);
      return;
    case 'pause':
      player.set(false);
      return;
    case 'reset':
      await rebuild();
      return;
    case 'decode':
      if (trainer) {
        const pixels = await trainer.decode(m.x, m.y);
        post({ type: 'decoded', id: m.id, x: m.x, y: m.y, pixels }, [pixels.buffer]);
      }
      return;
  }
}

player.serve<ToWorker>(handle);
