// What the browser test files share: one preview server per file, a browser of one kind per
// suite, and helpers that drive the pages.
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, expect } from 'vitest';
import { type BrowserKind, launch, open, startPreview, waitForPage } from './harness.js';

export const PHONE = { width: 390, height: 844 };

let server: PreviewServer | null = null;
let base = '';

/** The preview server's URL (after the suite's beforeAll). */
export function baseUrl(): string {
  return base;
}

afterAll(async () => {
  await server?.close();
  server = null;
});

/** Frames the page must draw while a worker trains (it keeps drawing: training never blocks it). */
export const MIN_FRAMES = 10;

/** The page kept producing animation frames while it trained (frame times: bench/frames.mjs). */
export function expectFrames(name: string, frames: number): void {
  expect(frames, `${name}: animation frames drawn while training`).toBeGreaterThan(MIN_FRAMES);
}

/** The playground's output heatmap, as a data URL (to tell whether it changed). */
export async function heatmap(page: Page): Promise<string> {
  return page.evaluate(() =>
    document.querySelector<HTMLCanvasElement>('.out-canvas-wrap canvas.heat')!.toDataURL(),
  );
}

/** Draws a vertical stroke (a "1") on the Digits canvas with the mouse. */
export async function drawOne(page: Page): Promise<void> {
  // Mouse events go to viewport coordinates: the pad must be on screen, wherever the layout put it.
  await page.locator('.draw-canvas').scrollIntoViewIfNeeded();
  const box = (await page.locator('.draw-canvas').boundingBox())!;
  const x = box.x + box.width * 0.5;
  await page.mouse.move(x, box.y + box.height * 0.18);
  await page.mouse.down();
  await page.mouse.move(x + box.width * 0.02, box.y + box.height * 0.82, { steps: 12 });
  await page.mouse.up();
}

/** What each page shows once its worker has answered (screenshots and checks wait for it). */
export const SHOWN: Record<string, (d: DOMStringMap) => boolean> = {
  playground: (d) => Number(d.snapshots) >= 1,
  digits: (d) => Number(d.inspected) >= 1,
  inside: (d) => d.trace === 'ready',
};

/** Focusable controls of the page without an accessible name (label, aria-label or text). */
export function unlabelledControls(page: Page): Promise<string[]> {
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
export async function tabTo(page: Page, selector: string, max = 80): Promise<boolean> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return true;
  }
  return false;
}

/** Steps within which the Digits tests must pass 90% test accuracy ("a few hundred"). */
export const DIGITS_MAX_STEPS = 300;

/**
 * Trains (the Train button was pressed) until an evaluation on the 2,000 test images passes 90%,
 * pauses, and checks that it took at most DIGITS_MAX_STEPS steps. Evaluations come every 100 steps.
 */
export async function trainDigits(page: Page, kind: BrowserKind): Promise<DOMStringMap> {
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

/**
 * Shared set-up of a suite: one browser of the given kind (and the preview server of the test
 * file, built into test-results/dist-<file>), pages checked for the active backend. `backendParam`
 * (such as `?backend=webgpu`) goes before each page's hash.
 */
export function browserSuite(kind: BrowserKind, file: string, backendParam = '') {
  let browser: Browser;
  beforeAll(async () => {
    if (!server) {
      const s = await startPreview(file);
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
      const w = await open(browser, `${base}${backendParam}${hash}`, viewport);
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
