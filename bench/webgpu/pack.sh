#!/usr/bin/env bash
# Assembles what the WebGPU benchmark needs on a machine with no Java, Node or network into ONE
# folder of the repository that git ignores (default .bench, added to .git/info/exclude), to be
# named in the device tool's `carry`. Run from the repository root:  bench/webgpu/pack.sh [FOLDER]
#   FOLDER/node.xz          this machine's node binary, stripped (x86-64, glibc; ~22 MB)
#   FOLDER/nm.tar.xz        bench/webgpu/node_modules as far as bench.mjs needs it: onnxruntime-web's
#                           WebGPU build (ort.webgpu.min.mjs + the asyncify wasm, what Transformers.js
#                           loads) and webgpu's linux-x64 dawn.node (~9 MB)
#   FOLDER/lib/libvulkan.so.1  a Vulkan loader for Dawn (Debian's libvulkan1, else Chromium's copy)
#   FOLDER/models/VARIANT/  model skeletons of the 270M-shaped model (WebGpuBenchModels: q4, q4-acc4,
#                           q4f16 when this build's export knows it, q4-wasm and q4-wasm-acc4 with a
#                           float32 embedding for the WASM backend), weights regenerated there
# Variables: SKIP_EXCLUDE=1 (FOLDER is ignored already), BENCH_DIR (the random checkpoint and exports, default /tmp/edgellm-bench),
#            VARIANTS (default q4,q4-acc4,q4f16,q4-wasm,q4-wasm-acc4), XZ_LEVEL (default 6).
set -euo pipefail
ROOT=$(git rev-parse --show-toplevel)
cd "$ROOT"
OUT=${1:-.bench}
WORK=${BENCH_DIR:-/tmp/edgellm-bench}
VARIANTS=${VARIANTS:-q4,q4-acc4,q4f16,q4-wasm,q4-wasm-acc4}
LEVEL=${XZ_LEVEL:-6}
case "$OUT" in /* | *..*) echo "FOLDER must be a path inside the repository, e.g. .bench" >&2; exit 2 ;; esac
[ "$(uname -m)" = x86_64 ] || { echo "pack on x86-64: the device is x86-64" >&2; exit 1; }
if [ -z "${SKIP_EXCLUDE:-}" ]; then
  EXCLUDE=$(git rev-parse --git-path info/exclude)
  mkdir -p "$(dirname "$EXCLUDE")"
  grep -qxF "/$OUT/" "$EXCLUDE" 2>/dev/null || echo "/$OUT/" >>"$EXCLUDE"
fi

echo "== npm packages (bench/webgpu/package-lock.json)"
(cd bench/webgpu && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error)
mkdir -p "$OUT/lib" "$OUT/models"

echo "== model skeletons ($VARIANTS)"
MODULE="$ROOT/edge-llm-maven-plugin"
./mvnw -B -q -pl edge-llm-maven-plugin test-compile dependency:build-classpath -Dspotless.check.skip \
  -Dmdep.outputFile="$MODULE/target/bench.classpath" -Dmdep.includeScope=test
rm -rf "$OUT/models"/*
(cd "$MODULE" && java -Xmx1500m -Xss8m \
  -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
  dev.edgellm.bench.WebGpuBenchModels "$WORK" "$ROOT/$OUT/models" "$VARIANTS")

echo "== node $(node -v) (stripped, xz -$LEVEL)"
NODE=$(readlink -f "$(command -v node)")
file "$NODE" | grep -q 'x86-64' || { echo "$NODE is not an x86-64 binary" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$NODE" "$tmp/node"
strip "$tmp/node" 2>/dev/null || true
xz -"$LEVEL" -T2 -c "$tmp/node" >"$OUT/node.xz"

echo "== node_modules for bench.mjs (xz -$LEVEL)"
(cd bench/webgpu/node_modules && tar -cf - \
  onnxruntime-web/package.json \
  onnxruntime-web/dist/ort.webgpu.min.mjs \
  onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.mjs \
  onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.wasm \
  webgpu/package.json webgpu/index.js webgpu/dist/linux-x64/dawn.node) | xz -"$LEVEL" -T2 >"$OUT/nm.tar.xz"

echo "== Vulkan loader"
rm -f "$OUT/lib/libvulkan.so.1"
if (cd "$tmp" && apt-get download libvulkan1 >/dev/null 2>&1); then
  dpkg -x "$tmp"/libvulkan1_*.deb "$tmp/vk"
  cp -L "$(find "$tmp/vk" -name 'libvulkan.so.1' | head -1)" "$OUT/lib/libvulkan.so.1"
  echo "libvulkan1 from apt: $(basename "$tmp"/libvulkan1_*.deb)"
elif [ -f /usr/lib/chromium/libvulkan.so.1 ]; then
  cp -L /usr/lib/chromium/libvulkan.so.1 "$OUT/lib/libvulkan.so.1"
  echo "libvulkan.so.1 copied from Chromium"
else
  echo "WARNING: no Vulkan loader packed; the device must have libvulkan.so.1 (ldconfig -p | grep libvulkan)"
fi

echo "== sizes"
du -ab "$OUT" | sort -n | tail -12
tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
packed=$(du -sb "$OUT" | cut -f1)
total=$((tracked + packed))
awk -v t="$tracked" -v p="$packed" -v o="$OUT" 'BEGIN { printf "tracked files %.1f MiB + %s %.1f MiB = %.1f MiB of the 64 MiB a run carries\n", t / 1048576, o, p / 1048576, (t + p) / 1048576 }'
if [ "$total" -gt $((64 * 1048576)) ]; then
  echo "TOO LARGE for one run: see bench/webgpu/README.md (split models into a second folder)" >&2
  exit 1
fi
echo "packed: carry [\"$OUT\"] and run the commands in bench/webgpu/README.md"
