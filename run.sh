#!/usr/bin/env bash
# The main job: a Hugging Face checkpoint to a validated, browser-ready model inside a built web app,
# then served. Usage: ./run.sh [CHECKPOINT_DIR] [MODEL_NAME]
#   CHECKPOINT_DIR  default: ../shared/fixtures/models/tinystories-656k when present, else the
#                   plugin's demo checkpoint (tiny Gemma 3, random weights)
#   SERVE=0 ./run.sh ...   builds without serving at the end
set -euo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
cd "$ROOT"
export ONNXRUNTIME_NODE_INSTALL=skip

CKPT=${1:-}
NAME=${2:-}
EXTRA=()
if [ -z "$CKPT" ] && [ -d ../shared/fixtures/models/tinystories-656k ]; then
  CKPT=$(cd ../shared/fixtures/models/tinystories-656k && pwd)
fi
if [ -n "$CKPT" ]; then
  CKPT=$(cd "$CKPT" && pwd)
  NAME=${NAME:-$(basename "$CKPT" | tr 'A-Z_. ' 'a-z---')}
  EXTRA+=("-Dedgellm.checkpoint=$CKPT")
fi
NAME=${NAME:-demo-model}

echo "run.sh: building the plugin and the archetype"
./mvnw -B -q install -DskipTests -Dinvoker.skip=true

WORK="$ROOT/target/main-job"
APP="$WORK/edge-llm-app"
rm -rf "$WORK" && mkdir -p "$WORK"
echo "run.sh: generating the web app in $APP"
(cd "$WORK" && "$ROOT/mvnw" -B -q org.apache.maven.plugins:maven-archetype-plugin:3.4.0:generate \
  -DarchetypeGroupId=dev.edgellm -DarchetypeArtifactId=edge-llm-archetype -DarchetypeVersion=0.1.0-SNAPSHOT \
  -DgroupId=com.example -DartifactId=edge-llm-app -DmodelName="$NAME" -DinteractiveMode=false)

echo "run.sh: mvn package in the app: export → quantize → stage → validate → front-end build and tests"
(cd "$APP" && "$ROOT/mvnw" -B package "${EXTRA[@]}")

echo
echo "run.sh: staged model:      $APP/public/models/$NAME"
echo "run.sh: validation report: $APP/target/edge-llm/validation.html"
echo "run.sh: built app:         $APP/dist"
if [ "${SERVE:-1}" != 0 ]; then
  echo "run.sh: serving the built app on http://localhost:4173/ (Ctrl-C to stop)"
  cd "$APP" && exec npx --no-install vite preview --host 127.0.0.1 --port 4173 --strictPort
fi
