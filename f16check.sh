#!/usr/bin/env bash
# q4f16 with real float16 shader arithmetic (not a test, not part of ./mvnw verify: CI has no
# lavapipe). Chromium's WebGPU on Mesa's lavapipe (Vulkan on the CPU, with shaderFloat16 and 16-bit
# storage, so Dawn exposes shader-f16), taken from Debian's packages into a work folder (nothing
# installed but Xvfb, when missing and run as root). See README, "q4f16", and bench/f16check/.
#
#   ./f16check.sh [models|app|all]     (default: all)
#     models  Q4f16ExportTest's fixture models (q4f16 and q4 of each fixture, the default 4-bit),
#             teacher-forced on the golden tokens with onnxruntime-web on WebGPU in Chromium; prints
#             the agreement table next to ONNX Runtime's CPU figures from the same test run.
#     app     the generated app's browser test (e2e/chat.e2e.mjs) on lavapipe, WebGPU only: the
#             badge must say q4f16 and each reply (demo chat, tool loops) equal Node's q4 run.
#
# Environment: F16_DIR (work folder, default /tmp/edgellm-f16), F16_APP (a built app to test, e.g.
# its/target/it/archetype/my-chat; default: build it with the archetype IT), E2E_TOOL_QUERIES.
#
# How lavapipe is made to serve Chromium's WebGPU (Mesa 22.3, Debian 12; each step says why):
#  - a wrapper ICD (bench/f16check/lvp-wrap-icd.c) reports two features lavapipe 22.3 lacks and
#    WebGPU compute never uses (dynamic indexing of arrays of images, which Dawn requires of every
#    Vulkan device; samplerYcbcrConversion, which Chromium's Vulkan device requires) and SwiftShader's
#    PCI ids (Chromium hands out a CPU adapter only when it is SwiftShader);
#  - a copy of Chromium's folder made of hard links, without its SwiftShader ICD, so that Dawn's only
#    CPU adapter is lavapipe;
#  - Xvfb, so that ANGLE runs on Mesa's GL (llvmpipe) and Chromium counts WebGPU as accelerated;
#  - --enable-features=Vulkan (Chromium on Linux enumerates the system's Vulkan drivers only then).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
cd "$ROOT"
WHAT=${1:-all}
WORK=${F16_DIR:-/tmp/edgellm-f16}
TOOL="$ROOT/bench/f16check"
MODULE="$ROOT/edge-llm-maven-plugin"
mkdir -p "$WORK"
LVP="$WORK/lvp"
XVFB_PID=

