// Space-to-depth layout changes for stride-2 convolutions (src/wasm/space-to-depth.ts), called on
// the calling thread: the four phases (even/odd rows x even/odd columns) of each padded input
// plane become four planes, and back. Pure data movement, scalar.

import { c, g, params, s } from './wat.mjs';

const loop = (v, to, body) => `
  ${s(v, c(0))}
  (block $${v}b (loop $${v}l
    (br_if $${v}b (i32.ge_s ${g(v)} ${to}))
    ${body}
    ${s(v, `(i32.add ${g(v)} ${c(1)})`)}
    (br $${v}l)))`;

/**
 * phase_split(dst, src, planes, H, W, Hs, Ws, pt, pl): dst[(plane*4 + p*2 + q), i, j] =
 * src[plane, 2i + p - pt, 2j + q - pl], 0 outside the H x W plane.
 */
const split = `
(func $phase_split ${params('i32', 'dst', 'src', 'planes', 'H', 'W', 'Hs', 'Ws', 'pt', 'pl')}
  (local $pl_ i32) (local $p i32) (local $q i32) (local $i i32) (local $j i32) (local $h i32) (local $w i32) (local $row i32)
  ${loop(
    'pl_',
    g('planes'),
    loop(
      'p',
      c(2),
      loop(
        'q',
        c(2),
        loop(
          'i',
          g('Hs'),
          `${s('h', `(i32.sub (i32.add (i32.shl ${g('i')} ${c(1)}) ${g('p')}) ${g('pt')})`)}
          ${s('row', `(i32.add ${g('src')} (i32.shl (i32.mul (i32.add (i32.mul ${g('pl_')} ${g('H')}) ${g('h')}) ${g('W')}) ${c(2)}))`)}
          ${loop(
            'j',
            g('Ws'),
            `${s('w', `(i32.sub (i32.add (i32.shl ${g('j')} ${c(1)}) ${g('q')}) ${g('pl')})`)}
            (f32.store ${g('dst')}
              (if (result f32) (i32.and (i32.lt_u ${g('h')} ${g('H')}) (i32.lt_u ${g('w')} ${g('W')}))
                (then (f32.load (i32.add ${g('row')} (i32.shl ${g('w')} ${c(2)}))))
                (else (f32.const 0))))
            ${s('dst', `(i32.add ${g('dst')} ${c(4)})`)}`,
          )}`,
        ),
      ),
    ),
  )})`;

/**
 * phase_merge(dst, src, planes, H, W, Hs, Ws, pt, pl): the inverse gather, dst[plane, h, w] =
 * src[(plane*4 + p*2 + q), i, j] with 2i + p = h + pt and 2j + q = w + pl, 0 where i >= Hs or
 * j >= Ws.
 */
const merge = `
(func $phase_merge ${params('i32', 'dst', 'src', 'planes', 'H', 'W', 'Hs', 'Ws', 'pt', 'pl')}
  (local $pl_ i32) (local $h i32) (local $w i32) (local $i i32) (local $j i32) (local $base i32)
  ${loop(
    'pl_',
    g('planes'),
    loop(
      'h',
      g('H'),
      `${s('i', `(i32.shr_u (i32.add ${g('h')} ${g('pt')}) ${c(1)})`)}
      ${s('base', `(i32.add ${g('src')} (i32.shl (i32.add (i32.mul (i32.add (i32.shl ${g('pl_')} ${c(2)}) (i32.shl (i32.and (i32.add ${g('h')} ${g('pt')}) ${c(1)}) ${c(1)})) (i32.mul ${g('Hs')} ${g('Ws')})) (i32.mul ${g('i')} ${g('Ws')})) ${c(2)}))`)}
      ${loop(
        'w',
        g('W'),
        `${s('j', `(i32.shr_u (i32.add ${g('w')} ${g('pl')}) ${c(1)})`)}
        (f32.store ${g('dst')}
          (if (result f32) (i32.and (i32.lt_u ${g('i')} ${g('Hs')}) (i32.lt_u ${g('j')} ${g('Ws')}))
            (then (f32.load (i32.add ${g('base')} (i32.shl (i32.add ${g('j')}
              (i32.mul (i32.and (i32.add ${g('w')} ${g('pl')}) ${c(1)}) (i32.mul ${g('Hs')} ${g('Ws')}))) ${c(2)}))))
            (else (f32.const 0))))
        ${s('dst', `(i32.add ${g('dst')} ${c(4)})`)}`,
      )}`,
    ),
  )})`;

/** The phase functions (the same in every variant). */
export function phaseFunctions() {
  return `${split}\n${merge}`;
}

/** Their export lines. */
export function phaseExports() {
  return `(export "phase_split" (func $phase_split))
(export "phase_merge" (func $phase_merge))`;
}
