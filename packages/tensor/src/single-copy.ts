/**
 * Detects a second copy of @tessera/tensor in one JavaScript realm. Its state is global (the backend
 * registry, the op hook autograd records through, `instanceof Tensor`), so two copies, for example
 * when @tessera/nn and @tessera/gpu were installed against different tensor versions, fail in
 * confusing ways (`initWebGPU()` registers the backend in one copy, `setBackend('webgpu')` throws
 * in the other). Each copy records itself under a `Symbol.for` key on `globalThis` at load time.
 */

/** What a loaded copy records about itself. */
export interface LoadedCopy {
  readonly version: string;
  /** The module URL of the copy's entry (query and hash removed), or null where a bundler hides it. */
  readonly url: string | null;
}

/** The `globalThis` key every copy of @tessera/tensor uses. */
export const COPY_KEY = Symbol.for('@tessera/tensor.loaded-copy');

function withoutQuery(url: string | undefined): string | null {
  if (typeof url !== 'string' || url === '') return null;
  // A dev server's re-evaluation of the same file (Vite HMR: `?t=...`) is the same copy.
  return url.replace(/[?#].*$/, '');
}

/**
 * Records this copy (`version`, entry `url`) on `target`, or throws when a different copy is already
 * recorded there: another URL, or (where a bundler hides URLs) another version. Loading the same
 * file twice (a test runner resetting its module cache, hot reload) is the same copy and passes.
 */
export function checkSingleCopy(version: string, url: string | undefined, target: object = globalThis): void {
  const me: LoadedCopy = { version, url: withoutQuery(url) };
  const registry = target as Record<symbol, LoadedCopy | undefined>;
  const first = registry[COPY_KEY];
  if (first === undefined) {
    Object.defineProperty(target, COPY_KEY, {
      value: me,
      configurable: false,
      enumerable: false,
      writable: false,
    });
    return;
  }
  const sameUrl = first.url !== null && first.url === me.url;
  const unknownUrl = first.url === null || me.url === null;
  if (sameUrl || (unknownUrl && first.version === me.version)) return;
  throw new Error(
    `@tessera/tensor is loaded twice: version ${first.version} from ${first.url ?? '(unknown path)'} and ` +
      `version ${me.version} from ${me.url ?? '(unknown path)'}. Two copies keep separate backends and ` +
      'tensors (setBackend, instanceof Tensor and autograd stop working across them). Install one copy: ' +
      "run `npm dedupe` (or your package manager's equivalent), or pin one version of @tessera/tensor " +
      '(a direct dependency, or "overrides" / "resolutions" in package.json) that satisfies every ' +
      "@tessera package's peerDependency; `npm ls @tessera/tensor` shows who asks for which.",
  );
}
