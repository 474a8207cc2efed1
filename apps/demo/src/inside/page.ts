import type { Page } from '../main.js';
export function mount(root: HTMLElement): Page { root.textContent = 'todo'; return { dispose() {} }; }
