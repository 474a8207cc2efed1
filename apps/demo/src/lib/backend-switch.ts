import { type AdapterProbe, type BackendChoice, chooseBackend, probeAdapter } from '../engine/adapter.js';
import type { BackendInfo } from '../engine/backend.js';
import { h } from './dom.js';
import { appParam, type BackendPreference, backendPreference } from './url.js';

// The header's CPU / WebGPU switch: which backend the pages' workers compute on. The choice starts
// from `?backend=` (automatic by default: never a software adapter) and the switch changes it
// without a URL edit (it updates the parameter, so a reload keeps it).

let probe: AdapterProbe = { available: false, name: '', software: false };
let choice: BackendChoice = { backend: 'cpu' };
let switchTo: (() => void) | null = null;

/** The backend the next page's worker should use. */
export function chosenBackend(): 'cpu' | 'webgpu' {
  return choice.backend;
}

/**
 * Probes the browser's WebGPU adapter, picks the backend (see `chooseBackend`) and draws the switch
 * in the header (`#backend`). `onSwitch` runs after the user switched: it remounts the page.
 */
export async function initBackendSwitch(onSwitch: () => void): Promise<void> {
  const gpu = (navigator as { gpu?: Parameters<typeof probeAdapter>[0] }).gpu;
  probe = await probeAdapter(gpu);
  choice = chooseBackend(backendPreference(), probe);
  switchTo = onSwitch;
  render();
}

/** Switches to `backend` (ignored when it is already chosen or cannot run), then remounts the page. */
export function selectBackend(backend: 'cpu' | 'webgpu'): void {
  if (backend === choice.backend || (backend === 'webgpu' && !probe.available)) return;
  setBackendParam(backend);
  choice = chooseBackend(backend, probe);
  render();
  switchTo?.();
}

/** Writes `?backend=` in the URL's query string (before the hash), without navigating. */
function setBackendParam(pref: BackendPreference): void {
  const url = new URL(location.href);
  url.searchParams.set('backend', pref);
  // A `backend` in the page's hash parameters would win over the query string: drop it.
  if (appParam('backend') !== null && new URLSearchParams(location.search).get('backend') === null) {
    url.hash = url.hash.replace(/([?&])backend=[^&]*&?/, '$1').replace(/[?&]$/, '');
  }
  history.replaceState(history.state, '', url.href);
}

function buttonFor(backend: 'cpu' | 'webgpu'): HTMLButtonElement {
  const pressed = choice.backend === backend;
  if (backend === 'cpu')
    return h(
      'button',
      {
        type: 'button',
        class: 'choice',
        'data-backend-choice': 'cpu',
        'aria-pressed': String(pressed),
        onclick: () => selectBackend('cpu'),
      },
      'CPU',
    );
  // The device's name (the last part of the adapter's name) and whether it is software.
  const device = probe.name.split(' · ').pop() ?? '';
  const detail = !probe.available ? 'not available' : `${device}${probe.software ? ', software' : ''}`;
  const title = probe.available
    ? `WebGPU on ${probe.name}${probe.software ? ' (a software adapter: it emulates a GPU on the CPU)' : ''}`
    : 'WebGPU is not available in this browser';
  return h(
    'button',
    {
      type: 'button',
      class: 'choice',
      'data-backend-choice': 'webgpu',
      'aria-pressed': String(pressed),
      disabled: !probe.available,
      title,
      onclick: () => selectBackend('webgpu'),
    },
    'WebGPU',
    h('small', {}, detail),
  );
}

/** Draws the switch, the adapter and the note (why the CPU) in the header. */
function render(): void {
  const root = document.getElementById('backend');
  if (!root) return;
  const group = root.querySelector('.backend-switch .choices');
  group?.replaceChildren(buttonFor('cpu'), buttonFor('webgpu'));
  const note = document.getElementById('backend-note');
  if (note) {
    note.hidden = !choice.note;
    note.textContent = choice.note ?? '';
  }
  const html = document.documentElement.dataset;
  html.chosenBackend = choice.backend;
  html.webgpuAdapter = probe.available ? probe.name : '';
  html.webgpuSoftware = String(probe.software);
}

/** Shows the active backend in the header and as `data-backend` / `data-adapter` on `<html>`. */
export function showBackend(info: BackendInfo | null): void {
  const root = document.documentElement;
  const badge = document.getElementById('backend');
  if (info === null) {
    delete root.dataset.backend;
    delete root.dataset.adapter;
    badge?.setAttribute('data-state', 'starting');
    badge?.querySelector('.label')?.replaceChildren('starting…');
    return;
  }
  root.dataset.backend = info.backend;
  root.dataset.adapter = info.adapter;
  if (!badge) return;
  badge.setAttribute('data-state', info.backend);
  const name = info.backend === 'webgpu' ? 'WebGPU' : 'CPU';
  badge.querySelector('.label')?.replaceChildren(`${name} · ${info.adapter}`);
  badge.title = info.note ? `${name}: ${info.adapter}. ${info.note}` : `${name}: ${info.adapter}`;
  // The worker could not start WebGPU after all: say so (the switch shows what runs).
  if (info.note && info.backend === 'cpu' && choice.backend === 'webgpu') {
    choice = { backend: 'cpu', note: info.note };
    render();
  }
}
