// The Node-only parts of @tessera/train (file store, file loggers, terminal progress) load Node's
// built-ins and the optional cli-progress package only on first use, and say what to use instead
// when they run elsewhere. cli-progress is mocked as missing here, as in an install without it.
import { PassThrough } from 'node:stream';
import { DataLoader, TensorDataset } from '@tessera/data';
import { CrossEntropyLoss, Linear } from '@tessera/nn';
import { SGD } from '@tessera/optim';
import { Generator, manualSeed, randint, randn } from '@tessera/tensor';
import { CSVLogger, fileStore, fit, ProgressBar } from '@tessera/train';
import { describe, expect, it, vi } from 'vitest';
import { withoutNode } from '../../../tests/repo/without-node.js';

vi.mock('cli-progress', () => {
  throw new Error("Cannot find package 'cli-progress'");
});

describe('Node-only features', () => {
  it('ProgressBar prints plain epoch lines on a terminal when cli-progress is not installed', async () => {
    manualSeed(0);
    const model = new Linear(3, 2);
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c) => (printed += String(c)));
    const train = new DataLoader(
      new TensorDataset(
        randn([8, 3], { generator: new Generator(1) }),
        randint(0, 2, [8], { generator: new Generator(2) }),
      ),
      { batchSize: 4 },
    );
    await fit(model, {
      train,
      loss: new CrossEntropyLoss(),
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      epochs: 2,
      callbacks: [new ProgressBar({ stream: out, tty: true })],
    });
    expect(printed).toMatch(
      /^epoch 1\/2 · loss \d\.\d{4} · lr 0\.1000\nepoch 2\/2 · loss \d\.\d{4} · lr 0\.1000\n$/,
    );
  });

  it('outside Node: fileStore, file loggers and ProgressBar without a stream name the browser alternative', async () => {
    const store = fileStore('/nonexistent-tessera-dir');
    const write = withoutNode(() => store.write('a', new Uint8Array(1)));
    await expect(write).rejects.toThrow(
      "fileStore needs Node's file system; in the browser use memoryStore() or a CheckpointStore of your own",
    );
    const list = withoutNode(() => store.list());
    await expect(list).rejects.toThrow(/fileStore needs Node's file system/);
    const logger = new CSVLogger('/nonexistent-tessera-dir/log.csv');
    const logged = withoutNode(() => logger.onEpochEnd(0, { loss: 1 }));
    await expect(logged).rejects.toThrow(
      "CSVLogger/JSONLinesLogger with a file path needs Node's file system; in the browser pass a function that receives each line",
    );
    expect(() => withoutNode(() => new ProgressBar())).toThrow(
      /not Node .*in the browser use ProgressEvents/,
    );
    // A stream of any shape works anywhere (plain lines when it is not a terminal).
    const lines: string[] = [];
    const bar = withoutNode(() => new ProgressBar({ stream: { write: (s: string) => lines.push(s) } }));
    bar.onEpochEnd(0, { loss: 0.5 }, { epochs: 1 } as never);
    expect(lines).toEqual(['epoch 1/1 · loss 0.5000\n']);
  });
});
