/**
 * Releases as changesets would make them, run on a copy of the workspace's manifests and
 * `.changeset/config.json` in a temp git repository: a tensor minor leaves its peer dependents'
 * versions alone (they are in its peer range), and versioning writes a CHANGELOG.md.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { libs, manifestOf, root } from './consumer-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'tessera-changesets-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('a tensor minor bumps only tensor and writes its CHANGELOG.md', () => {
  for (const f of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(root, f), join(work, f));
  mkdirSync(join(work, '.changeset'));
  cpSync(join(root, '.changeset/config.json'), join(work, '.changeset/config.json'));
  for (const dir of [
    ...libs.map((l) => `packages/${l}`),
    'examples',
    ...readdirSync(join(root, 'apps')).map((a) => `apps/${a}`),
  ]) {
    if (!existsSync(join(root, dir, 'package.json'))) continue;
    mkdirSync(join(work, dir), { recursive: true });
    cpSync(join(root, dir, 'package.json'), join(work, dir, 'package.json'));
  }
  writeFileSync(
    join(work, '.changeset/tensor-minor.md'),
    '---\n"@tessera/tensor": minor\n---\n\nA new op.\n',
  );
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: work, stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'base');
  const before = Object.fromEntries(libs.map((l) => [l, manifestOf(join(work, 'packages', l)).version]));
  execFileSync(process.execPath, [join(root, 'node_modules/@changesets/cli/bin.js'), 'version'], {
    cwd: work,
    stdio: 'pipe',
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
  });
  const after = Object.fromEntries(libs.map((l) => [l, manifestOf(join(work, 'packages', l)).version]));
  const [major, minor] = (before.tensor as string).split('.').map(Number) as [number, number];
  expect(after.tensor).toBe(`${major}.${minor + 1}.0`);
  expect(Object.fromEntries(libs.filter((l) => l !== 'tensor').map((l) => [l, after[l]]))).toEqual(
    Object.fromEntries(libs.filter((l) => l !== 'tensor').map((l) => [l, before[l]])),
  );
  expect(readFileSync(join(work, 'packages/tensor/CHANGELOG.md'), 'utf8')).toMatch(
    /## \d+\.\d+\.0\n\n### Minor Changes\n\n- .*A new op\./s,
  );
}, 60_000);
