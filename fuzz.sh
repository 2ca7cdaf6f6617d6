#!/usr/bin/env bash
# The long fuzz pass: each reader of untrusted bytes (safetensors, ONNX, config.json,
# tokenizer_config.json, adapter_config.json, the Hub client's answers) under Jazzer for SECONDS
# (default 600), one child JVM per reader, seeded from the committed fixtures; prints executions and
# findings per reader and exits non-zero on any finding (inputs in edge-llm-maven-plugin/target/fuzz/<reader>/crash-*).
#   ./fuzz.sh [SECONDS] [READER...]
# The test suite runs a short pass of each (FuzzSmokeTest).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
./mvnw -B -q -pl edge-llm-maven-plugin -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test -Dspotless.check.skip
cd edge-llm-maven-plugin
exec java -cp "target/test-classes:target/classes:$(cat target/test.classpath)" \
  dev.edgellm.fuzz.FuzzReaders --seconds "$seconds" --work target/fuzz "$@"
