/**
 * The publish dry run: each package's tarball, packed as `pnpm publish` packs it (workspace ranges
 * rewritten), handed to `npm publish --dry-run`, which reports the exact file list it would upload.
 * That list must hold what a user needs (LICENSE, README.md, package.json, dist/ JavaScript with a
 * declaration file beside every module) and nothing else than the published folders (no tests, no
 * build scratch, no node_modules). consumer.test.ts checks what is inside those files (exports
 * targets, README links, source maps, dependencies); changesets.test.ts that versioning writes the
 * CHANGELOG.md that `files` publishes. Needs `dist/` (`pnpm build`) and the npm registry.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPE } from './boundary-rules.js';
import { libs, manifestOf, type Packed, packAll, root, run } from './consumer-helpers.js';

/** What npm's `publish --dry-run --json` says it would upload. */
interface DryRun {
  name: string;
  version: string;
  shasum: string;
  files: { path: string; size: number }[];
}

/** Runs `npm publish --dry-run --json` on a tarball; npm 11 keys the report by package name, npm 10 does not. */
function dryRun(tarball: string, name: string, cwd: string): DryRun {
  const json = JSON.parse(run('npm', ['publish', '--dry-run', '--json', tarball], cwd));
  return (json[name] ?? json) as DryRun;
}

/** Top-level entries a published package may hold (src/ is there for the source maps). */
const PUBLISHED = /^(LICENSE|README\.md|CHANGELOG\.md|package\.json|dist\/.+|src\/.+)$/;
/** Never published, wherever it sits. */
const SCRATCH =
  /(^|\/)(node_modules|test|tests|__tests__)\/|\.tsbuildinfo$|\.test\.[cm]?[jt]s$|\.test-d\.ts$/;

let packed: Packed | undefined;
beforeAll(() => {
  packed = packAll();
}, 120_000);
afterAll(() => packed?.dispose());

describe('npm publish --dry-run of every package tarball', () => {
  it.each(libs)(
    `${SCOPE}/%s: the file list npm would publish`,
    (lib) => {
      const tarball = packed!.tarballs[lib]!;
      const manifest = manifestOf(join(root, 'packages', lib));
      const report = dryRun(tarball, manifest.name, packed!.work);

      // The dry run published this very tarball, under the workspace's name and version.
      expect([report.name, report.version]).toEqual([manifest.name, manifest.version]);
      expect(report.shasum).toBe(createHash('sha1').update(readFileSync(tarball)).digest('hex'));
      // Scoped packages are private on npm unless published with public access.
      expect(manifest.publishConfig?.access, `${manifest.name} publishConfig.access`).toBe('public');

      const files = report.files.map((f) => f.path);
      for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']) {
        expect(files, `${manifest.name} would publish`).toContain(f);
      }
      expect(
        files.filter((f) => !PUBLISHED.test(f) || SCRATCH.test(f)),
        `${manifest.name}: files that should not be published`,
      ).toEqual([]);
      const modules = files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
      expect(
        modules.filter((f) => !files.includes(f.replace(/\.js$/, '.d.ts'))),
        `${manifest.name}: dist modules without a declaration file`,
      ).toEqual([]);
      expect(
        report.files.filter((f) => f.size === 0).map((f) => f.path),
        'empty files',
      ).toEqual([]);
    },
    60_000,
  );

  it('every package publishes the CHANGELOG.md that `changeset version` writes', () => {
    const config = JSON.parse(readFileSync(join(root, '.changeset/config.json'), 'utf8'));
    expect(config.changelog, '.changeset/config.json changelog generator').toBeTruthy();
    expect(config.access).toBe('public');
    const without = libs.filter(
      (l) => !manifestOf(join(root, 'packages', l)).files?.includes('CHANGELOG.md'),
    );
    expect(
      without.map((l) => `${SCOPE}/${l}`),
      'packages whose `files` leave out CHANGELOG.md',
    ).toEqual([]);
  });
});
