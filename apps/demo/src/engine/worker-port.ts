import { settleDevice } from './backend.js';
import { FRAME_CLOCK_MESSAGE, FrameGate } from './frame-clock.js';

/** The parts of a dedicated worker's global scope the workers use (typed without the WebWorker lib). */
export interface WorkerPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

/** This worker's global scope. */
export const port = globalThis as unknown as WorkerPort;

/** Paces this worker's training to the page's frames (see frame-clock.ts). */
export const frameGate = new FrameGate();

/**
 * What a training loop awaits between two steps: the device has finished the last one
 * (`settleDevice`), and the page is not waiting for a frame (`frameGate`).
 */
export async function betweenSteps(): Promise<void> {
  await settleDevice();
  await frameGate.pass();
}

/**
 * Installs the worker's message handler. The page's frame-clock buffer (sent first by
 * `PageWorker`) is taken here and never reaches `handler`.
 */
export function onMessages<T>(handler: (message: T) => void): void {
  port.onmessage = (e: MessageEvent) => {
    const m = e.data as { type?: string; buffer?: SharedArrayBuffer | null };
    if (m?.type === FRAME_CLOCK_MESSAGE) frameGate.attach(m.buffer ?? null);
    else handler(e.data as T);
  };
}

/** Yields to the worker's event loop so queued messages (pause, predict, ...) are handled. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/** Message text of anything thrown. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
