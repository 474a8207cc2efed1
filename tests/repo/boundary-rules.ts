/**
 * Which workspace package may depend on which: the one table tests/repo/boundaries.test.ts enforces.
 * Keys and values are folder names under packages/ (package `@tessera/<name>`). A package missing
 * here fails the test until it is added. To add a package or an edge, edit this table (and the
 * package's package.json `dependencies` and tsconfig.json `references`), nothing else.
 */
export const ALLOWED_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  tensor: [],
  autograd: ['tensor'],
  nn: ['autograd', 'tensor'],
  optim: ['tensor'],
  data: ['tensor'],
  gpu: ['tensor'],
  train: ['tensor', 'autograd', 'nn', 'optim', 'data'],
  onnx: ['tensor', 'autograd', 'nn'],
};

/** Workspace folders (globs over the repo root) whose code may import any @tessera package. */
export const UNRESTRICTED = ['apps/*', 'examples'];

/** npm scope of the workspace packages. */
export const SCOPE = '@tessera';

/** Version range a workspace package must use for a sibling in its package.json. */
export const SIBLING_RANGE = 'workspace:^';

/**
 * Siblings that must be peerDependencies (plus a `workspace:^` devDependency for development),
 * never dependencies: @tessera/tensor holds global state (the backend registry, the op hook,
 * `instanceof Tensor`), so an application must get exactly one copy of it, as tfjs-core is a peer
 * of the tfjs packages.
 */
export const PEER_SIBLINGS: readonly string[] = ['tensor'];

/**
 * The peerDependency range on a PEER_SIBLINGS package: every 0.x version from the first. Changesets
 * bumps a peer dependent to a new major whenever a release leaves its peer range (and `^0.1.0`
 * excludes 0.2.0), so with `workspace:^` every minor tensor release would publish nn, optim, ... as
 * 1.0.0; `.changeset/config.json` sets `onlyUpdatePeerDependentsWhenOutOfRange`. Revisit at 1.0.
 */
export const PEER_RANGE = 'workspace:>=0.1.0 <1';

/**
 * External packages only some packages may name (in source or package.json), and how:
 * `webgpu` (Dawn for Node) only in @tessera/gpu, as an optional peer (a devDependency too, for its
 * tests), so that installing any @tessera package never pulls a native GPU binary.
 */
export const RESTRICTED_EXTERNALS: Readonly<Record<string, { onlyIn: string; as: 'optional-peer' }>> = {
  webgpu: { onlyIn: 'gpu', as: 'optional-peer' },
};
