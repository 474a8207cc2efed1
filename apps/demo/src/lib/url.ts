/** The pages, in navigation order. */
export const PAGES = ['playground', 'digits', 'generate', 'inside'] as const;
export type PageName = (typeof PAGES)[number];

/** The page and its parameters from the hash (`#/page?key=value`). Unknown pages map to the playground. */
export function currentRoute(): { page: PageName; params: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  const name = q < 0 ? hash : hash.slice(0, q);
  const page = (PAGES as readonly string[]).includes(name) ? (name as PageName) : 'playground';
  return { page, params: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1)) };
}

/** Replaces the current page's parameters in the URL without adding a history entry or navigating. */
export function replaceParams(page: PageName, params: URLSearchParams): void {
  const q = params.toString();
  const url = `${location.pathname}${location.search}#/${page}${q ? `?${q}` : ''}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
}

/**
 * An app-wide option: from the query string (`?backend=cpu#/digits`) or the page's hash parameters
 * (`#/digits?mnist=...`), else null.
 */
export function appParam(name: string): string | null {
  return new URLSearchParams(location.search).get(name) ?? currentRoute().params.get(name);
}

/** Which backend the user asked for with `?backend=`: 'cpu', 'webgpu' or 'auto' (default). */
export function backendPreference(): BackendPreference {
  const v = appParam('backend');
  return v === 'cpu' || v === 'webgpu' ? v : 'auto';
}

export type BackendPreference = 'auto' | 'cpu' | 'webgpu';
