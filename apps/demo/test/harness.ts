// Helpers for the browser tests: build and serve the app with Vite's preview server on a free
// port, drive Debian's Chromium with playwright-core, and collect console errors.
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { chromiumPath } from '../../../tests/repo/requirements.js';

export const appDir = fileURLToPath(new URL('..', import.meta.url));
export const resultsDir = fileURLToPath(new URL('../test-results/', import.meta.url));
const outDir = `${resultsDir}dist`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Builds the app (into test-results/dist) and serves it with `vite preview`; returns its URL. */
export async function startPreview(): Promise<{ url: string; server: PreviewServer }> {
  const configFile = `${appDir}vite.config.ts`;
  rmSync(`${resultsDir}screenshots`, { recursive: true, force: true });
  await build({ configFile, root: appDir, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const port = await freePort();
  const server = await preview({
    configFile,
    root: appDir,
    logLevel: 'error',
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  });
  return { url: `http://127.0.0.1:${port}/`, server };
}

/** Which backend the browser is set up for: no GPU at all, or Chromium's software WebGPU adapter. */
export type BrowserKind = 'cpu' | 'webgpu';

/** Launches Chromium headless: with the GPU disabled, or with WebGPU on its SwiftShader adapter. */
export function launch(kind: BrowserKind): Promise<Browser> {
  const args = [
    '--no-sandbox',
    '--headless=new',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ];
  if (kind === 'cpu') args.push('--disable-gpu');
  else
    args.push(
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-angle=swiftshader',
      '--use-webgpu-adapter=swiftshader',
    );
  return chromium.launch({ executablePath: chromiumPath()!, args });
}

/** A page with its console errors and uncaught exceptions collected. */
export interface WatchedPage {
  page: Page;
  errors: string[];
}

/**
 * Opens `url` in a new page of the given size, collecting errors: in a fresh context of `browser`,
 * or in `context` (which keeps its storage, such as the Cache API, between pages).
 */
export async function open(
  target: Browser | BrowserContext,
  url: string,
  viewport = { width: 1280, height: 900 },
): Promise<WatchedPage> {
  let page: Page;
  if ('newContext' in target) {
    page = await target.newPage({ viewport, acceptDownloads: true });
  } else {
    page = await target.newPage();
    await page.setViewportSize(viewport);
  }
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('crash', () => errors.push('page crashed'));
  await page.goto(url);
  return { page, errors };
}

/**
 * Waits until the mounted page's dataset satisfies `fn`, which runs in the browser: it sees only
 * its arguments (the dataset and `arg`, JSON), no variables of the test. Fails at once when the
 * page reports an error.
 */
export async function waitForPage<A = undefined>(
  page: Page,
  fn: (data: DOMStringMap, arg: A) => boolean,
  timeout = 30_000,
  arg?: A,
): Promise<DOMStringMap> {
  // The predicate is serialised and run in the page (playwright evaluates the expression there).
  const expression = `(() => {
    const el = document.querySelector('.page');
    if (!el) return false;
    if (el.dataset.error) throw new Error('the page reports an error: ' + el.dataset.error);
    return (${fn.toString()})(el.dataset, ${JSON.stringify(arg ?? null)});
  })()`;
  await page.waitForFunction(expression, undefined, { timeout, polling: 100 });
  return pageData(page);
}

/** The mounted page's data attributes. */
export function pageData(page: Page): Promise<DOMStringMap> {
  return page.evaluate(() => ({ ...document.querySelector<HTMLElement>('.page')!.dataset }));
}

/** Saves a full-page screenshot under test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = `${resultsDir}screenshots/`;
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Frame times recorded in the page (see startFrames). */
interface FrameLog {
  __frames: number[];
  /** Time of each frame, ms after recording started. */
  __frameAt: number[];
  /** Main-thread tasks longer than 50 ms: [start (ms after recording started), duration]. */
  __longTasks: [number, number][];
  __framesOn: boolean;
  __longTaskObserver?: PerformanceObserver;
}

/**
 * Starts recording the time between animation frames in the page, and the page's long tasks
 * (to tell a busy main thread from a compositor that did not produce frames).
 */
export async function startFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as FrameLog;
    w.__frames = [];
    w.__frameAt = [];
    w.__longTasks = [];
    w.__framesOn = true;
    const t0 = performance.now();
    let last = t0;
    const tick = (t: number) => {
      w.__frames.push(t - last);
      w.__frameAt.push(t - t0);
      last = t;
      if (w.__framesOn) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    if (PerformanceObserver.supportedEntryTypes.includes('longtask')) {
      w.__longTaskObserver = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push([e.startTime - t0, e.duration]);
      });
      w.__longTaskObserver.observe({ type: 'longtask' });
    }
  });
}

/** What stopFrames measured. */
export interface FrameStats {
  count: number;
  /** 95th percentile of the time between frames (ms). */
  p95: number;
  /** Longest time between two frames (ms). */
  max: number;
  /** When the longest frame ended, in ms after recording started. */
  maxAt: number;
  /** The page's main-thread tasks over 50 ms, as "start+duration" in ms. */
  longTasks: string[];
}

/** Stops recording; returns the frame statistics. */
export async function stopFrames(page: Page): Promise<FrameStats> {
  const { d, at, long } = await page.evaluate(() => {
    const w = window as unknown as FrameLog;
    w.__framesOn = false;
    w.__longTaskObserver?.disconnect();
    return { d: w.__frames.slice(1), at: w.__frameAt.slice(1), long: w.__longTasks };
  });
  const sorted = [...d].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1] ?? 0;
  return {
    count: d.length,
    p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
    max,
    maxAt: at[d.indexOf(max)] ?? 0,
    longTasks: long.map(([t, ms]) => `${t.toFixed(0)}+${ms.toFixed(0)}`),
  };
}
