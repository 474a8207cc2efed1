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

describe('transforms, samplers and synthetic data check their options', () => {
  it('rejects unknown names with a did-you-mean', async () => {
    const data = await import('@tessera/data');
    const bad = { bogus: 1 } as never;
    const cases: [string, () => unknown][] = [
      ['randomAffine', () => data.randomAffine(bad)],
      ['randomRotation', () => data.randomRotation(10, { degrees: 5 } as never)],
      ['colorJitter', () => data.colorJitter(bad)],
      ['randomErasing', () => data.randomErasing(bad)],
      ['gaussianNoise', () => data.gaussianNoise(bad)],
      ['randomHorizontalFlip', () => data.randomHorizontalFlip(bad)],
      ['randomVerticalFlip', () => data.randomVerticalFlip(bad)],
      ['randomCrop', () => data.randomCrop(4, bad)],
      ['randomResizedCrop', () => data.randomResizedCrop(4, bad)],
      ['resize', () => data.resize(4, bad)],
      ['oneHot', () => data.oneHot(3, bad)],
      ['standardize', () => data.standardize({ mean: 0, std: 1, bogus: 1 } as never)],
      ['minMaxScale', () => data.minMaxScale({ min: 0, max: 1, bogus: 1 } as never)],
      ['fitStandardize', () => data.fitStandardize(tensor([[1, 2]]).float(), bad)],
      ['fitMinMaxScale', () => data.fitMinMaxScale(tensor([[1, 2]]).float(), bad)],
      ['xor', () => data.xor(bad)],
      ['circle', () => data.circle(bad)],
      ['RandomSampler', () => new data.RandomSampler(4, bad)],
      ['SubsetRandomSampler', () => new data.SubsetRandomSampler([0, 1], bad)],
      ['WeightedRandomSampler', () => new data.WeightedRandomSampler([1, 1], 2, bad)],
    ];
    for (const [name, make] of cases) expect(make, name).toThrow(new RegExp(`^${name}: unknown option '`));
    expect(() => data.randomHorizontalFlip({ generater: null } as never)).toThrow(
      "did you mean 'generator'?",
    );
    expect(() => data.xor({ num_samples: 10 } as never)).toThrow("xor: unknown option 'num_samples'");
    expect(() => new data.RandomSampler(4, { num_samples: 2 } as never)).toThrow(
      "did you mean 'numSamples'?",
    );
  });
});
