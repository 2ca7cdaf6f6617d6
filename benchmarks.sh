#!/usr/bin/env bash
# Benchmarks (not tests): each prints its own figures. Usage: ./benchmarks.sh [quantize|export|adapter|quality|all]
#   quantize: a generated 270M-shaped fp32 graph (1.07 GB) → 4-bit, -Xmx512m, 3 runs
#   export:   a random bf16 checkpoint with Gemma 3 270M's real config (536 MB) → q4, -Xmx1g, 2 runs
#   adapter:  the same export with and without a rank-16 PEFT LoRA on all 126 projections, -Xmx1g,
#             alternating, 5 runs each after a warm-up: wall and CPU time (medians, ranges), the
#             merge's share of each, peak heap, load average
#   quality:  every edgellm.quantize.method on the trained fixtures (../shared/fixtures/models): size,
#             tiny-functiongemma's tool loop, tinystories-656k's top-1 / KL / perplexity ratio vs fp32
# Generated inputs are kept in $BENCH_DIR (default /tmp/edgellm-bench) and reused.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
cd "$ROOT"
WORK=${BENCH_DIR:-/tmp/edgellm-bench}
MODULE="$ROOT/edge-llm-maven-plugin"
./mvnw -B -q -pl edge-llm-maven-plugin test-compile dependency:build-classpath \
  -Dmdep.outputFile="$MODULE/target/bench.classpath" -Dmdep.includeScope=test
CP="$MODULE/target/classes:$MODULE/target/test-classes:$(cat "$MODULE/target/bench.classpath")"
what=${1:-all}
if [ "$what" = quantize ] || [ "$what" = all ]; then
  echo "== quantize benchmark (-Xmx512m)"
  java -Xmx512m -Xss8m -cp "$CP" dev.edgellm.quantize.QuantizeBenchmark "$WORK" 3
fi
if [ "$what" = export ] || [ "$what" = all ]; then
  echo "== export benchmark (-Xmx1g)"
  (cd "$MODULE" && java -Xmx1g -Xss8m -cp "$CP" dev.edgellm.bench.ExportBenchmark q4 shared "$WORK")
fi
if [ "$what" = adapter ] || [ "$what" = all ]; then
  echo "== adapter merge benchmark (-Xmx1g)"
  (cd "$MODULE" && java -Xmx1g -Xss8m -cp "$CP" dev.edgellm.bench.AdapterBenchmark "$WORK" 5)
fi
if [ "$what" = quality ] || [ "$what" = all ]; then
  echo "== quality benchmark (methods on the trained fixtures)"
  (cd "$MODULE" && java -Xss8m -cp "$CP" dev.edgellm.export.QualityBenchmark "$ROOT/../shared/fixtures/models" "$WORK/quality")
fi
