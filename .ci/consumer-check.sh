#!/usr/bin/env bash
# Consumer check: what a library user gets from the registry. Builds and packs every published package
# (each non-private one under packages/; `pnpm pack` rewrites workspace:* to real versions), installs the
# tarballs with npm into a temporary project outside the workspace, and there type-checks every package's
# public .d.ts for the strictest consumer (consumer/public-types.ts: lib ES2022 only, no DOM lib, no
# @types/node, skipLibCheck false), runs an ESM script, a CommonJS require() and a `tsc --strict`
# type check and run of a TypeScript program (consumer/select-and-compare.ts). Fails on any error and when
# it takes longer than CONSUMER_CHECK_LIMIT_S (default 60) seconds.
#
#   .ci/consumer-check.sh                      # without gpu.js (the default install)
#   CONSUMER_WITH_GPUJS=1 .ci/consumer-check.sh  # also `npm i gpu.js` (the optional peer) to measure it
#   CONSUMER_KEEP=1 .ci/consumer-check.sh        # keep the temporary project and print its path
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
limit=${CONSUMER_CHECK_LIMIT_S:-60}
# Every package under packages/ that is not private is published.
mapfile -t packages < <(cd "$root/packages" && for d in */; do
  node -e 'process.exit(require(process.argv[1]).private ? 1 : 0)' "$PWD/${d%/}/package.json" && echo "${d%/}"
done)
export TURBO_TELEMETRY_DISABLED=1
t0=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - ${1:-$t0}) / 1000000 ))"; }
step() { printf '[consumer] %-44s %6s ms\n' "$1" "$(elapsed "$2")"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pointwise-consumer.XXXXXX")
case "$work" in "$root"/*) echo "[consumer] the temporary project must lie outside the workspace: $work" >&2; exit 1 ;; esac
if [ -n "${CONSUMER_KEEP:-}" ]; then echo "[consumer] keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

# 1. Build the published packages (cached by turbo when `pnpm test` already built them).
s=$(date +%s%N)
filters=()
for p in "${packages[@]}"; do filters+=("--filter=@pointwise/$p"); done
(cd "$root" && pnpm exec turbo run build "${filters[@]}" --output-logs=errors-only >/dev/null)
step "build" "$s"

# 2. Pack each one; the tarball must carry LICENSE, README, CHANGELOG, dist and the sources its source maps
# name (src, without tests), and no workspace: range.
s=$(date +%s%N)
mkdir -p "$work/tarballs" "$work/app"
for p in "${packages[@]}"; do
  (cd "$root/packages/$p" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
for tgz in "$work"/tarballs/*.tgz; do
  listing=$(tar -tzf "$tgz")
  for f in package/LICENSE package/README.md package/CHANGELOG.md package/dist/index.js package/dist/index.d.ts package/src/index.ts; do
    grep -qx "$f" <<<"$listing" || { echo "[consumer] $(basename "$tgz") lacks $f" >&2; exit 1; }
  done
  if grep -q '^package/src/.*\.test\.ts$' <<<"$listing"; then
    echo "[consumer] $(basename "$tgz") carries test files" >&2; exit 1
  fi
  if tar -xzOf "$tgz" package/package.json | grep -q '"workspace:'; then
    echo "[consumer] $(basename "$tgz") still has a workspace: range" >&2; exit 1
  fi
  printf '[consumer]   %-44s %5s kB, %3s files\n' "$(basename "$tgz")" "$(( $(stat -c %s "$tgz") / 1024 ))" "$(wc -l <<<"$listing")"
done
step "pack" "$s"

# 3. A fresh project outside the workspace; npm installs the tarballs (and @types/node for the type check).
cp "$root"/.ci/consumer/{esm.mjs,cjs.cjs,select-and-compare.ts,tsconfig.json,public-types.ts,tsconfig.public-types.json} "$work/app/"
cat >"$work/app/package.json" <<'JSON'
{ "name": "pointwise-consumer", "version": "1.0.0", "private": true, "type": "module" }
JSON
cd "$work/app"
s=$(date +%s%N)
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz >/dev/null
step "npm install (${#packages[@]} tarballs)" "$s"
echo "[consumer]   node_modules: $(du -sh node_modules | cut -f1), $(npm ls --all --parseable 2>/dev/null | tail -n +2 | wc -l) packages"
if [ -n "${CONSUMER_WITH_GPUJS:-}" ]; then
  s=$(date +%s%N)
  npm install --no-audit --no-fund --loglevel=error gpu.js@2.24.1 >/dev/null
  step "npm install gpu.js (optional peer)" "$s"
  echo "[consumer]   node_modules with gpu.js: $(du -sh node_modules | cut -f1)"
else
  # The library alone never builds native code and does not pull gpu.js.
  natives=$(find node_modules \( -name '*.node' -o -name binding.gyp \) | head -5)
  [ -z "$natives" ] || { echo "[consumer] native code in a plain install: $natives" >&2; exit 1; }
  [ ! -e node_modules/gpu.js ] || { echo "[consumer] gpu.js was installed although it is an optional peer" >&2; exit 1; }
fi
# The public declarations of every package, before @types/node is installed: lib ES2022 only, no DOM lib,
# no Node types, skipLibCheck false. An ambient WebAssembly / DOM / Node type in a public .d.ts fails here.
s=$(date +%s%N)
if [ -e node_modules/@types/node ]; then echo "[consumer] @types/node came with the tarballs; the public-types check needs it absent" >&2; exit 1; fi
if ! "$root/node_modules/.bin/tsc" -p tsconfig.public-types.json >public-types.log 2>&1; then
  echo "[consumer] FAIL: the packages' public .d.ts files do not type-check with lib ES2022, no DOM lib, no @types/node, skipLibCheck false:" >&2
  grep 'error TS' public-types.log | sort -u | head -20 | sed 's/^/[consumer]   /' >&2
  exit 1
fi
step "public .d.ts: ES2022 only, skipLibCheck false" "$s"
s=$(date +%s%N)
npm install --no-audit --no-fund --loglevel=error --save-dev @types/node@^20.19.0 >/dev/null
step "npm install @types/node" "$s"

# 4. ESM, CommonJS, and the TypeScript program (workspace tsc 5.9.3, strict, types from the installed packages).
s=$(date +%s%N); node esm.mjs; step "ESM script" "$s"
s=$(date +%s%N); node cjs.cjs; step "CommonJS require()" "$s"
s=$(date +%s%N)
"$root/node_modules/.bin/tsc" -p tsconfig.json --strict
step "tsc --strict" "$s"
# The program and the packages' declarations without skipLibCheck, for a Node project without the DOM lib,
# checked alongside the program's run; an error fails the check.
"$root/node_modules/.bin/tsc" -p tsconfig.json --strict --skipLibCheck false --noEmit >libcheck.log 2>&1 &
libcheck=$!
s=$(date +%s%N)
POINTWISE_BACKEND='gpujs[cpu],cpu-tiled[wasm-simd]' node dist/select-and-compare.js
step "TypeScript program (56x56x512 -> 56x56x1024)" "$s"
if ! wait "$libcheck"; then
  echo "[consumer] FAIL: the program with the packages' .d.ts files does not type-check with skipLibCheck false and no DOM lib:" >&2
  sed 's/^/[consumer]   /' libcheck.log | head -20 >&2
  exit 1
fi

total=$(elapsed)
echo "[consumer] total $(( total / 1000 )).$(( total % 1000 / 100 )) s (limit ${limit} s)"
if [ "$total" -gt $(( limit * 1000 )) ]; then
  echo "[consumer] FAIL: took longer than ${limit} s" >&2
  exit 1
fi
