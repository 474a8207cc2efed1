import { DataLoader, TensorDataset } from '@tessera/data';
import { tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

const ds = new TensorDataset(tensor([1, 2, 3, 4]));

describe('DataLoader options', () => {
  it('rejects PyTorch spellings and typos with a did-you-mean', () => {
    expect(() => new DataLoader(ds, { batch_size: 4 } as never)).toThrow(
      "DataLoader: unknown option 'batch_size', did you mean 'batchSize'?",
    );
    expect(() => new DataLoader(ds, { shufle: true } as never)).toThrow(
      "DataLoader: unknown option 'shufle', did you mean 'shuffle'?",
    );
    expect(() => new DataLoader(ds, { drop_last: true } as never)).toThrow("did you mean 'dropLast'?");
    expect(() => new DataLoader(ds, { num_workers: 2 } as never)).toThrow("did you mean 'numWorkers'?");
  });

  it('rejects wrongly typed values and non-object options', () => {
    expect(() => new DataLoader(ds, { shuffle: 'yes' } as never)).toThrow(
      `DataLoader: option 'shuffle' must be a boolean, got the string "yes"`,
    );
    expect(() => new DataLoader(ds, { collate: 1 } as never)).toThrow("option 'collate' must be a function");
    expect(() => new DataLoader(ds, 4 as never)).toThrow('DataLoader: options must be an object, got 4');
  });

  it('accepts every documented option', async () => {
    const dl = new DataLoader(ds, { batchSize: 2, shuffle: false, dropLast: true, sampler: [3, 2, 1, 0] });
    const batches: number[][] = [];
    for await (const [b] of dl as AsyncIterable<[{ tolist(): unknown }]>)
      batches.push(b.tolist() as number[]);
    expect(batches).toEqual([
      [4, 3],
      [2, 1],
    ]);
  });
});
