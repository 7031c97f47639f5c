#!/usr/bin/env bash
# `npm run bench -- --backend webgpu` on a GPU machine without Node, from the folder
# tools/bench/pack-device.sh made: unpacks Node, Dawn and the bundled bench into a temporary
# folder, points the Vulkan loader at NVIDIA's driver, and runs the bench, its JSON to
# $OUT/bench-gpu.json and what it prints to $OUT/bench-gpu.txt. PyTorch's rows use python3 on the
# PATH (--python to choose another).
#
#   OUT=DIR bash tools/bench/gpu-device.sh FOLDER [bench options; --gpu-epochs 10 unless given]
#
# VK_ICD_FILENAMES, when set, replaces NVIDIA's driver (e.g. SwiftShader's, to try it without a GPU).
set -euo pipefail
pack=$(realpath "${1:?usage: OUT=DIR gpu-device.sh FOLDER [bench options]}")
shift
: "${OUT:?OUT must name the folder the results go to}"
mkdir -p "$OUT"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# xz, or Python's lzma where the machine has no xz
unxz_to_stdout() {
  if command -v xz >/dev/null; then xz -dc "$1"; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi
}
unxz_to_stdout "$pack/bench.tar.xz" | tar -x -C "$work"
unxz_to_stdout "$pack/node.xz" > "$work/node"
chmod +x "$work/node"
mkdir -p "$work/node_modules/webgpu/dist/linux-x64"
unxz_to_stdout "$pack/dawn.node.xz" > "$work/node_modules/webgpu/dist/linux-x64/dawn.node"

export LD_LIBRARY_PATH="$pack:/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export VK_ICD_FILENAMES="${VK_ICD_FILENAMES:-/usr/share/vulkan/icd.d/nvidia_icd.json}"
echo "VK_ICD_FILENAMES=$VK_ICD_FILENAMES; nvidia-smi: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1 | head -1)" | tee "$OUT/bench-gpu.txt"
# 10 epochs a run unless the options say otherwise: on a GPU one epoch of the digits at B = 8192 is one step.
"$work/node" "$work/bench.mjs" --backend webgpu --gpu-epochs 10 --out "$OUT/bench-gpu.json" "$@" 2>&1 | tee -a "$OUT/bench-gpu.txt"
