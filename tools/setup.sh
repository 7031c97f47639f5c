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
# Not `npm ci`: the registry this project reaches serves only this platform's builds of packages
# like rollup, so the lock cannot list the other platforms' optional ones and `npm ci` rejects it.
# `npm install` installs the locked versions all the same; the check below keeps it from drifting.
npm install --no-audit --no-fund
if [ -d .git ] && ! git diff --quiet -- package-lock.json; then
  echo "setup: npm install changed package-lock.json; the committed lock is out of date" >&2
  exit 1
fi
