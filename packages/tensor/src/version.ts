// Kept equal to package.json's "version" by scripts/sync-versions.mjs (run by `version-packages`
// after `changeset version`); test/single-copy.test.ts fails when they differ.
/** The version of this copy of @tessera/tensor. */
export const VERSION = '0.1.0';
