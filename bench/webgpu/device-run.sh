#!/usr/bin/env bash
# Runs on the GPU machine (no Java, Node or network), from the repository root, with the folder that
# bench/webgpu/pack.sh filled carried along:
#   bash bench/webgpu/device-run.sh FOLDER MODE
# MODE gpu:  each model variant on WebGPU (Dawn on the machine's Vulkan driver);
# MODE wasm: each variant on the WASM backend with THREADS threads (default: all cores).
# Unpacks node and the npm packages, prints the GPU and Vulkan set-up, runs bench.mjs once per
# variant and backend (each under its own timeout, so a hang costs one row, not the call), appends
# each result to $OUT/results.jsonl and prints the table. Variables: VARIANTS (default below),
# THREADS (wasm), PREFILL (128,512), DECODE (128), STEP_TIMEOUT (150 s).
set -uo pipefail
B=$(cd "${1:?FOLDER}" && pwd)
MODE=${2:-gpu}
R=${OUT:-/tmp/bench-out}
mkdir -p "$R"
LOG="$R/log-$MODE${THREADS:-}.txt"
exec > >(tee -a "$LOG") 2>&1
T=/tmp/edgellm-webgpu
mkdir -p "$T" bench/webgpu/node_modules

unxz_to() { # file.xz target
  if command -v xz >/dev/null; then xz -dc "$1" >"$2"; else
    python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  fi
}
unxz_to "$B/node.xz" "$T/node" && chmod +x "$T/node"
unxz_to "$B/nm.tar.xz" "$T/nm.tar" && tar -xf "$T/nm.tar" -C bench/webgpu/node_modules
NODE="$T/node"
echo "node $("$NODE" -v) on $(uname -m), $(nproc) cores; $(nvidia-smi -L 2>/dev/null | head -1)"

# Vulkan: the system loader if there is one, else the packed one; the NVIDIA ICD where the driver
# mount has it (README of the device tool).
if ! ldconfig -p | grep 'libvulkan.so.1' >/dev/null; then
  export LD_LIBRARY_PATH="$B/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "Vulkan loader: packed ($B/lib)"
else
  echo "Vulkan loader: $(ldconfig -p | grep 'libvulkan.so.1' | head -1)"
fi
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
  /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then
    export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
    echo "Vulkan ICD: $icd: $(tr -d '\n ' <"$icd" | head -c 200)"
    break
  fi
done
[ -n "${VK_DRIVER_FILES:-}" ] || echo "no NVIDIA Vulkan ICD json found; Dawn searches the default paths"

# by default WebGPU runs the export's own layout (shared 4-bit embedding), WASM the -wasm variants
# (float32 embedding: onnxruntime-web's WASM build has no GatherBlockQuantized kernel)
if [ -z "${VARIANTS:-}" ]; then
  if [ "$MODE" = wasm ]; then VARIANTS=$(ls "$B/models" | grep -- -wasm); else VARIANTS=$(ls "$B/models" | grep -v -- -wasm); fi
fi
STEP=${STEP_TIMEOUT:-150}
bench() { # label args...
  local v=$1
  shift
  timeout -k 5 "$STEP" "$NODE" bench/webgpu/bench.mjs --model "$B/models/$v" --label "$v" \
    --prefill "${PREFILL:-128,512}" --decode "${DECODE:-128}" --json "$R/results.jsonl" "$@" |
    grep -v 'W:onnxruntime'
  local rc=${PIPESTATUS[0]}
  # 137: bench.mjs ends itself with SIGKILL once it has written its results (see its last lines)
  [ "$rc" = 0 ] || [ "$rc" = 137 ] || {
    echo "  $v $*: exit $rc (124 = over ${STEP}s)"
    echo "{\"label\":\"$v\",\"ep\":\"$*\",\"error\":\"exit $rc (124: over ${STEP} s)\"}" >>"$R/results.jsonl"
  }
}
for v in $VARIANTS; do
  case "$MODE" in
    gpu) bench "$v" --ep webgpu ;;
    wasm) bench "$v" --ep wasm --threads "${THREADS:-$(nproc)}" ;;
    *) echo "MODE is gpu or wasm" && exit 2 ;;
  esac
done
"$NODE" bench/webgpu/bench.mjs --table "$R/results.jsonl" | tee "$R/table-$MODE${THREADS:-}.md"
