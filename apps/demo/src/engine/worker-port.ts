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

/**
 * A worker's play/pause state and its one training loop. `set(true)` starts `loop` unless it is
 * running; `loop` ends once it sees `playing` false. Each change is posted to the page as a
 * `playing` message; an error in the loop or in a message handler stops it and is posted as an
 * `error` message.
 */
export class PlayLoop {
  playing = false;
  private looping: Promise<void> | null = null;

  /** `onEnd` runs each time the loop has ended (paused, stopped or failed). */
  constructor(
    private readonly loop: () => Promise<void>,
    private readonly onEnd: () => void = () => {},
  ) {}

  /** Plays or pauses, and tells the page. */
  set(playing: boolean): void {
    this.playing = playing;
    port.postMessage({ type: 'playing', playing });
    if (playing && this.looping === null) {
      this.looping = this.loop()
        .catch((e) => this.fail(e))
        .finally(() => {
          this.looping = null;
          this.onEnd();
        });
    }
  }

  /** Pauses if playing, and waits for the loop to end. */
  async stop(): Promise<void> {
    if (this.playing) this.set(false);
    await this.looping;
  }

  /** Stops playing and shows `e` on the page. */
  fail(e: unknown): void {
    this.playing = false;
    port.postMessage({ type: 'playing', playing: false });
    port.postMessage({ type: 'error', message: errorText(e) });
  }

  /** Installs `handle` for the page's messages: one at a time, in order; errors go to `fail`. */
  serve<T>(handle: (message: T) => Promise<void>): void {
    let queue = Promise.resolve();
    onMessages<T>((m) => {
      queue = queue.then(() => handle(m)).catch((e) => this.fail(e));
    });
  }
}

/** Message text of anything thrown. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
