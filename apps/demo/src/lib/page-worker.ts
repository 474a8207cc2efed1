import { FRAME_CLOCK_MESSAGE, FrameClock } from '../engine/frame-clock.js';
import { selectBackend } from './backend-switch.js';

/** A message with a `type` tag. */
export interface Tagged {
  type: string;
}

/**
 * The main-thread side of a page's training worker: typed `send`, a handler for its messages,
 * and worker failures (uncaught errors, unloadable script) turned into `onError` calls. While the
 * worker trains (its `{ type: 'playing', playing: true }` message) the page counts its frames for
 * the worker's `frameGate`, which lets the page draw on a busy machine.
 */
export class PageWorker<In extends Tagged, Out extends Tagged> {
  private readonly clock = new FrameClock();

  constructor(
    private readonly worker: Worker,
    onMessage: (m: Out) => void,
    onError: (message: string) => void,
  ) {
    worker.postMessage({ type: FRAME_CLOCK_MESSAGE, buffer: this.clock.buffer });
    worker.onmessage = (e: MessageEvent<Out>) => {
      const m = e.data as Out & { playing?: boolean };
      if (m.type === 'playing') this.clock.run(m.playing === true);
      onMessage(e.data);
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      onError(e.message || 'the worker failed to start');
    };
    worker.onmessageerror = () => onError('a message from the worker could not be read');
  }

  /** Posts a message (transferring the listed buffers). */
  send(message: In, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  /** Stops the worker. */
  terminate(): void {
    this.clock.dispose();
    this.worker.terminate();
  }
}

export { showBackend } from './backend-switch.js';

/**
 * Shows an error in a page's alert box; on WebGPU it offers to reload on the CPU backend, since a
 * kernel the GPU backend lacks is a common cause.
 */
export function reportError(box: HTMLElement, root: HTMLElement, message: string): void {
  box.hidden = false;
  box.replaceChildren(message);
  root.dataset.error = message;
  if (document.documentElement.dataset.backend === 'webgpu') {
    const url = new URL(location.href);
    url.searchParams.set('backend', 'cpu');
    const a = document.createElement('a');
    a.href = url.href;
    a.textContent = 'Run on the CPU backend instead';
    a.addEventListener('click', (e) => {
      e.preventDefault();
      selectBackend('cpu');
    });
    box.append(' ', a);
  }
}
