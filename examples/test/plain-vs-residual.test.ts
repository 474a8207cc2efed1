// Quick run of plain-vs-residual on a small MNIST subset, and the SVG chart helper.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rand, type Tensor } from '@tessera/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { itIfAvailable } from '../../tests/repo/requirements.js';
import { lineChart, runningMean, ticks } from '../src/lib/svg-chart.js';
import { deepCnn, main } from '../src/plain-vs-residual.js';

const tmp = mkdtempSync(join(tmpdir(), 'tessera-plain-res-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('plain-vs-residual', () => {
  it('the plain and residual networks have the same 20 weighted layers but for the skip projections', () => {
    const layers = (skip: boolean) =>
      Object.keys(deepCnn(skip).stateDict()).filter((k) => k.endsWith('weight') && !k.includes('shortcut'));
    const convsAndLinear = (skip: boolean) =>
      layers(skip).filter((k) => deepCnn(skip).stateDict()[k]!.shape.length !== 1);
    expect(convsAndLinear(false)).toHaveLength(20);
    expect(convsAndLinear(true)).toEqual(convsAndLinear(false));
    expect((deepCnn(true).call(rand([2, 1, 28, 28])) as Tensor).shape).toEqual([2, 10]);
  });

  it('ticks are round numbers covering the range; runningMean averages a trailing window', () => {
    expect(ticks(0, 2.3)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(ticks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(runningMean([1, 3, 5, 7], 2)).toEqual([1, 2, 4, 6]);
  });

  it('lineChart draws one polyline per series and refuses a chart with nothing to draw', () => {
    const svg = lineChart(
      [
        { name: 'a', values: [3, 2, 1], color: 'red' },
        { name: 'b<c', values: [2, Number.NaN, 0.5], color: 'blue' },
      ],
      { title: 't', xLabel: 'x', yLabel: 'y' },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('b&lt;c');
    expect(svg.match(/points="([^"]*)"/g)![1]!.split(' ')).toHaveLength(2); // the NaN is left out
    expect(() =>
      lineChart([{ name: 'n', values: [Number.NaN], color: 'red' }], {
        title: 'empty',
        xLabel: '',
        yLabel: '',
      }),
    ).toThrow("lineChart: 'empty' has no finite value to draw");
  });

  itIfAvailable('mnist', 'trains both networks on a subset and writes the chart', async () => {
    const m = await main({
      progress: false,
      log: () => {},
      epochs: 1,
      blocks: 1,
      trainSize: 256,
      batchSize: 32,
      outDir: tmp,
    });
    for (const k of ['plainFinalLoss', 'residualFinalLoss']) {
      expect(m[k]).toBeGreaterThan(0);
      expect(m[k]).toBeLessThan(3);
    }
    const svg = readFileSync(join(tmp, 'loss-curves.svg'), 'utf8');
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('plain (8 layers)');
    // One point per step: 256 images in batches of 32.
    expect(svg.match(/points="([^"]*)"/)![1]!.split(' ')).toHaveLength(8);
  });
});
