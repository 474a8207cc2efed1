// The demo app in Debian's Chromium: every page loads without console errors, trains, and keeps
// its state in the URL; once on the CPU backend (GPU disabled) and once on WebGPU (Chromium's
// SwiftShader adapter). Screenshots go to apps/demo/test-results/screenshots/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { mnistDir } from '../mnist-plugin.js';
import {
  type BrowserKind,
  type FrameStats,
  launch,
  open,
  pageData,
  screenshot,
  startFrames,
  startPreview,
  stopFrames,
  waitForPage,
} from './harness.js';

const PHONE = { width: 390, height: 844 };
/** The Digits tests need the local MNIST folder (the tests never download). */
const MNIST = mnistDir(fileURLToPath(new URL('..', import.meta.url)));
const digitsIt = MNIST ? it : it.skip;
const noMnist = MNIST
  ? ''
  : ' [skipped: no MNIST folder; set TESSERA_MNIST_DIR or add ../shared/datasets/mnist]';

let server: PreviewServer | null = null;
let base = '';

/** The longest allowed gap between two animation frames while training (the bound). */
const MAX_FRAME_MS = 100;

/**
 * Training runs in a worker and the page draws at most once per animation frame, so no frame
 * while training comes later than MAX_FRAME_MS after the previous one.
 */
function expectSmoothFrames(name: string, f: FrameStats): void {
  const where =
    `longest ${f.max.toFixed(0)} ms, ending ${f.maxAt.toFixed(0)} ms after the start; ` +
    `main-thread long tasks: ${f.longTasks.join(', ') || 'none'}`;
  console.log(`${name}: ${f.count} frames while training, 95th percentile ${f.p95.toFixed(0)} ms, ${where}`);
  expect(f.count).toBeGreaterThan(10);
  expect(f.max, `${name}: longest frame while training (ms): ${where}`).toBeLessThan(MAX_FRAME_MS);
}

async function heatmap(page: Page): Promise<string> {
  return page.evaluate(() =>
    document.querySelector<HTMLCanvasElement>('.out-canvas-wrap canvas.heat')!.toDataURL(),
  );
}

/** Draws a vertical stroke (a "1") on the Digits canvas with the mouse. */
async function drawOne(page: Page): Promise<void> {
  const box = (await page.locator('.draw-canvas').boundingBox())!;
  const x = box.x + box.width * 0.5;
  await page.mouse.move(x, box.y + box.height * 0.18);
  await page.mouse.down();
  await page.mouse.move(x + box.width * 0.02, box.y + box.height * 0.82, { steps: 12 });
  await page.mouse.up();
}

/** What each page shows once its worker has answered (screenshots and checks wait for it). */
const SHOWN: Record<string, (d: DOMStringMap) => boolean> = {
  playground: (d) => Number(d.snapshots) >= 1,
  digits: (d) => Number(d.inspected) >= 1,
  inside: (d) => d.trace === 'ready',
};

/** Focusable controls of the page without an accessible name (label, aria-label or text). */
function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const nameOf = (el: HTMLElement): string => {
      const aria = el.getAttribute('aria-label')?.trim();
      if (aria) return aria;
      const by = el.getAttribute('aria-labelledby');
      if (by)
        return by
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' ')
          .trim();
      const labels = (el as HTMLInputElement).labels;
      if (labels && labels.length > 0)
        return [...labels]
          .map((l) => l.textContent ?? '')
          .join(' ')
          .trim();
      return (el.textContent ?? '').trim() || (el.getAttribute('title') ?? '');
    };
    const controls = document.querySelectorAll<HTMLElement>(
      'button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])',
    );
    return [...controls].filter((el) => nameOf(el) === '').map((el) => el.outerHTML.slice(0, 120));
  });
}

/** Presses Tab until the page's train/play button has the focus (at most `max` times). */
async function tabTo(page: Page, selector: string, max = 80): Promise<boolean> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return true;
  }
  return false;
}

/** Steps within which the Digits tests must pass 90% test accuracy ("a few hundred"). */
const DIGITS_MAX_STEPS = 300;

/**
 * Trains (the Train button was pressed) until an evaluation on the 2,000 test images passes 90%,
 * pauses, and checks that it took at most DIGITS_MAX_STEPS steps. Evaluations come every 100 steps.
 */
async function trainDigits(page: Page, kind: BrowserKind): Promise<DOMStringMap> {
  const t0 = Date.now();
  const trained = await waitForPage(
    page,
    (d, max) => Number(d.testAcc) > 0.9 || Number(d.evalStep) >= max,
    170_000,
    DIGITS_MAX_STEPS,
  );
  await page.click('[data-action=train]');
  await waitForPage(page, (d) => d.playing === 'false');
  console.log(
    `digits on ${kind}: test accuracy ${(Number(trained.testAcc) * 100).toFixed(1)}% at step ${trained.evalStep} (${((Date.now() - t0) / 1000).toFixed(0)} s, ${Number(trained.imagesPerSec).toFixed(0)} images/s)`,
  );
  expect(Number(trained.testAcc)).toBeGreaterThan(0.9);
  expect(Number(trained.evalStep)).toBeLessThanOrEqual(DIGITS_MAX_STEPS);
  return trained;
}

