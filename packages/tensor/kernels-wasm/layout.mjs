// Constants shared by the WebAssembly kernels (generated from this folder) and their TypeScript
// driver (packages/tensor/src/wasm/): blocking sizes, the memory map and the field offsets of job
// descriptors. scripts/build-wasm.mjs copies them into src/wasm/layout.generated.ts, so this file
// is the single source of truth for both sides.

/** Rows of the register tile (of A) computed by the micro-kernel. */
export const MR = 4;
/** Columns of the register tile (of B): two 4-lane vectors. */
export const NR = 8;
/** Depth of a packed block (the shared dimension K is cut into blocks of KC). */
export const KC = 256;
/** Rows of A multiplied against one packed B block before moving on (an A block of MC x KC stays in L2). */
export const MC = 128;
/** Widest column block a task packs (a KC x NB block of B, 256 KiB, stays in L2). */
export const NB = 256;

/** Bytes of per-thread scratch memory and the regions inside it. */
export const SCRATCH = {
  /** Packed B block: KC x NB floats. */
  B: 0,
  /** Packed A block: MC x KC floats. */
  A: 256 * 1024,
  /** Output tile of conv2dBackwardInput (rows x NB floats, at most 64 Ki floats). */
  T: 384 * 1024,
  /** im2col staging rows (KC x NB floats). */
  C: 640 * 1024,
  /** One 4 x 8 register tile spilled for ragged edges. */
  TILE: 896 * 1024,
  /** Direct convolutions: the zero-padded input window (regions T and C, 512 KiB). */
  WIN: 384 * 1024,
  /** Direct convolutions: the per-tap offset table (region A, 128 KiB). */
  OFFS: 256 * 1024,
  /** Total bytes per thread. */
  SIZE: 1024 * 1024,
};
/** Most floats of the conv2dBackwardInput output tile (SCRATCH.T region). */
export const TILE_T_FLOATS = 65536;

/**
 * Indexes of the Int32 control words at byte 0 of the memory, used by the thread pool
 * (src/wasm/pool.ts and worker-source.ts; the kernels never touch them).
 */
export const CTL = {
  /** Generation of the published job; workers sleep on it and wake when it changes. */
  GEN: 0,
  /** 1 while the published job accepts workers. */
  OPEN: 1,
  /** Next task index to claim (atomic increment). */
  NEXT: 2,
  /** Tasks finished in the current job. */
  DONE: 3,
  /** Tasks in the current job. */
  COUNT: 4,
  /** Byte address of the current job descriptor. */
  JOB: 5,
  /** Workers currently inside the job. */
  ACTIVE: 6,
  /** Set to 1 by a worker whose task threw. */
  ERROR: 7,
  /** Workers with an index below this take part in jobs. */
  LIMIT: 8,
  /** Pool epoch: a worker exits when it differs from the epoch it was started in. */
  EPOCH: 9,
  /** Kernel variant of the current job (index into the modules a worker was given). */
  VARIANT: 10,
  /** First of one ready flag per worker. */
  READY: 16,
  /** Most workers (one ready flag each, up to word 63). */
  MAX_WORKERS: 48,
};
/** Byte address of the job descriptor written by the calling thread. */
export const JOB_PTR = 1024;
/** Bytes reserved at the start of memory (control words, job descriptor). */
export const RESERVED = 64 * 1024;

/** Job kinds (field 0 of a descriptor). */
export const KIND = {
  PACK_A: 1,
  GEMM: 2,
  CONV_FWD: 3,
  CONV_BWD_INPUT: 4,
  CONV_BWD_WEIGHT: 5,
  DIRECT_CONV: 6,
  DIRECT_WGRAD: 7,
};
/** Floats of the direct-convolution window region (SCRATCH.WIN) and entries of the offset table. */
export const WIN_FLOATS = 131072;
export const OFFS_ENTRIES = 32768;

/**
 * Field indexes (Int32 words) of job descriptors. Pointers are byte addresses in wasm memory,
 * strides and sizes count elements.
 */
export const FIELD = {
  kind: 0,
  // PACK_A and GEMM
  M: 1,
  N: 2,
  K: 3,
  /** M rounded up to a multiple of MR: the row count of packed A. */
  Mpad: 4,
  rsA: 5,
  csA: 6,
  rsB: 7,
  csB: 8,
  /** Row stride of C. */
  ldc: 9,
  /** PACK_A: table of [src A, packed A] pointer pairs; GEMM: [packed A, B, C] triples. */
  table: 10,
  /** Column block width of a GEMM task (a multiple of NR, at most NB). */
  nb: 11,
  /** Column blocks per matrix. */
  jBlocks: 12,
  /** Rows per task (a multiple of MC). */
  mgRows: 13,
  /** Row groups per matrix. */
  mGroups: 14,
  /** PACK_A: row blocks of MC per matrix. */
  mBlocks: 15,
  // Convolutions (x, dy, dx, y and partial outputs are contiguous NCHW)
  cN: 20,
  cC: 21,
  cH: 22,
  cW: 23,
  cO: 24,
  KH: 25,
  KW: 26,
  OH: 27,
  OW: 28,
  sh: 29,
  sw: 30,
  pt: 31,
  pl: 32,
  dh: 33,
  dw: 34,
  G: 35,
  Cg: 36,
  Og: 37,
  /** Cg * KH * KW. */
  Ck: 38,
  /** OH * OW. */
  L: 39,
  /** Input x (forward, weight gradient). */
  x: 40,
  /** Packed weight (forward: W per group; input gradient: W^T per group and channel block). */
  wp: 41,
  /** Output gradient dy (backward kernels). */
  dy: 42,
  /** Output: y (forward), dx (input gradient) or the partial sums (weight gradient). */
  out: 43,
  /** Forward: Og rounded up to MR. Input gradient: floats between packed channel blocks. */
  wpStride: 44,
  /** Input gradient: channels per block and blocks per group. */
  cbC: 45,
  nCB: 46,
  /** Weight gradient: splits of the batch, images per split, row and column blocks. */
  S: 47,
  nPer: 48,
  iBlocks: 49,
  /** 1 when the convolution is 1x1, stride 1, no padding (im2col is the identity). */
  pointwise: 50,
  /** Conv column block width (positions, or Ck columns for the weight gradient). */
  cnb: 51,
  /** Conv column blocks. */
  cjBlocks: 52,
  // Direct convolutions (direct.mjs): an input window per task, zero-padded to width Wp.
  /** Width of a padded window row. */
  Wp: 53,
  /** Rows per window channel plane (the pitch between planes). */
  winRows: 54,
  /** Output rows per task (forward) or per window (weight gradient). */
  rowsPer: 55,
  /** Row blocks per image (forward). */
  rBlocks: 56,
  /** Weight gradient: 4-row slivers of the Ck rows per task, and blocks of them. */
  rsPer: 57,
  rsBlocks: 58,
  /** Forward: 1 when tiles cover 4 columns of 2 output rows instead of 8 columns of one. */
  pairRows: 59,
  /** Words in a descriptor. */
  SIZE: 64,
};
