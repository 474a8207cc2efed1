// Yielding to the event loop, so that prefetched batches are prepared while the consumer's own
// awaits (a training step, a GPU read) are pending rather than before it resumes.

type Task = () => void;

const immediate = (globalThis as { setImmediate?: (fn: Task) => unknown }).setImmediate;

let channel: MessageChannel | undefined;
const pending: Task[] = [];

function viaChannel(fn: Task): void {
  if (channel === undefined) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => pending.shift()?.();
  }
  pending.push(fn);
  channel.port2.postMessage(0);
}

/** Resolves on a later macrotask (setImmediate in Node, a MessageChannel message in browsers). */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => {
    if (immediate !== undefined) immediate(resolve);
    else if (typeof MessageChannel === 'function') viaChannel(resolve);
    else setTimeout(resolve, 0);
  });
}
