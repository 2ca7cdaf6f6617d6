#!/usr/bin/env bash
# The big-model run (not a test; about 12 GB of disk, ~15 minutes on 2 cores): a random bf16 checkpoint
# with Llama 3.2 3B's real config (6.4 GB) → q4 export with external data (edgellm.export.externalData=true:
# at 2.01 GB the model is just under 2 GiB; onnx/model.onnx + model.onnx_data, model.onnx_data_1, ...) → stage → validate (ONNX Runtime runs
# it from the chunks) → Node: Transformers.js 4.x loads the staged folder and generates 8 greedy tokens,
# compared with onnxruntime-node's greedy run of the same files. Prints tokens, times and sizes.
# Usage: ./bigmodel.sh [CONFIG CHUNK_BYTES]   (a smaller config and a forced chunk size: a dry run)
# Work folder: $BIG_DIR (default /tmp/edgellm-big); the checkpoint is kept and reused, CLEAN=1 deletes
# the whole folder at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
cd "$ROOT"
WORK=${BIG_DIR:-/tmp/edgellm-big}
MODULE="$ROOT/edge-llm-maven-plugin"
PROOF="$MODULE/src/test/node/tjs-proof"
./mvnw -B -q -pl edge-llm-maven-plugin test-compile dependency:build-classpath \
  -Dmdep.outputFile="$MODULE/target/bench.classpath" -Dmdep.includeScope=test
CP="$MODULE/target/classes:$MODULE/target/test-classes:$(cat "$MODULE/target/bench.classpath")"
args=("$WORK")
if [ $# -ge 1 ]; then args+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")" "${2:-1073741824}"); fi
echo "== generate, export q4 (external data), stage, validate (-Xmx2g)"
start=$(date +%s)
(cd "$MODULE" && java -Xmx2g -Xss8m -cp "$CP" dev.edgellm.bench.BigModel "${args[@]}")
echo "== Transformers.js and onnxruntime-node in Node"
(cd "$PROOF" && node ensure-deps.mjs && node bigmodel.mjs "$WORK/public/models/llama-3.2-3b-random" 8)
echo "== disk: $(du -sh "$WORK" | cut -f1) in $WORK; total $(( $(date +%s) - start )) s"
if [ "${CLEAN:-0}" = 1 ]; then rm -rf "$WORK"; echo "deleted $WORK"; fi
