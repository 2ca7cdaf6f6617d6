#!/usr/bin/env bash
# Measurement (not a test; see README.md): exports every kind of graph the plugin writes for each
# tiny fixture, then runs them on onnxruntime-web's WASM backend (the asyncify build Transformers.js
# loads, and the plain WASM build) against onnxruntime-node's CPU. About 6 minutes on 2 busy cores.
#   bench/wasm-ops/run.sh [OUT_DIR]    (default /tmp/edgellm-wasm-ops)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-/tmp/edgellm-wasm-ops}"
module="$root/edge-llm-maven-plugin"
(cd "$root" && ./mvnw -B -q -pl edge-llm-maven-plugin test-compile dependency:build-classpath \
  -Dspotless.check.skip -Dmdep.outputFile="$module/target/bench.classpath" -Dmdep.includeScope=test)
rm -rf "$out/models"
(cd "$module" && java -Xmx1g -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
  dev.edgellm.bench.WasmOpsModels "$out/models" | grep -v '^wrote ' || true)
(cd "$here" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund >/dev/null)
# the probe prints its table and writes the JSON, then may not exit on its own (onnxruntime-web's
# module keeps the process alive; even process.exit stalled here): a timeout ends it
for build in asyncify plain; do
  timeout 1800 node "$here/probe.mjs" "$out/models" --build "$build" --json "$out/$build.json" || true
done
