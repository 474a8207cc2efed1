// The Generate page in Debian's Chromium, on the CPU backend (GPU disabled) and on WebGPU
// (Chromium's SwiftShader adapter): the autoencoder trains (the loss falls), the reconstructions
// are drawn, and clicking or dragging on the latent map decodes other digits. Screenshots go to
// apps/demo/test-results/screenshots/.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { describeIfAvailable, itIfAvailable } from '../../../tests/repo/requirements.js';
import { type BrowserKind, screenshot, startFrames, stopFrames, waitForPage } from './harness.js';
import { browserSuite, expectFrames, PHONE, tabTo, unlabelledControls } from './suite.js';

/** Share of the reconstruction row's pixels that are neither white nor black (a digit has grey edges too). */
function inkedShare(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('.ae-strip')!;
    const { data } = c.getContext('2d')!.getImageData(0, c.height / 2 + 2, c.width, c.height / 2 - 2);
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 200) inked += 1;
    return inked / (data.length / 4);
  });
}

/** The decoded image of the latent map, as a data URL. */
function decodedImage(page: Page): Promise<string> {
  return page.evaluate(() => document.querySelector<HTMLCanvasElement>('.ae-decoded')!.toDataURL());
}

/** Clicks the latent map at fractions (u, v) of its size and waits for the decoded image. */
async function clickMap(page: Page, u: number, v: number): Promise<string> {
  const before = Number((await waitForPage(page, (d) => Number(d.decoded) >= 1)).decoded);
  await page.locator('.ae-map').scrollIntoViewIfNeeded();
  const box = (await page.locator('.ae-map').boundingBox())!;
  await page.mouse.click(box.x + box.width * u, box.y + box.height * v);
  await waitForPage(page, (d, n) => Number(d.decoded) > n && d.decodedId === d.decodeId, 60_000, before);
  return decodedImage(page);
}

/**
 * Trains for at least `minSteps` until the loss is below 80% of the first one reported (or up to
 * `maxSteps`), pauses, and checks the loss and the reconstructions.
 */
async function trainAndCheck(
  page: Page,
  kind: BrowserKind,
  minSteps: number,
  maxSteps: number,
): Promise<void> {
  await waitForPage(page, (d) => d.dataset === 'ready' && d.reconStep === '0', 120_000);
  await startFrames(page);
  await page.click('[data-action=train]');
  const trained = await waitForPage<[number, number]>(
    page,
    (d, [min, max]) =>
      (Number(d.loss) < Number(d.firstLoss) * 0.8 && Number(d.reconStep) >= min) || Number(d.step) >= max,
    240_000,
    [minSteps, maxSteps],
  );
  await page.click('[data-action=train]');
  const end = await waitForPage(page, (d) => d.playing === 'false');
  expectFrames(`generate on ${kind}`, await stopFrames(page));
  console.log(
    `generate on ${kind}: loss ${Number(trained.firstLoss).toFixed(4)} -> ${Number(trained.loss).toFixed(4)} by step ${trained.step}`,
  );
  expect(Number(trained.loss)).toBeLessThan(Number(trained.firstLoss) * 0.8);
  // The reconstructions of the paused model are drawn (the worker posts them when it pauses).
  await waitForPage(page, (d, s) => Number(d.reconStep) >= s, 60_000, Number(end.step));
  const inked = await inkedShare(page);
  expect(inked, 'share of inked pixels in the reconstruction row').toBeGreaterThan(0.03);
  expect(inked).toBeLessThan(0.9);
}

/** Clicking two places and dragging across the map change the decoded digit. */
async function checkMap(page: Page): Promise<void> {
  const a = await clickMap(page, 0.2, 0.2);
  const b = await clickMap(page, 0.8, 0.8);
  expect(b).not.toBe(a);
  expect(await page.textContent('[data-testid=ae-code]')).toMatch(/^Code \(/);
  const before = Number((await waitForPage(page, () => true)).decoded);
  const box = (await page.locator('.ae-map').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.7, { steps: 6 });
  await page.mouse.up();
  // The drag asked for several images; the page draws the answer to the last one (where it ended).
  await waitForPage(page, (d, n) => Number(d.decoded) > n && d.decodedId === d.decodeId, 60_000, before);
  expect(await decodedImage(page)).not.toBe(b);
}

describeIfAvailable('chromium', 'generate page in Chromium on the CPU backend', () => {
  const visit = browserSuite('cpu', 'generate');
  itIfAvailable(
    'mnist',
    'the autoencoder trains, draws reconstructions, and the latent map decodes where clicked',
    async () => {
      const { page, errors } = await visit('#/generate?decoder=convtranspose&lr=0.003&batch=64');
      await trainAndCheck(page, 'cpu', 300, 600);
      await checkMap(page);
      // The keyboard moves the pick too.
      const before = Number((await waitForPage(page, () => true)).decoded);
      await page.focus('.ae-map');
      await page.keyboard.press('ArrowLeft');
      await waitForPage(page, (d, n) => Number(d.decoded) > n, 60_000, before);
      expect(await unlabelledControls(page)).toEqual([]);
      expect(page.url()).toContain('#/generate?decoder=convtranspose&lr=0.003&batch=64');
      await screenshot(page, 'cpu-generate-desktop');
      expect(errors).toEqual([]);
    },
    300_000,
  );

  itIfAvailable(
    'mnist',
    'fits a phone-sized screen, and training starts and stops from the keyboard',
    async () => {
      const { page, errors } = await visit('#/generate', PHONE);
      await waitForPage(page, (d) => d.dataset === 'ready' && d.reconStep === '0', 60_000);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, 'generate is wider than the screen').toBeLessThanOrEqual(0);
      expect(await tabTo(page, '[data-action=train]'), 'Tab reaches the train button').toBe(true);
      await page.keyboard.press('Enter');
      await waitForPage(page, (d) => d.playing === 'true');
      await page.keyboard.press('Enter');
      await waitForPage(page, (d) => d.playing === 'false');
      await screenshot(page, 'cpu-generate-phone');
      expect(errors).toEqual([]);
    },
    90_000,
  );
});

describeIfAvailable('chromium', 'generate page in Chromium on WebGPU (SwiftShader)', () => {
  const visit = browserSuite('webgpu', 'generate', '?backend=webgpu');
  itIfAvailable(
    'mnist',
    'the autoencoder trains on WebGPU, and the latent map decodes where clicked',
    async () => {
      const { page, errors } = await visit('#/generate?decoder=upsample&lr=0.003&batch=32');
      await trainAndCheck(page, 'webgpu', 25, 300);
      await checkMap(page);
      await screenshot(page, 'webgpu-generate-desktop');
      expect(errors).toEqual([]);
    },
    420_000,
  );
});
