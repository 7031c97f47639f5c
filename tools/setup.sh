#!/usr/bin/env bash
# Installs everything batchprop needs on a fresh Debian machine: the Debian packages the tests use
# (Jupyter's own client for the notebooks, Chromium for the site) and the npm dependencies, which
# also build the library (npm's prepare step). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(jupyter-client python3-nbclient python3-nbformat chromium)
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

echo "setup: installing npm packages and building the library"
npm ci --no-audit --no-fund
