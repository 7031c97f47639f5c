#!/usr/bin/env bash
# Installs everything batchprop needs on a fresh Debian machine: the Debian packages the tests use
# (Jupyter's own client for the notebooks, Chromium for the site, numpy for the bench's baseline,
# the Vulkan loader for the GPU backend)
# and the npm dependencies, which also build the library (npm's prepare step). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# numpy with OpenBLAS, as numpy users have it: Debian's python3-numpy alone runs on the reference
# BLAS, a baseline several times slower; threadpoolctl lets the bench say which BLAS and how many threads.
# libvulkan1 is the Vulkan loader through which Dawn (the webgpu package) reaches a GPU, or, on a
# machine without one, Chromium's SwiftShader (the GPU backend's tests run there).
debian_packages=(jupyter-client python3-nbclient python3-nbformat python3-numpy libopenblas0-pthread python3-threadpoolctl chromium libvulkan1)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

echo "setup: installing the locked npm packages and building the library"
# `npm ci` installs exactly what package-lock.json says (every platform's optional packages are in
# it) and refuses a lock that disagrees with package.json; it never rewrites the lock.
# package.json's allowScripts records that esbuild's and zeromq's install scripts are not needed
# (both ship prebuilt binaries for this platform): npm 11 then installs without a warning about
# them, and the npm releases that block unreviewed install scripts will skip them.
npm ci --no-audit --no-fund
