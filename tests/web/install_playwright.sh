#!/bin/sh
# install_playwright.sh: installs playwright-core from npm into build/npm (not committed) for the web panel test.
set -eu
PREFIX=${1:-build/npm}
if [ -f "$PREFIX/node_modules/playwright-core/package.json" ]; then
	exit 0
fi
command -v npm >/dev/null || { echo "npm missing"; exit 1; }
mkdir -p "$PREFIX"
npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error playwright-core
