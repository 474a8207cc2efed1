// The demo app in Debian's Chromium on WebGPU, on Chromium's SwiftShader adapter (chosen with
// ?backend=webgpu: a software adapter is never picked automatically). Screenshots go to
// apps/demo/test-results/screenshots/.
import { expect, it } from 'vitest';
import { describeIfAvailable, itIfAvailable } from '../../../tests/repo/requirements.js';
import { screenshot, startFrames, stopFrames, waitForPage } from './harness.js';
import { browserSuite, drawOne, expectFrames, heatmap, trainDigits } from './suite.js';

/**
 * The same pages on WebGPU. Chromium's SwiftShader adapter emulates the GPU on the CPU and
 * compiles every kernel on first use, so training is far slower than on a real GPU (or on the
 * CPU backend): Digits trains the MLP to the same 90% target (a convolution network needs minutes
 * per hundred steps there), and the CPU suite covers the phone layout.
 */
function webgpuSuite(): void {
  const kind = 'webgpu';
  const visit = browserSuite(kind, 'webgpu', '?backend=webgpu');

  it('the playground trains on WebGPU', async () => {
    const { page, errors } = await visit(
      '#/playground?dataset=circle&optimizer=adam&learningRate=0.03&batchSize=25',
    );
    const start = await waitForPage(page, (d) => d.epoch === '0' && Number(d.snapshots) >= 1, 90_000);
    const before = await heatmap(page);
    await startFrames(page);
    await page.click('[data-action=play]');
    await waitForPage(page, (d) => Number(d.epoch) >= 5, 120_000);
    await page.click('[data-action=play]');
    expectFrames('playground on webgpu', await stopFrames(page));
    const end = await waitForPage(page, (d) => d.playing === 'false');
    expect(Number(end.testLoss)).toBeLessThan(Number(start.testLoss));
    expect(await heatmap(page)).not.toBe(before);
    await screenshot(page, `${kind}-playground-desktop`);
    expect(errors).toEqual([]);
  }, 240_000);

  itIfAvailable(
    'mnist',
    'digits trains on WebGPU and predicts a drawing',
    async () => {
      const { page, errors } = await visit('#/digits?arch=mlp&optimizer=adam&lr=0.003&batch=64');
      await waitForPage(page, (d) => d.dataset === 'ready', 60_000);
      await startFrames(page);
      await page.click('[data-action=train]');
      await trainDigits(page, kind);
      // Includes the first steps, while SwiftShader compiles every kernel: the backend compiles
      // pipelines asynchronously, off the GPU process's main thread, so the page keeps drawing.
      expectFrames('digits on webgpu', await stopFrames(page));
      await drawOne(page);
      const drawn = await waitForPage(page, (d) => d.prediction !== undefined, 60_000);
      expect(Number(drawn.prediction)).toBeGreaterThanOrEqual(0);
      await screenshot(page, `${kind}-digits-desktop`);
      expect(errors).toEqual([]);
    },
    300_000,
  );

  it('inside the network runs on WebGPU', async () => {
    const { page, errors } = await visit(
      '#/inside?depth=4&activation=relu&init=kaiming&optimizer=adam&lr=0.01',
    );
    await waitForPage(page, (d) => d.step === '0' && d.trace === 'ready', 120_000);
    await startFrames(page);
    await page.click('[data-action=train]');
    await waitForPage(page, (d) => Number(d.step) >= 20, 120_000);
    await page.click('[data-action=train]');
    const data = await waitForPage(page, (d) => d.playing === 'false');
    expectFrames('inside on webgpu', await stopFrames(page));
    expect(data.gradNorms!.split(',').length).toBe(4);
    await page.click('text=Show all');
    expect(await page.textContent('[data-testid=bp-explain]')).toContain('loss after the step');
    await screenshot(page, `${kind}-inside-desktop`);
    expect(errors).toEqual([]);
  }, 240_000);
}

describeIfAvailable('chromium', 'demo in Chromium on WebGPU (SwiftShader)', webgpuSuite);
