import '@tessera/autograd';
import { initBackend } from '../engine/backend.js';
import { betweenSteps, frameGate, PlayLoop, port, yieldToEvents } from '../engine/worker-port.js';
import { traceBackprop } from './backprop.js';
import { DeepMonitor } from './monitor.js';
import type { FromWorker, InsideConfig, ToWorker } from './protocol.js';

// The Inside page's worker: trains the deep network in short slices (letting the page draw, see
// frameGate) and measures it (probe) a few times a second; also computes backpropagation traces
// of the tiny network.

const SLICE_MS = 30;
const PROBE_MS = 120;

let config: InsideConfig | null = null;
let monitor: DeepMonitor | null = null;
const player = new PlayLoop(loop);

function post(m: FromWorker): void {
  port.postMessage(m);
}

async function rebuild(): Promise<void> {
  await player.stop();
  monitor = await DeepMonitor.create(config!);
  post(await monitor.probe());
}

async function loop(): Promise<void> {
  let last = 0;
  frameGate.restart();
  while (player.playing && monitor) {
    const m = monitor;
    const end = performance.now() + SLICE_MS;
    do {
      await betweenSteps();
      await m.trainStep();
    } while (performance.now() < end);
    if (performance.now() - last >= PROBE_MS && m === monitor) {
      post(await m.probe());
      last = performance.now();
    }
    await yieldToEvents();
  }
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init':
      config = m.config;
      post({ type: 'ready', info: await initBackend(m.backend) });
      await rebuild();
      return;
    case 'config':
      config = m.config;
      await rebuild();
      return;
    case 'train':
      if (monitor) player.set(true);
      return;
    case 'pause':
      player.set(false);
      return;
    case 'reset':
      await rebuild();
      return;
    case 'backprop':
      post({ type: 'trace', trace: await traceBackprop(m.params) });
      return;
  }
}

player.serve<ToWorker>(handle);
