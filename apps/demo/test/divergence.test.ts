// A diverging run (learning rate far too large, NaN loss) in Debian's Chromium: the page pauses
// itself and says to lower the learning rate, never shows "NaN", and Reset clears the notice.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { screenshot, waitForPage } from './harness.js';
import { browserSuite } from './suite.js';

/** Waits until the page reports a divergence and has paused; returns the notice's text. */
async function divergedAndPaused(page: Page): Promise<string> {
  await waitForPage(page, (d) => d.diverged !== undefined && d.playing === 'false', 90_000);
  const notice = page.locator('.diverged-box');
  expect(await notice.isVisible()).toBe(true);
  return (await notice.textContent()) ?? '';
}

/** Text shown on the page (not in its scripts or attributes). */
function visibleText(page: Page): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, without hidden elements
  return page.evaluate(() => document.querySelector<HTMLElement>('.page')!.innerText);
}

describeIfAvailable('chromium', 'a diverging run in Chromium (CPU backend)', () => {
  const visit = browserSuite('cpu', 'divergence');

  it('the playground pauses itself at a NaN loss and says to lower the learning rate', async () => {
    // Regression on the plane with learning rate 3: the loss overflows within a few epochs.
    const { page, errors } = await visit('#/playground?dataset=plane&activation=tanh&learningRate=3');
    await waitForPage(page, (d) => Number(d.snapshots) >= 1);
    await page.click('[data-action=play]');
    const text = await divergedAndPaused(page);
    expect(text).toMatch(/^Training diverged at epoch \d+/);
    expect(text).toContain('learning rate (3) is too large: lower it and press Reset');
    expect(await visibleText(page)).not.toMatch(/NaN|Infinity/);
    expect(await page.textContent('[data-testid=train-loss]')).toBe('–');
    await screenshot(page, 'cpu-playground-diverged');
    // Pressing Train again pauses again at once.
    await page.click('[data-action=play]');
    await waitForPage(page, (d) => d.playing === 'false' && d.diverged !== undefined);
    await page.selectOption('[data-control=learningRate]', '0.01');
    await page.click('[data-action=reset]');
    await waitForPage(page, (d) => d.diverged === undefined && d.epoch === '0');
    expect(await page.locator('.diverged-box').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);

  it('inside the network pauses itself at a NaN loss and keeps the last finite statistics', async () => {
    // Weights of standard deviation 1 in 8 ReLU layers with SGD at learning rate 1 overflow at once.
    const { page, errors } = await visit('#/inside?depth=8&activation=relu&init=large&optimizer=sgd&lr=1');
    await waitForPage(page, (d) => d.step === '0' && d.trace === 'ready');
    await page.click('[data-action=train]');
    const text = await divergedAndPaused(page);
    expect(text).toMatch(/^Training diverged at step \d+/);
    expect(text).toContain('learning rate (1) is too large: lower it and press Reset');
    const shown = await visibleText(page);
    expect(shown).not.toMatch(/NaN|Infinity/);
    // The dead-unit bars show the last finite statistics, not "100%" everywhere from NaN activations.
    const dead = (await page.evaluate(() => document.querySelector<HTMLElement>('.page')!.dataset.dead))!;
    expect(dead.split(',').length).toBe(8);
    expect(dead.split(',').every((v) => v === '1.000')).toBe(false);
    await screenshot(page, 'cpu-inside-diverged');
    await page.click('[data-action=reset]');
    await waitForPage(page, (d) => d.diverged === undefined && d.step === '0');
    expect(errors).toEqual([]);
  }, 120_000);
});
