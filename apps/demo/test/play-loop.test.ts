// The workers' play/pause loop, with the worker's global scope stubbed in Node.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PlayLoop } from '../src/engine/worker-port.js';

const scope = globalThis as unknown as {
  postMessage?: (m: unknown) => void;
  onmessage?: ((e: { data: unknown }) => void) | null;
};

function capture(): unknown[] {
  const sent: unknown[] = [];
  scope.postMessage = (m) => sent.push(m);
  return sent;
}

afterEach(() => {
  delete scope.postMessage;
  delete scope.onmessage;
});

describe('PlayLoop', () => {
  it('runs one loop at a time, tells the page, and stop() waits for the loop to end', async () => {
    const sent = capture();
    let runs = 0;
    let ended = 0;
    const player: PlayLoop = new PlayLoop(
      async () => {
        runs++;
        while (player.playing) await new Promise((r) => setTimeout(r, 1));
      },
      () => ended++,
    );
    player.set(true);
    player.set(true);
    await player.stop();
    expect(runs).toBe(1);
    expect(ended).toBe(1);
    expect(sent).toEqual([
      { type: 'playing', playing: true },
      { type: 'playing', playing: true },
      { type: 'playing', playing: false },
    ]);
    await player.stop();
    expect(sent).toHaveLength(3);
  });

  it('a failing loop stops playing and posts the error', async () => {
    const sent = capture();
    const player = new PlayLoop(async () => {
      throw new Error('kernel missing');
    });
    player.set(true);
    await vi.waitFor(() => expect(sent).toHaveLength(3));
    expect(player.playing).toBe(false);
    expect(sent.slice(1)).toEqual([
      { type: 'playing', playing: false },
      { type: 'error', message: 'kernel missing' },
    ]);
  });

  it('serve() handles messages in order, one at a time, and reports a handler error', async () => {
    const sent = capture();
    const seen: string[] = [];
    const player = new PlayLoop(async () => {});
    player.serve<string>(async (m) => {
      if (m === 'bad') throw new Error(`cannot handle ${m}`);
      await new Promise((r) => setTimeout(r, m === 'a' ? 5 : 0));
      seen.push(m);
    });
    for (const m of ['a', 'bad', 'b']) scope.onmessage!({ data: m });
    await vi.waitFor(() => expect(seen).toEqual(['a', 'b']));
    expect(sent).toEqual([
      { type: 'playing', playing: false },
      { type: 'error', message: 'cannot handle bad' },
    ]);
  });
});
