/**
 * The checks behind tests/repo/boundaries.test.ts: which imports and package.json entries a
 * workspace folder may have, given the table in ./boundary-rules.ts. Pure functions over text and
 * parsed JSON, plus a small file walker, so the rules can be tested on fixtures.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { PEER_RANGE, PEER_SIBLINGS, RESTRICTED_EXTERNALS, SCOPE, SIBLING_RANGE } from './boundary-rules.js';

export interface Unit {
  /** Folder name under packages/ (`tensor`), or the repo-relative folder of an app (`apps/demo`). */
  name: string;
  dir: string;
  /** Sibling folder names it may import, or 'any' (apps, examples). */
  allowed: readonly string[] | 'any';
  manifest: PackageJson;
}

export interface PackageJson {
  name?: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const RUNTIME_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'] as const;
const ALL_FIELDS = [...RUNTIME_FIELDS, 'devDependencies'] as const;
const CODE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.turbo', 'coverage', 'test-results', 'bench-results']);

/** Every module specifier in a source text: static imports/exports, `import('x')`, `require('x')`. */
export function specifiersOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** npm package name of a bare specifier (`@a/b/c` -> `@a/b`, `x/y` -> `x`). */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);
}

/** What a published package may import: its runtime dependencies, not its devDependencies. */
function declared(unit: Unit): Set<string> {
  return new Set(RUNTIME_FIELDS.flatMap((f) => Object.keys(unit.manifest[f] ?? {})));
}

/** Violations in one source file of `unit` (file is absolute; messages use `shownAs`). */
export function sourceViolations(unit: Unit, file: string, source: string, shownAs = file): string[] {
  const out: string[] = [];
  const deps = declared(unit);
  for (const spec of specifiersOf(source)) {
    const at = `${shownAs}: import '${spec}'`;
    if (spec.startsWith('.') || spec.startsWith('/')) {
      const target = resolve(dirname(file), spec);
      // Test files may use the repository's shared test helpers (tests/repo/*).
      const sharedTestHelper =
        file.includes(`${sep}test${sep}`) && target.includes(`${sep}tests${sep}repo${sep}`);
      if (target !== unit.dir && !target.startsWith(unit.dir + sep) && !sharedTestHelper) {
        out.push(`${at} leaves ${unit.name}; import the package by its name instead`);
      }
      continue;
    }
    if (spec.startsWith('#') || isBuiltin(spec)) continue;
    const pkg = packageNameOf(spec);
    if (pkg.startsWith(`${SCOPE}/`)) {
      const target = pkg.slice(SCOPE.length + 1);
      if (spec !== pkg) out.push(`${at} is a deep import; import '${pkg}' (its public entry) only`);
      if (unit.allowed !== 'any' && target === unit.name) {
        out.push(`${at} imports the package itself by name; use a relative import`);
        continue;
      }
      if (unit.allowed !== 'any' && !unit.allowed.includes(target)) {
        out.push(
          `${at}: ${unit.name} may not depend on ${target} (allowed: ${unit.allowed.join(', ') || 'none'})`,
        );
        continue;
      }
    }
    const restricted = RESTRICTED_EXTERNALS[pkg];
    if (restricted && restricted.onlyIn !== unit.name) {
      out.push(`${at}: only ${SCOPE}/${restricted.onlyIn} may use '${pkg}'`);
      continue;
    }
    if (unit.allowed !== 'any' && !deps.has(pkg)) {
      out.push(`${at}: '${pkg}' is not in dependencies or peerDependencies of package.json`);
    }
  }
  return out;
}

/** Violations in the package.json of `unit`. */
export function manifestViolations(unit: Unit): string[] {
  const out: string[] = [];
  const m = unit.manifest;
  const at = `${unit.name}/package.json`;
  for (const field of ALL_FIELDS) {
    for (const [dep, range] of Object.entries(m[field] ?? {})) {
      if (dep.startsWith(`${SCOPE}/`)) {
        const target = dep.slice(SCOPE.length + 1);
        const peer = field === 'peerDependencies' && PEER_SIBLINGS.includes(target);
        const want = peer ? PEER_RANGE : SIBLING_RANGE;
        if (range !== want) out.push(`${at}: ${field}.${dep} is "${range}"; use "${want}"`);
        const runtime = (RUNTIME_FIELDS as readonly string[]).includes(field);
        if (runtime && unit.allowed !== 'any' && !unit.allowed.includes(target)) {
          out.push(`${at}: ${field}.${dep}: ${unit.name} may not depend on ${target}`);
        }
        if (runtime && unit.allowed !== 'any' && PEER_SIBLINGS.includes(target)) {
          if (field !== 'peerDependencies') {
            out.push(`${at}: ${field}.${dep}: make it a peerDependency (one copy per application)`);
          } else if (m.devDependencies?.[dep] !== SIBLING_RANGE) {
            out.push(`${at}: peerDependencies.${dep} needs devDependencies.${dep} "${SIBLING_RANGE}" too`);
          }
        }
      }
      const restricted = RESTRICTED_EXTERNALS[dep];
      if (!restricted) continue;
      if (restricted.onlyIn !== unit.name) {
        out.push(`${at}: ${field}.${dep}: only ${SCOPE}/${restricted.onlyIn} may depend on '${dep}'`);
      } else if (field === 'dependencies' || field === 'optionalDependencies') {
        out.push(`${at}: ${field}.${dep}: '${dep}' must be an optional peerDependency, not a dependency`);
      } else if (field === 'peerDependencies' && m.peerDependenciesMeta?.[dep]?.optional !== true) {
        out.push(`${at}: peerDependencies.${dep} must be optional (peerDependenciesMeta.${dep}.optional)`);
      }
    }
  }
  return out;
}

/** Violations in tsconfig.json `references` (project references must follow the same edges). */
export function tsconfigViolations(unit: Unit): string[] {
  const file = join(unit.dir, 'tsconfig.json');
  if (unit.allowed === 'any' || !existsSync(file)) return [];
  const { config } = ts.parseConfigFileTextToJson(file, readFileSync(file, 'utf8'));
  return ((config?.references ?? []) as { path: string }[])
    .map((r) => relative(join(unit.dir, '..'), resolve(unit.dir, r.path)))
    .filter((target) => !unit.allowed.includes(target))
    .map(
      (target) => `${unit.name}/tsconfig.json: references ${target}, which ${unit.name} may not depend on`,
    );
}

/** Source files under `dir`, skipping build output and node_modules. */
export function codeFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : codeFiles(path);
    return CODE.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** All violations of a unit: its package.json, tsconfig.json and the code under `codeDir`. */
export function unitViolations(unit: Unit, codeDir: string, repoRoot: string): string[] {
  return [
    ...manifestViolations(unit),
    ...tsconfigViolations(unit),
    ...codeFiles(codeDir).flatMap((file) =>
      sourceViolations(unit, file, readFileSync(file, 'utf8'), relative(repoRoot, file)),
    ),
  ];
}
