import './styles.css';
import { initBackendSwitch, showBackend } from './lib/backend-switch.js';
import { currentRoute, type PageName } from './lib/url.js';

/** A mounted page: removes its listeners and workers when the user navigates away. */
export interface Page {
  dispose(): void;
}

/** Page modules, loaded on first visit (each is its own chunk). */
const loaders: Record<PageName, () => Promise<{ mount(root: HTMLElement): Page }>> = {
  playground: () => import('./playground/page.js'),
  digits: () => import('./digits/page.js'),
  generate: () => import('./generate/page.js'),
  inside: () => import('./inside/page.js'),
};

const TITLES: Record<PageName, string> = {
  playground: 'Playground',
  digits: 'Digits',
  generate: 'Generate',
  inside: 'Inside the network',
};

const app = document.getElementById('app')!;
let active: { name: PageName; page: Page | null } | null = null;
let navigation = 0;

/** Mounts the page named in the hash, unless it is already shown (or `remount`: again, anew). */
async function route(remount = false): Promise<void> {
  const { page: name } = currentRoute();
  if (active?.name === name && !remount) return;
  const ticket = ++navigation;
  active?.page?.dispose();
  active = { name, page: null };
  showBackend(null);
  document.title = `${TITLES[name]} · Tessera demo`;
  document.querySelectorAll<HTMLAnchorElement>('.tabs a').forEach((a) => {
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  app.replaceChildren();
  app.dataset.page = name;
  const mod = await loaders[name]();
  if (ticket !== navigation) return;
  const root = document.createElement('div');
  root.className = `page page-${name}`;
  app.replaceChildren(root);
  active.page = mod.mount(root);
}

window.addEventListener('hashchange', () => void route());
// The backend switch remounts the page, whose new worker computes on the chosen backend.
void initBackendSwitch(() => void route(true)).then(() => route());
