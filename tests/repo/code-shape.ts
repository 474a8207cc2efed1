import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** One function-like node and how many lines it spans (first line of its text to its last). */
export interface FunctionSpan {
  /** `name` for declarations and methods, `<arrow>`/`<function>` for anonymous ones. */
  name: string;
  /** 1-based line where the function's text starts. */
  line: number;
  lines: number;
}

/** What `measureSource` finds in one file. */
export interface SourceShape {
  lines: number;
  functions: FunctionSpan[];
}

/** The name a reader would search for: the declared name, or the variable/property it is assigned to. */
function nameOf(node: ts.SignatureDeclaration): string {
  if (node.name !== undefined) return node.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (
    (ts.isVariableDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent)) &&
    parent.name !== undefined
  ) {
    return parent.name.getText();
  }
  return ts.isArrowFunction(node) ? '<arrow>' : '<function>';
}

/** Whether a node is a function with a body: declarations, methods, accessors, constructors, arrows. */
function isFunctionWithBody(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node)) &&
    node.body !== undefined
  );
}

/**
 * Measures one TypeScript source: its line count and every function's span in lines. A nested
 * function counts inside its parent too (the parent's span is the text a reader has to hold).
 */
export function measureSource(fileName: string, text: string): SourceShape {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const functions: FunctionSpan[] = [];
  const lineOf = (pos: number): number => file.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node): void => {
    if (isFunctionWithBody(node)) {
      const line = lineOf(node.getStart(file));
      functions.push({ name: nameOf(node), line, lines: lineOf(node.getEnd()) - line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  // A trailing newline ends the last line; it does not start another one.
  const lines = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  return { lines, functions };
}

/** Every `.ts` source under `dir` (recursively), minus declarations and generated files, relative to `root`. */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      } else if (/\.tsx?$/.test(entry.name) && !/\.d\.ts$|\.generated\.ts$/.test(entry.name)) {
        out.push(relative(root, path));
      }
    }
  };
  walk(join(root, dir));
  return out.sort();
}

/** Limits a source must keep, and the files (relative paths) excused from them for now. */
export interface ShapeRules {
  maxFileLines: number;
  maxFunctionLines: number;
  /**
   * What is excused, each with the reason: a file (`path`: both limits) or one function in it
   * (`path#name`: the function limit, for that function only).
   */
  allowlist: Readonly<Record<string, string>>;
}

/** The rule breaks in `files` (relative to `root`) as readable lines, `[]` when all keep the limits. */
export function shapeViolations(root: string, files: readonly string[], rules: ShapeRules): string[] {
  const out: string[] = [];
  for (const rel of files) {
    if (rel in rules.allowlist) continue;
    const shape = measureSource(rel, readFileSync(join(root, rel), 'utf8'));
    if (shape.lines > rules.maxFileLines) {
      out.push(`${rel}: ${shape.lines} lines (max ${rules.maxFileLines})`);
    }
    for (const f of shape.functions) {
      if (f.lines > rules.maxFunctionLines && !(`${rel}#${f.name}` in rules.allowlist)) {
        out.push(`${rel}:${f.line} ${f.name}: ${f.lines} lines (max ${rules.maxFunctionLines})`);
      }
    }
  }
  return out;
}
