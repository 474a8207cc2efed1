/** Placeholder used while an op family is being written; must not survive into a release. */
export function todo(name: string): never {
  throw new Error(`${name}: not implemented yet`);
}
