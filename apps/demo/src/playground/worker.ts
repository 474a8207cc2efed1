import '@tessera/autograd';
import { initBackend } from '../engine/backend.js';
import { betweenSteps, frameGate, PlayLoop, port, yieldToEvents } from '../engine/worker-port.js';
import { makePoints } from './data.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { DATASETS, type PlaygroundState } from './state.js';
import { PlaygroundTrainer } from './trainer.js';

// The playground's training loop, off the main thread. While playing it trains epoch after epoch
// and posts a snapshot at most every SNAPSHOT_MS, yielding between epochs so pause/step/config
// messages are handled promptly, and letting the page draw (frameGate) on a busy machine.

const SNAPSHOT_MS = 60;

let trainer: PlaygroundTrainer | null = null;
let state: PlaygroundState | null = null;
const player = new PlayLoop(loop);
let generation = 0;
/** Id of the settings the current trainer reflects. */
let settingsId = 0;

function post(m: FromWorker, transfer: Transferable[] = []): void {
  port.postMessage(m, transfer);
}

async function sendSnapshot(t: PlaygroundTrainer): Promise<void> {
  const s = { ...(await t.snapshot()), id: settingsId };
  if (t !== trainer) return;
  post(s, [s.output.buffer, ...s.neurons.map((a) => a.buffer), ...s.weights.map((a) => a.buffer)]);
}

/** Previews of every dataset (no noise, fixed seed). */
async function sendThumbs(): Promise<void> {
  const sets = await Promise.all(
    DATASETS.map(async (name) => {
      const p = await makePoints(name, 0, 7);
      return { name, x: p.x.slice(0, 400), y: p.y.slice(0, 200) };
    }),
  );
  post(
    { type: 'thumbs', sets },
    sets.flatMap((s) => [s.x.buffer, s.y.buffer]),
  );
}

/** Builds data and network for the current state and shows them. */
async function rebuild(): Promise<void> {
  const gen = ++generation;
  const t = await PlaygroundTrainer.create(state!);
  if (gen !== generation) return;
  trainer = t;
  post({
    type: 'points',
    trainX: t.train.x.slice(),
    trainY: t.train.y.slice(),
    testX: t.test.x.slice(),
    testY: t.test.y.slice(),
  });
  await sendSnapshot(t);
}

async function loop(): Promise<void> {
  let last = 0;
  frameGate.restart();
  while (player.playing && trainer) {
    const t = trainer;
    await betweenSteps();
    if (!player.playing || t !== trainer) continue;
    await t.trainEpoch();
    if (t !== trainer) continue;
    const now = performance.now();
    if (now - last >= SNAPSHOT_MS) {
      last = now;
      await sendSnapshot(t);
    }
    await yieldToEvents();
  }
  if (trainer) await sendSnapshot(trainer);
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      settingsId = m.id;
      const info = await initBackend(m.backend);
      post({ type: 'ready', info });
      await sendThumbs();
      state = m.state;
      await rebuild();
      return;
    }
    case 'config':
      settingsId = m.id;
      state = m.state;
      if (m.reset || !trainer) {
        await rebuild();
      } else {
        trainer.update(m.state);
      }
      return;
    case 'play':
      player.set(true);
      return;
    case 'pause':
      player.set(false);
      return;
    case 'step':
      await player.stop();
      if (trainer) {
        const t = trainer;
        await t.trainEpoch();
        if (t === trainer) await sendSnapshot(t);
      }
      return;
    case 'reset':
      settingsId = m.id;
      await rebuild();
      return;
  }
}

// Messages are handled one at a time, in order.
player.serve<ToWorker>(handle);
