#!/bin/sh
# Runs the @tessera/gpu benchmark (bench/run.mjs) on a machine that has only a `node` binary, e.g.
# an NVIDIA H100 box with a Vulkan driver: no npm or pnpm there. Copy the repository WITH its
# node_modules (pnpm's node_modules/.pnpm links are relative, so they survive a copy) and the
# built dist/ folders (`pnpm build` here first), then:
#
#   packages/gpu/bench/device.sh [--repeats 10] [--warmup 3] [--only matmul]
#
# NODE=/path/to/node selects the binary; TESSERA_GPU_SUBGROUP_MATMUL=1 runs the subgroup GEMM
# (off by default on hardware adapters) to compare it with the tiled kernel. Results go to packages/gpu/bench-results/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pkg=$(dirname "$here")
root=$(cd "$pkg/../.." && pwd)
node_bin=${NODE:-node}

command -v "$node_bin" >/dev/null 2>&1 || { echo "device.sh: no node binary ('$node_bin'); set NODE=/path/to/node" >&2; exit 1; }
for f in "$pkg/dist/index.js" "$root/packages/tensor/dist/index.js" "$root/packages/nn/dist/index.js"; do
  [ -f "$f" ] || { echo "device.sh: $f is missing: run 'pnpm build' before copying the repository" >&2; exit 1; }
done
[ -e "$pkg/node_modules/webgpu" ] || { echo "device.sh: packages/gpu/node_modules/webgpu is missing: copy node_modules too" >&2; exit 1; }

# Dawn wants a private runtime dir on Linux.
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  XDG_RUNTIME_DIR=$(mktemp -d)
  chmod 700 "$XDG_RUNTIME_DIR"
  export XDG_RUNTIME_DIR
fi
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true

cd "$pkg"
exec "$node_bin" --expose-gc --experimental-detect-module bench/run.mjs "$@"
