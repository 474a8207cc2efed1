// The header's CPU / WebGPU switch in Debian's Chromium: the automatic choice never takes a
// software adapter, the switch changes the backend without a URL edit, and a browser without
// WebGPU says so in browser words and still runs every page on the CPU.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { open, screenshot, waitForPage } from './harness.js';
import { baseUrl, browserSuite } from './suite.js';

/** Waits until the page's worker computes on `backend` and the playground drew its first snapshot. */
async function runsOn(page: Page, backend: 'cpu' | 'webgpu'): Promise<void> {
  await page.waitForFunction((b) => document.documentElement.dataset.backend === b, backend, {
    timeout: 90_000,
  });
  await waitForPage(page, (d) => d.ready === 'true' && Number(d.snapshots) >= 1, 90_000);
}

function pressed(page: Page, backend: 'cpu' | 'webgpu'): Promise<string | null> {
  return page.getAttribute(`[data-backend-choice=${backend}]`, 'aria-pressed');
}

/** Whether a playground dataset thumbnail has any non-white pixel (it was drawn). */
function thumbnailDrawn(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-dataset=circle] canvas')!;
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < px.length; i += 4)
      if (px[i]! < 250 || px[i + 1]! < 250 || px[i + 2]! < 250) return true;
    return false;
  });
}

describeIfAvailable('chromium', 'backend switch with a software WebGPU adapter (SwiftShader)', () => {
  const visit = browserSuite('webgpu', 'switch-webgpu');

  it('chooses the CPU automatically, names the software adapter, and switches both ways', async () => {
    const { page, errors } = await open(visit.browser(), `${baseUrl()}#/playground`);
    await runsOn(page, 'cpu');
    expect(await pressed(page, 'cpu')).toBe('true');
    const webgpu = page.locator('[data-backend-choice=webgpu]');
    expect(await webgpu.isEnabled()).toBe(true);
    expect(await webgpu.textContent()).toContain('software');
    expect(await webgpu.getAttribute('title')).toMatch(/swiftshader/i);
    const note = await page.textContent('#backend-note');
    expect(note).toMatch(/software one, slower than the CPU here; using the CPU/);
    await screenshot(page, 'switch-auto-software-adapter');

    await webgpu.click();
    await runsOn(page, 'webgpu');
    expect(await pressed(page, 'webgpu')).toBe('true');
    expect(new URL(page.url()).searchParams.get('backend')).toBe('webgpu');
    expect(await page.isHidden('#backend-note')).toBe(true);
    expect(await page.textContent('#backend .label')).toMatch(/^WebGPU · .*\(software\)$/);
    await screenshot(page, 'switch-webgpu');

    await page.click('[data-backend-choice=cpu]');
    await runsOn(page, 'cpu');
    expect(await pressed(page, 'cpu')).toBe('true');
    expect(new URL(page.url()).searchParams.get('backend')).toBe('cpu');
    // The choice holds on another page.
    await page.click('.tabs a[data-page=inside]');
    await page.waitForFunction(() => document.documentElement.dataset.backend === 'cpu', undefined, {
      timeout: 60_000,
    });
    expect(errors).toEqual([]);
  }, 240_000);
});

describeIfAvailable('chromium', 'backend switch in a browser without WebGPU', () => {
  const visit = browserSuite('cpu', 'switch-cpu');

  it('offers no WebGPU and says so in browser words', async () => {
    const { page, errors } = await visit('#/playground');
    await runsOn(page, 'cpu');
    const webgpu = page.locator('[data-backend-choice=webgpu]');
    expect(await webgpu.isDisabled()).toBe(true);
    expect(await webgpu.textContent()).toContain('not available');
    expect(await page.textContent('#backend-note')).toBe(
      'WebGPU is not available in this browser; using the CPU.',
    );
    expect(await page.textContent('body')).not.toMatch(/lavapipe|Mesa|Vulkan/);
    expect(errors).toEqual([]);
  }, 120_000);

  it('?backend=webgpu without an adapter runs on the CPU: no broken page', async () => {
    const { page, errors } = await open(visit.browser(), `${baseUrl()}?backend=webgpu#/playground`);
    await runsOn(page, 'cpu');
    expect(await page.textContent('#backend .label')).not.toBe('starting…');
    expect(await page.textContent('#backend-note')).toBe(
      'WebGPU is not available in this browser; using the CPU.',
    );
    expect(await thumbnailDrawn(page)).toBe(true);
    await page.click('[data-action=play]');
    await waitForPage(page, (d) => Number(d.epoch) >= 2, 60_000);
    await page.click('[data-action=play]');
    await screenshot(page, 'switch-no-webgpu');
    expect(errors).toEqual([]);
  }, 120_000);
});
