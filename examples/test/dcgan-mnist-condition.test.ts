// The conditional dcgan-mnist: codes from k-means clusters or labels, codes drawn with the data's
// frequencies, and the code head learning the real images' codes.
import { MnistDataset } from '@tessera/data';
import { Generator, manualSeed, rand, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { main } from '../src/dcgan-mnist.js';
import { clusterPurity, conditionCodes, defaultClusters } from '../src/dcgan-mnist-condition.js';
import { DcganDiscriminator, DcganGenerator } from '../src/dcgan-mnist-models.js';
import { sampleInput, trainGanEpoch } from '../src/dcgan-mnist-train.js';
import { tinyGanSetup } from './gan-setup.js';

/** 30 images: 20 with the top half lit (label 3), 10 with the bottom half lit (label 7). */
function halves(): MnistDataset {
  const images = new Uint8Array(30 * 784);
  const labels = new Uint8Array(30);
  for (let i = 0; i < 30; i++) {
    const top = i % 3 !== 2;
    labels[i] = top ? 3 : 7;
    const from = i * 784 + (top ? 0 : 392);
    images.fill(200 + (i % 5), from, from + 392);
  }
  return new MnistDataset(images, labels, 28, 28);
}

describe('dcgan-mnist conditioning codes', () => {
  it("'clusters' groups the images by k-means without their labels, with each cluster's size", async () => {
    const ds = halves();
    const c = (await conditionCodes(ds, 'clusters', 2, 0))!;
    expect(c.codes).toBe(2);
    expect(c.prior.sort()).toEqual([10, 20]);
    expect(c.dataset.images).toBe(ds.images);
    // The two kinds of image are the two clusters.
    const top = new Set<number>();
    const bottom = new Set<number>();
    for (let i = 0; i < 30; i++) (ds.labels[i] === 3 ? top : bottom).add(c.dataset.labels[i]!);
    expect([top.size, bottom.size]).toEqual([1, 1]);
    expect([...top][0]).not.toBe([...bottom][0]);
    expect(c.description).toMatch(
      /^2 k-means clusters of the training pixels \(no labels; \d+ iterations; 100\.0% of the images/,
    );
  });

  it("'labels' keeps the digits as codes, 'none' has no codes, and the cluster count is checked", async () => {
    const ds = halves();
    const l = (await conditionCodes(ds, 'labels', undefined, 0))!;
    expect(l.codes).toBe(10);
    expect(l.prior[3]).toBe(20);
    expect(l.prior[7]).toBe(10);
    expect(l.dataset).toBe(ds);
    expect(await conditionCodes(ds, 'none', undefined, 0)).toBeUndefined();
    await expect(conditionCodes(ds, 'clusters', 31, 0)).rejects.toThrow(
      'dcgan-mnist: clusters must be an integer in [2, 30] (at most the 30 training images), got 31',
    );
    await expect(conditionCodes(ds, 'digits' as 'labels', 2, 0)).rejects.toThrow(
      "dcgan-mnist: condition must be 'clusters', 'labels' or 'none', got 'digits'",
    );
  });

  it('purity is the share of items labelled as their cluster mostly is', () => {
    expect(clusterPurity([0, 0, 0, 1, 1], [3, 3, 5, 7, 7], 2)).toBeCloseTo(0.8);
    expect(clusterPurity([0, 1], [4, 4], 2)).toBe(1);
    expect(() => clusterPurity([0], [1, 2], 1)).toThrow('clusterPurity: 1 clusters for 2 labels');
  });

  it('the default is 50 clusters, fewer (10 images each, at least 2) for small training sets', () => {
    expect(defaultClusters(8000)).toBe(50);
    expect(defaultClusters(64)).toBe(6);
    expect(defaultClusters(5)).toBe(2);
  });
});

describe('dcgan-mnist conditional generator and training', () => {
  it('draws codes with the weights of codePrior, and rejects bad weights', () => {
    const g = new DcganGenerator({ latent: 4, width: 2, codes: 3, codePrior: [0, 1, 3] });
    const { input, code } = sampleInput(g, 4000, new Generator(2), 'cpu');
    const counts = [0, 0, 0];
    for (const c of code!.dataSync()) counts[c]!++;
    expect(counts[0]).toBe(0);
    expect(counts[2]! / counts[1]!).toBeGreaterThan(2.6);
    expect(counts[2]! / counts[1]!).toBeLessThan(3.4);
    expect(input.narrow(1, 4, 3).argmax(1).eq(code!).all().item()).toBe(true);
    expect(() => new DcganGenerator({ codes: 2, codePrior: [1] })).toThrow(
      'DcganGenerator: codePrior must be 2 finite weights >= 0, not all 0, got [1]',
    );
    expect(() => new DcganGenerator({ codes: 2, codePrior: [0, 0] })).toThrow('not all 0');
  });

  it('a training epoch on coded batches teaches the code head the real codes', async () => {
    manualSeed(0);
    const generator = new DcganGenerator({ latent: 4, width: 2, codes: 2, codePrior: [1, 1] });
    const discriminator = new DcganDiscriminator({ width: 2, codes: 2 });
    const setup = tinyGanSetup(generator, discriminator, { lr: 1e-3, dLr: 1e-2 });
    // Code 0: dark images; code 1: bright ones. The head learns to tell them apart.
    const x = rand([8, 1, 28, 28])
      .mul(0.1)
      .add(tensor([0, 0.8, 0, 0.8, 0, 0.8, 0, 0.8]).reshape([8, 1, 1, 1]));
    const y = tensor([0, 1, 0, 1, 0, 1, 0, 1], { dtype: 'int32' });
    const head = () => discriminator.withCode(x.mul(2).sub(1)).code.argmax(1);
    for (let epoch = 0; epoch < 15; epoch++) await trainGanEpoch(setup, [[x, y] as const]);
    expect(head().eq(y).all().item()).toBe(true);
    // Codes need a code head.
    const plain = { ...setup, discriminator: new DcganDiscriminator({ width: 2 }) };
    await expect(trainGanEpoch(plain, [[x, y] as const])).rejects.toThrow(
      'dcgan-mnist: batches with codes need a discriminator with a code head (codes > 0)',
    );
  });

  it('checks condition and clusters before loading anything', async () => {
    await expect(main({ condition: 'digits' as 'labels' })).rejects.toThrow(
      "dcgan-mnist: condition must be 'clusters', 'labels' or 'none', got 'digits'",
    );
    await expect(main({ clusters: 1 })).rejects.toThrow(
      'dcgan-mnist: clusters must be an integer in [2, 255], got 1',
    );
    await expect(main({ condition: 'labels', codes: 10 })).rejects.toThrow(
      "dcgan-mnist: codes (InfoGAN's latent code) and condition 'labels' exclude each other (codes needs condition 'none')",
    );
  });
});
