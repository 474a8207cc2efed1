/** The parts of a dedicated worker's global scope the workers use (typed without the WebWorker lib). */
export interface WorkerPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

/** This worker's global scope. */
export const port = globalThis as unknown as WorkerPort;

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