/** Shared set-up of a suite: one browser of the given kind, pages checked for the active backend. */
function browserSuite(kind: BrowserKind) {
  let browser: Browser;
  beforeAll(async () => {
    if (!server) {
      const s = await startPreview();
      server = s.server;
      base = s.url;
    }
    browser = await launch(kind);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });
  /** Opens a page, waits for its worker, and checks which backend it computes on. */
  return Object.assign(
    async function visit(hash: string, viewport?: { width: number; height: number }) {
      const w = await open(browser, `${base}${hash}`, viewport);
      const data = await waitForPage(w.page, (d) => d.ready === 'true', 60_000);
      const backend = await w.page.evaluate(() => document.documentElement.dataset.backend);
      expect(backend, 'active backend (data-backend on <html>)').toBe(kind);
      // The preview server's COOP/COEP headers make the page cross-origin isolated.
      expect(await w.page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
      return { ...w, data };
    },
    { browser: () => browser },
  );
}

/** The full checks, on the CPU backend. */
function cpuSuite(): void {
  const kind = 'cpu';
  const visit = browserSuite(kind);
  const browserOf = visit.browser;

  it('the playground trains: the test loss falls and the decision map changes', async () => {
    const { page, errors } = await visit(
      '#/playground?dataset=circle&activation=tanh&optimizer=sgd&learningRate=0.1',
    );
    const start = await waitForPage(page, (d) => d.epoch === '0' && Number(d.snapshots) >= 1);
    const before = await heatmap(page);
    await startFrames(page);
    await page.click('[data-action=play]');
    await waitForPage(page, (d) => Number(d.epoch) >= 40, 90_000);
    await page.click('[data-action=play]');
    expectSmoothFrames('playground', await stopFrames(page));
    const end = await waitForPage(page, (d) => d.playing === 'false');
    expect(Number(end.testLoss)).toBeLessThan(Number(start.testLoss) * 0.7);
    expect(await heatmap(page)).not.toBe(before);
    // One more epoch with the step button (after the last snapshot of the play loop has arrived).
    await page.waitForTimeout(300);
    const epoch = Number((await pageData(page)).epoch);
    await page.click('[data-action=step]');
    await waitForPage(page, (d, e) => Number(d.epoch) > e, 30_000, epoch);
    await screenshot(page, `${kind}-playground-desktop`);
    expect(errors).toEqual([]);
  }, 150_000);

  it('the playground keeps its whole state in the URL', async () => {
    const { page, errors } = await visit('#/playground');
    await page.click('[data-dataset=spiral]');
    await page.selectOption('[data-control=activation]', 'relu');
    await page.selectOption('[data-control=regularization]', 'l2');
    await page.selectOption('[data-control=regRate]', '0.003');
    await page.selectOption('[data-control=optimizer]', 'adam');
    await page.click('[data-feature=x1sq]');
    await page.click('button[aria-label="Add a hidden layer"]');
    await page.click('button[aria-label="Add a neuron to layer 1"]');
    await page.click('[data-action=regenerate]');
    // The snapshot of the final settings (not one of the intermediate ones).
    const first = await waitForPage(page, (d) => d.epoch === '0' && d.snapshotSettings === d.settings);
    const url = page.url();
    const params = new URLSearchParams(url.split('?')[1]);
    expect(params.get('dataset')).toBe('spiral');
    expect(params.get('layers')).toBe('5,2,2');
    expect(params.get('features')).toBe('x1,x2,x1sq');

    const again = await visit(url.slice(base.length));
    const second = await waitForPage(again.page, (d) => d.epoch === '0' && d.snapshotSettings === d.settings);
    expect(again.page.url()).toBe(url);
    for (const c of ['activation', 'regularization', 'regRate', 'optimizer', 'learningRate']) {
      expect(await again.page.inputValue(`[data-control=${c}]`)).toBe(
        await page.inputValue(`[data-control=${c}]`),
      );
    }
    expect(await again.page.getAttribute('[data-feature=x1sq]', 'aria-pressed')).toBe('true');
    // Same seed, same data and weights: the initial losses agree exactly.
    expect(second.testLoss).toBe(first.testLoss);
    expect(errors).toEqual([]);
    expect(again.errors).toEqual([]);
  }, 60_000);

  digitsIt(
    `digits: a CNN trains above 90% test accuracy, predicts a drawing, saves and loads${noMnist}`,
    async () => {
      const arch = 'lenet5';
      const { page, errors } = await visit(`#/digits?arch=${arch}&optimizer=adam&lr=0.001&batch=32`);
      await waitForPage(page, (d) => d.dataset === 'ready', 60_000);
      expect(await page.textContent('[data-testid=mnist-source]')).toContain('local folder');
      await startFrames(page);
      await page.click('[data-action=train]');
      await trainDigits(page, kind);
      expectSmoothFrames('digits', await stopFrames(page));
      expect(Number((await pageData(page)).imagesPerSec)).toBeGreaterThan(0);

      await drawOne(page);
      const drawn = await waitForPage(page, (d) => d.prediction !== undefined);
      expect(drawn.prediction).toBe('1');
      const probs = await page.locator('[data-testid=probs] .top').first().textContent();
      expect(probs).toBe('1');
      await screenshot(page, `${kind}-digits-desktop`);

      // The same stroke with the keyboard: the canvas is in the tab order, before Clear.
      await page.click('[data-action=clear]');
      expect((await pageData(page)).prediction).toBeUndefined();
      await page.keyboard.press('Shift+Tab');
      expect(await page.evaluate(() => document.activeElement?.className)).toBe('draw-canvas');
      for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowUp');
      await page.keyboard.press('Space');
      for (let i = 0; i < 16; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Space');
      const typed = await waitForPage(page, (d) => d.prediction !== undefined);
      expect(typed.prediction).toBe('1');
      await screenshot(page, `${kind}-digits-keyboard-drawing`);

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action=save]')]);
      const file = await download.path();
      const bytes = readFileSync(file!);
      expect(bytes.length).toBeGreaterThan(1000);
      const acc = (await pageData(page)).testAcc;
      await page.selectOption('[data-control=arch]', 'cnn');
      await waitForPage(page, (d) => d.evalStep === '0');
      await page.setInputFiles('[data-control=load-model]', {
        name: 'model.safetensors',
        mimeType: 'application/octet-stream',
        buffer: bytes,
      });
      const loaded = await waitForPage(
        page,
        (d, a) => d.modelLoaded === a.arch && d.testAcc === a.acc,
        60_000,
        {
          arch,
          acc,
        },
      );
      expect(loaded.testAcc).toBe(acc);
      expect(await page.inputValue('[data-control=arch]')).toBe(arch);
      await screenshot(page, `${kind}-digits-loaded-desktop`);
      expect(errors).toEqual([]);
    },
    300_000,
  );

  digitsIt(
    `digits downloads MNIST with progress once, then loads it from the browser cache${noMnist}`,
    async () => {
      const context = await browserOf().newContext();
      try {
        const first = await open(context, `${base}#/digits`);
        const fetched = await waitForPage(first.page, (d) => d.dataset === 'ready', 60_000);
        expect(fetched.download).toBe('network');
        expect(Number(fetched.downloadMax)).toBe(1);
        expect(await first.page.getAttribute('progress', 'aria-label')).toBe('MNIST download progress');
        await first.page.close();
        const again = await open(context, `${base}#/digits`);
        const cached = await waitForPage(again.page, (d) => d.dataset === 'ready', 60_000);
        expect(cached.download).toBe('cache');
        expect(await again.page.evaluate(() => document.querySelector('progress')!.value)).toBe(1);
        expect([...first.errors, ...again.errors]).toEqual([]);
      } finally {
        await context.close();
      }
    },
    120_000,
  );

  it('digits explains where MNIST could not be loaded from', async () => {
    const page = (await open(browserOf(), `${base}#/digits?mnist=/no-such-folder/`)).page;
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('.page')?.dataset.error !== undefined,
      undefined,
      {
        timeout: 30_000,
      },
    );
    const message = await page.textContent('.error-box');
    expect(message).toContain('Could not load MNIST from');
    expect(message).toContain('/no-such-folder/');
    expect(message).toContain('?mnist=');
    await page.close();
  }, 60_000);

  it('inside the network: live layer statistics and the backprop step-through', async () => {
    const { page, errors } = await visit('#/inside');
    await page.click('[data-preset=Healthy]');
    await waitForPage(page, (d) => d.step === '0');
    await startFrames(page);
    await page.click('[data-action=train]');
    await waitForPage(page, (d) => Number(d.step) >= 300, 90_000);
    await page.click('[data-action=train]');
    const data = await waitForPage(page, (d) => d.playing === 'false');
    expectSmoothFrames('inside', await stopFrames(page));
    expect(data.gradNorms!.split(',').length).toBe(6);
    expect(data.dead!.split(',').every((v) => Number(v) >= 0 && Number(v) <= 1)).toBe(true);
    await waitForPage(page, (d) => d.trace === 'ready');
    for (let i = 0; i < 16; i++) await page.click('[data-action=bp-next]');
    const text = await page.textContent('[data-testid=bp-explain]');
    expect(text).toContain('loss after the step');
    const [before, after] = [...text!.matchAll(/loss (?:before|after) the step:\s+(-?[\d.]+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(after).toBeLessThan(before!);
    await screenshot(page, `${kind}-inside-desktop`);
    expect(errors).toEqual([]);
  }, 120_000);

  it('navigating between pages while training leaves no errors behind', async () => {
    const { page, errors } = await visit('#/playground');
    await page.click('[data-action=play]');
    await waitForPage(page, (d) => Number(d.epoch) >= 2);
    await page.click('.tabs a[data-page=inside]');
    await waitForPage(page, (d) => d.ready === 'true' && d.step === '0');
    await page.click('[data-action=train]');
    await waitForPage(page, (d) => Number(d.step) > 0);
    await page.click('.tabs a[data-page=digits]');
    await waitForPage(page, (d) => d.ready === 'true');
    await page.click('.tabs a[data-page=playground]');
    await waitForPage(page, (d) => d.ready === 'true' && Number(d.snapshots) >= 1);
    expect(await page.getAttribute('.tabs a[data-page=playground]', 'aria-current')).toBe('page');
    expect(errors).toEqual([]);
  }, 60_000);

  it('every control has a label, and training starts and stops from the keyboard', async () => {
    for (const name of ['playground', 'digits', 'inside']) {
      const { page, errors } = await visit(`#/${name}`);
      await waitForPage(page, SHOWN[name]!, 60_000);
      expect(await unlabelledControls(page), `${name}: controls without a label`).toEqual([]);
      const train = name === 'playground' ? '[data-action=play]' : '[data-action=train]';
      expect(await tabTo(page, train), `${name}: Tab reaches the train button`).toBe(true);
      await page.keyboard.press('Enter');
      await waitForPage(page, (d) => d.playing === 'true');
      await page.keyboard.press('Enter');
      await waitForPage(page, (d) => d.playing === 'false');
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 120_000);

  it('every page fits a phone-sized screen without console errors', async () => {
    for (const name of ['playground', 'digits', 'inside']) {
      const { page, errors } = await visit(`#/${name}`, PHONE);
      await waitForPage(page, SHOWN[name]!, 60_000);
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} is wider than the screen`).toBeLessThanOrEqual(0);
      await screenshot(page, `${kind}-${name}-phone`);
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 120_000);
}

/**
 * The same pages on WebGPU. Chromium's SwiftShader adapter emulates the GPU on the CPU and
 * compiles every kernel on first use, so training is far slower than on a real GPU (or on the
 * CPU backend): Digits trains the MLP to the same 90% target (a convolution network needs minutes
 * per hundred steps there), and the CPU suite covers the phone layout.
 */
function webgpuSuite(): void {
  const kind = 'webgpu';
  const visit = browserSuite(kind);

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
    expectSmoothFrames('playground on webgpu', await stopFrames(page));
    const end = await waitForPage(page, (d) => d.playing === 'false');
    expect(Number(end.testLoss)).toBeLessThan(Number(start.testLoss));
    expect(await heatmap(page)).not.toBe(before);
    await screenshot(page, `${kind}-playground-desktop`);
    expect(errors).toEqual([]);
  }, 240_000);

  digitsIt(
    `digits trains on WebGPU and predicts a drawing${noMnist}`,
    async () => {
      const { page, errors } = await visit('#/digits?arch=mlp&optimizer=adam&lr=0.003&batch=64');
      await waitForPage(page, (d) => d.dataset === 'ready', 60_000);
      await startFrames(page);
      await page.click('[data-action=train]');
      await trainDigits(page, kind);
      // Includes the first steps, while SwiftShader compiles every kernel: the backend compiles
      // pipelines asynchronously, so Chromium does it off the GPU process's main thread (which also
      // composites the page); compiled synchronously, frames there took 300-900 ms.
      expectSmoothFrames('digits on webgpu', await stopFrames(page));
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
    expectSmoothFrames('inside on webgpu', await stopFrames(page));
    expect(data.gradNorms!.split(',').length).toBe(4);
    await page.click('text=Show all');
    expect(await page.textContent('[data-testid=bp-explain]')).toContain('loss after the step');
    await screenshot(page, `${kind}-inside-desktop`);
    expect(errors).toEqual([]);
  }, 240_000);
}

describeIfAvailable('chromium', 'demo in Chromium on the CPU backend', cpuSuite);
describeIfAvailable('chromium', 'demo in Chromium on WebGPU (SwiftShader)', webgpuSuite);

afterAll(async () => {
  await server?.close();
});
