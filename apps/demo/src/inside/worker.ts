import '@tessera/autograd';
import { initBackend } from '../engine/backend.js';
import {
  betweenSteps,
  errorText,
  frameGate,
  onMessages,
  port,
  yieldToEvents,
} from '../engine/worker-port.js';
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
let playing = false;
let looping: Promise<void> | null = null;

function post(m: FromWorker): void {
  port.postMessage(m);
}

async function rebuild(): Promise<void> {
  await stop();
  monitor = await DeepMonitor.create(config!);
  post(await monitor.probe());
}

async function loop(): Promise<void> {
  let last = 0;
  frameGate.restart();
  while (playing && monitor) {
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

function setPlaying(p: boolean): void {
  playing = p;
  post({ type: 'playing', playing: p });
  if (p && looping === null) {
    looping = loop()
      .catch(fail)
      .finally(() => {
        looping = null;
      });
  }
}

async function stop(): Promise<void> {
  if (playing) setPlaying(false);
  await looping;
}

function fail(e: unknown): void {
  playing = false;
  post({ type: 'playing', playing: false });
  post({ type: 'error', message: errorText(e) });
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
      if (monitor) setPlaying(true);
      return;
    case 'pause':
      setPlaying(false);
      return;
    case 'reset':
      await rebuild();
      return;
    case 'backprop':
      post({ type: 'trace', trace: await traceBackprop(m.params) });
      return;
  }
}

let queue = Promise.resolve();
onMessages<ToWorker>((m) => {
  queue = queue.then(() => handle(m)).catch(fail);
});
