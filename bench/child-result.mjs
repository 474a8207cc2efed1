// A benchmark child (node row.mjs or python torch_row.py) prints its result as the last line that
// starts with '{'; anything before it is the child's own logging.

/** The result a child printed: its last JSON line, or a failure saying none was printed. */
export function childResult(out) {
  const line = out
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  return line ? JSON.parse(line) : { ok: false, reason: 'no result printed' };
}
