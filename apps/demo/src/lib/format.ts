/**
 * A rate or count for display, as people write it: three significant digits and thousands
 * separators, never an exponent ("31,400", "4,830", "22.4", "0.5"). Not finite: "–".
 */
export function fmtCount(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const rounded = Number(v.toPrecision(3));
  return rounded.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** "a" or "an" before a number said in English: "an 8", "an 11", "an 18", "an 80", "a 1", "a 7". */
export function article(n: number): 'a' | 'an' {
  const digits = String(Math.trunc(Math.abs(n)));
  // "eight", "eleven", "eighteen", "eighty...", "eight hundred..." start with a vowel sound.
  if (digits.startsWith('8')) return 'an';
  // "eleven", "eighteen", "eleven thousand", "eighteen million": 11 or 18 leading a group of three.
  if (digits.length % 3 === 2 && (digits.startsWith('11') || digits.startsWith('18'))) return 'an';
  return 'a';
}

/**
 * Whether a training loss shows that the run diverged: NaN or infinite (the weights overflowed,
 * usually because the learning rate is too large).
 */
export function diverged(loss: number): boolean {
  return !Number.isFinite(loss);
}

/** What the page says when a run diverged at `step`, with what to do about it. */
export function divergedMessage(step: number, lr: number, unit = 'step'): string {
  return (
    `Training diverged at ${unit} ${step.toLocaleString('en-US')}: the loss overflowed (it is no longer a finite number), so ` +
    `training paused. The learning rate (${lr}) is too large: lower it and press Reset.`
  );
}
