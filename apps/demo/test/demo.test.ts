// The demo app in Debian's Chromium on the CPU backend (GPU disabled): every page loads without
// console errors, trains, keeps its state in the URL, fits a phone and works from the keyboard.
// WebGPU: webgpu.test.ts. Screenshots go to apps/demo/test-results/screenshots/.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeIfAvailable, itIfAvailable } from '../../../tests/repo/requirements.js';
import { open, pageData, screenshot, startFrames, stopFrames, waitForPage } from './harness.js';
import {
  baseUrl,
  browserSuite,
  drawOne,
  expectFrames,
  heatmap,
  PHONE,
  SHOWN,
  tabTo,
  trainDigits,
  unlabelledControls,
} from './suite.js';

/** The full checks, on the CPU backend. */
function cpuSuite(): void {
  const kind = 'cpu';
  const visit = browserSuite(kind, 'demo');
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
    expectFrames('playground', await stopFrames(page));
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

    const again = await visit(url.slice(baseUrl().length));
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

  itIfAvailable(
    'mnist',
    'digits: a CNN trains above 90% test accuracy, predicts a drawing, saves and loads',
    async () => {
      const arch = 'lenet5';
      const { page, errors } = await visit(`#/digits?arch=${arch}&optimizer=adam&lr=0.001&batch=32`);
      await waitForPage(page, (d) => d.dataset === 'ready', 60_000);
      expect(await page.textContent('[data-testid=mnist-source]')).toContain('local folder');
      await startFrames(page);
      await page.click('[data-action=train]');
      await trainDigits(page, kind);
      expectFrames('digits', await stopFrames(page));
      // The speed is shown as a plain number ("31,400", never "3.14e+4").
      expect(await page.textContent('[data-testid=speed]')).toMatch(/^\d{1,3}(,\d{3})*(\.\d+)?$/);

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

  itIfAvailable(
    'mnist',
    'digits downloads MNIST with progress once, then loads it from the browser cache',
    async () => {
      const context = await browserOf().newContext();
      try {
        const first = await open(context, `${baseUrl()}#/digits`);
        const fetched = await waitForPage(first.page, (d) => d.dataset === 'ready', 60_000);
        expect(fetched.download).toBe('network');
        expect(Number(fetched.downloadMax)).toBe(1);
        expect(await first.page.getAttribute('progress', 'aria-label')).toBe('MNIST download progress');
        await first.page.close();
        const again = await open(context, `${baseUrl()}#/digits`);
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
    const page = (await open(browserOf(), `${baseUrl()}#/digits?mnist=/no-such-folder/`)).page;
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
    expectFrames('inside', await stopFrames(page));
    expect(data.gradNorms!.split(',').length).toBe(6);
    expect(data.dead!.split(',').every((v) => Number(v) >= 0 && Number(v) <= 1)).toBe(true);
    await waitForPage(page, (d) => d.trace === 'ready');
    for (let i = 0; i < 16; i++) await page.click('[data-action=bp-next]');
    // The step list follows: the last step is highlighted and scrolled into the list's view.
    const current = page.locator('.bp-steps li[aria-current=step]');
    expect(await current.count()).toBe(1);
    expect(await current.evaluate((li) => [...li.parentElement!.children].indexOf(li))).toBe(15);
    const [item, list] = [(await current.boundingBox())!, (await page.locator('.bp-steps').boundingBox())!];
    expect(item.y).toBeGreaterThanOrEqual(list.y - 1);
    expect(item.y + item.height).toBeLessThanOrEqual(list.y + list.height + 1);
    const text = await page.textContent('[data-testid=bp-explain]');
    expect(text).toContain('loss after the step');
    const [before, after] = [...text!.matchAll(/loss (?:before|after) the step:\s+(-?[\d.]+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(after).toBeLessThan(before!);
    await screenshot(page, `${kind}-inside-desktop`);
    expect(errors).toEqual([]);
  }, 120_000);

  // Visits Digits, which loads MNIST: only with the local folder (the tests never download).
  itIfAvailable(
    'mnist',
    'navigating between pages while training leaves no errors behind',
    async () => {
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
    },
    60_000,
  );

  for (const name of ['playground', 'digits', 'inside']) {
    // Digits loads MNIST: only with the local folder (the tests never download).
    const test = (title: string, fn: () => Promise<void>) =>
      name === 'digits' ? itIfAvailable('mnist', title, fn, 60_000) : it(title, fn, 60_000);

    test(`${name}: every control has a label, and training starts and stops from the keyboard`, async () => {
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
    });

    test(`${name} fits a phone-sized screen without console errors`, async () => {
      const { page, errors } = await visit(`#/${name}`, PHONE);
      await waitForPage(page, SHOWN[name]!, 60_000);
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} is wider than the screen`).toBeLessThanOrEqual(0);
      await screenshot(page, `${kind}-${name}-phone`);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
}

describeIfAvailable('chromium', 'demo in Chromium on the CPU backend', cpuSuite);