cleanup() {
  if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

echo "== lavapipe from Debian's packages (apt-get download, dpkg -x into $LVP)"
if [ ! -f "$LVP/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" ] || [ ! -f "$LVP/usr/include/vulkan/vulkan.h" ]; then
  rm -rf "$WORK/debs" && mkdir -p "$WORK/debs"
  (cd "$WORK/debs" && apt-get download mesa-vulkan-drivers libvulkan1 libvulkan-dev 2>&1 | grep -v '^W: ' || true)
  for d in "$WORK"/debs/*.deb; do dpkg -x "$d" "$LVP"; done
fi
if [ ! -f "$LVP/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" ]; then
  echo "f16check: apt-get download mesa-vulkan-drivers libvulkan1 libvulkan-dev failed (run apt-get update?)" >&2
  exit 1
fi
LVP_LIB="$LVP/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"
if ldd "$LVP_LIB" | grep -q "not found"; then
  echo "f16check: libraries lavapipe needs are missing (apt-get install them):" >&2
  ldd "$LVP_LIB" | grep "not found" >&2
  exit 1
fi
echo "   $(dpkg-deb -f "$WORK"/debs/mesa-vulkan-drivers_*.deb Package Version 2>/dev/null | paste -sd' ')"

echo "== the wrapper ICD (gcc)"
gcc -shared -fPIC -O2 -Wall -fvisibility=hidden -I"$LVP/usr/include" \
  -o "$WORK/libvulkan_edgellm_lvp.so" "$TOOL/lvp-wrap-icd.c" -ldl
cat >"$WORK/edgellm_lvp_icd.json" <<EOF
{ "file_format_version": "1.0.0",
  "ICD": { "library_path": "$WORK/libvulkan_edgellm_lvp.so", "api_version": "1.3.230" } }
EOF

echo "== Chromium without its SwiftShader ICD ($WORK/chromium, hard links to /usr/lib/chromium)"
rm -rf "$WORK/chromium"
cp -al /usr/lib/chromium "$WORK/chromium" 2>/dev/null || cp -a /usr/lib/chromium "$WORK/chromium"
rm -f "$WORK/chromium/libvk_swiftshader.so" "$WORK/chromium/vk_swiftshader_icd.json"

echo "== Xvfb"
if ! command -v Xvfb >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends xvfb >/dev/null
  else
    echo "f16check: Xvfb is missing: apt-get install -y xvfb" >&2
    exit 1
  fi
fi
DISPLAY_NUMBER=$((200 + RANDOM % 500))
Xvfb ":$DISPLAY_NUMBER" -screen 0 1280x1024x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
sleep 2
kill -0 "$XVFB_PID" 2>/dev/null || { cat "$WORK/xvfb.log" >&2; exit 1; }

export DISPLAY=":$DISPLAY_NUMBER"
export VK_ICD_FILENAMES="$WORK/edgellm_lvp_icd.json"
export LD_LIBRARY_PATH="$LVP/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export EDGELLM_LVP_LIBRARY="$LVP_LIB" EDGELLM_SPOOF_YCBCR=1 EDGELLM_AS_SWIFTSHADER=1
export CHROMIUM="$WORK/chromium/chromium"
FLAGS="--use-gl=angle --use-angle=gl --ignore-gpu-blocklist --ozone-platform=x11 --enable-features=Vulkan"
export ONNXRUNTIME_NODE_INSTALL=skip

if [ "$WHAT" = models ] || [ "$WHAT" = all ]; then
  echo "== the fixture models (Q4f16ExportTest writes them to $MODULE/target/q4f16-gpu)"
  ./mvnw -B -q -pl edge-llm-maven-plugin test -Dtest=Q4f16ExportTest -Dspotless.check.skip
  (cd "$TOOL" && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund; })
  echo "== teacher-forced on WebGPU (lavapipe, shader-f16) in Chromium"
  CHROMIUM_ARGS="$FLAGS" node "$TOOL/teacher-forced.mjs" "$MODULE/target/q4f16-gpu" \
    --json "$WORK/teacher-forced.json" \
    --cpu "$MODULE/target/surefire-reports/TEST-dev.edgellm.export.Q4f16ExportTest.xml"
fi

if [ "$WHAT" = app ] || [ "$WHAT" = all ]; then
  APP=${F16_APP:-}
  if [ -z "$APP" ]; then
    echo "== the demo app (archetype IT: generate, mvn package with q4f16,q4 staged, npm build)"
    ./mvnw -B -q -pl edge-llm-maven-plugin,edge-llm-archetype,its -am verify -Dinvoker.test=archetype \
      -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dspotless.check.skip
    APP="$ROOT/its/target/it/archetype/my-chat"
  fi
  APP=$(cd "$APP" && pwd)
  echo "== the app's browser test on lavapipe ($APP, WebGPU)"
  cp "$ROOT/edge-llm-archetype/src/main/resources/archetype-resources/e2e/"*.mjs "$APP/e2e/"
  (cd "$APP" && E2E_DEVICES=webgpu E2E_OUT="$WORK/e2e" E2E_TIMEOUT_MS=${E2E_TIMEOUT_MS:-900000} \
    E2E_CHROMIUM_ARGS="$FLAGS" node e2e/chat.e2e.mjs)
fi
