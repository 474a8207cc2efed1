import { svg } from './dom.js';

const PATHS = {
  play: 'M8 5v14l11-7z',
  pause: 'M6 5h4v14H6zM14 5h4v14h-4z',
  step: 'M6 5v14l9-7zM16 5h3v14h-3z',
  reset: 'M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z',
} as const;

/** A 24x24 icon (decorative: the button carries the accessible label). */
export function icon(name: keyof typeof PATHS): SVGSVGElement {
  return svg(
    'svg',
    { viewBox: '0 0 24 24', width: 22, height: 22, 'aria-hidden': 'true', fill: 'currentColor' },
    svg('path', { d: PATHS[name] }),
  );
}
