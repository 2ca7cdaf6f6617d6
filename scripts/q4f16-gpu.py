#!/usr/bin/env python3
"""Runs the q4f16 (and q4) fixture models on a CUDA GPU, teacher-forced against the goldens.

The models come from the plugin's Q4f16ExportTest, which writes them with their prompts and golden
greedy ids to edge-llm-maven-plugin/target/q4f16-gpu/NAME/ (model_q4f16.onnx, model_q4.onnx,
golden.json):

    ./mvnw -B -q -pl edge-llm-maven-plugin test -Dtest=Q4f16ExportTest -Dspotless.check.skip
    python3 scripts/q4f16-gpu.py            # needs onnxruntime-gpu (CUDA), numpy

Unlike ONNX Runtime's CPU provider, which computes inside each kernel in float32, the CUDA kernels
do float16 arithmetic, so this checks q4f16 with real float16 math. Protocol as the test's: the
prompt prefilled at once, then each golden token fed through the KV cache; at each position the
argmax is compared with the golden next token (and with q4's argmax).
"""
import json
import pathlib
import sys

import numpy as np
import onnxruntime as ort

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "edge-llm-maven-plugin/target/q4f16-gpu")
DTYPES = {"tensor(float16)": np.float16, "tensor(float)": np.float32}


class Decoder:
    def __init__(self, path, providers):
        self.session = ort.InferenceSession(str(path), providers=providers)
        self.inputs = {i.name: i for i in self.session.get_inputs()}
        self.layers = sum(1 for n in self.inputs if n.startswith("past_key_values.") and n.endswith(".key"))
        past = self.inputs["past_key_values.0.key"]
        self.kv_heads, self.head_dim = past.shape[1], past.shape[3]
        self.kv_dtype = DTYPES[past.type]

    def reset(self):
        shape = (1, self.kv_heads, 0, self.head_dim)
        self.past = {}
        for i in range(self.layers):
            for kind in ("key", "value"):
                self.past[f"past_key_values.{i}.{kind}"] = np.zeros(shape, self.kv_dtype)
        self.length = 0

    def step(self, ids):
        ids = np.asarray(ids, np.int64)[None, :]
        total = self.length + ids.shape[1]
        feeds = dict(self.past)
        feeds["input_ids"] = ids
        feeds["attention_mask"] = np.ones((1, total), np.int64)
        if "position_ids" in self.inputs:
            feeds["position_ids"] = np.arange(self.length, total, dtype=np.int64)[None, :]
        names = [o.name for o in self.session.get_outputs()]
        outs = dict(zip(names, self.session.run(names, feeds)))
        for i in range(self.layers):
            for kind in ("key", "value"):
                self.past[f"past_key_values.{i}.{kind}"] = outs[f"present.{i}.{kind}"]
        self.length = total
        logits = outs["logits"][0].astype(np.float32)
        if not np.isfinite(logits).all():
            raise RuntimeError("non-finite logits")
        return logits


def argmaxes(decoder, golden):
    out = []
    for p in golden["prompts"]:
        decoder.reset()
        last = decoder.step(p["input_ids"])[-1]
        for k, token in enumerate(p["greedy"]):
            out.append(int(np.argmax(last)))
            if k + 1 < len(p["greedy"]):
                last = decoder.step([token])[-1]
    return np.array(out)


def main():
    providers = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    print(f"onnxruntime {ort.__version__}, available providers {ort.get_available_providers()}")
    dirs = sorted(d for d in ROOT.iterdir() if (d / "model_q4f16.onnx").is_file()) if ROOT.is_dir() else []
    if not dirs:
        sys.exit(f"no models under {ROOT}: run Q4f16ExportTest first (see this file's docstring)")
    print(f"{'fixture':<22} {'positions':>9} {'q4f16 vs golden':>16} {'q4 vs golden':>13} {'q4f16 vs q4':>12}  provider")
    worst = 1.0
    for d in dirs:
        golden = json.loads((d / "golden.json").read_text())
        expected = np.array([t for p in golden["prompts"] for t in p["greedy"]])
        half = Decoder(d / "model_q4f16.onnx", providers)
        quarter = Decoder(d / "model_q4.onnx", providers)
        a = argmaxes(half, golden)
        b = argmaxes(quarter, golden)
        hg, qg, hq = (a == expected).mean(), (b == expected).mean(), (a == b).mean()
        worst = min(worst, hq)
        print(f"{d.name:<22} {len(expected):>9} {100 * hg:>15.1f}% {100 * qg:>12.1f}% {100 * hq:>11.1f}%  {half.session.get_providers()[0]}")
    print(f"lowest q4f16-vs-q4 agreement: {100 * worst:.1f}%")


if __name__ == "__main__":
    main()
