#!/bin/sh
# Builds into .build/<name>/ and runs Jest there, so that several people (or agents) working in one checkout can
# run tests at once without clobbering each other's dist/. Usage: sh scripts/isolated-test.sh <name> [jest args]
set -e
name="$1"; shift
dir=".build/$name"
mkdir -p "$dir"
cat > "$dir/tsconfig.json" <<JSON
{ "extends": "../../tsconfig.json", "compilerOptions": { "outDir": "./out" } }
JSON
node scripts/check-node.mjs
npx nest build -p "$dir/tsconfig.json"
BUILD_DIR="$dir/out" node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js "$@"
