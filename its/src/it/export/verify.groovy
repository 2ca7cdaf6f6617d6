// The export goal, bound to package by default, wrote the q4 model (default) under
// target/edge-llm/model-q4 and, in a second execution, the fp32 one under target/edge-llm/model-fp32,
// leaving no temporary or scratch file behind.
['model-q4', 'model-fp32'].each { name ->
  def dir = new File(basedir, "target/edge-llm/${name}")
  def model = new File(dir, 'model.onnx')
  assert model.isFile() : "no ${model}"
  assert model.length() > 100_000 : "${model} is only ${model.length()} bytes"
  def names = dir.list().sort()
  // model.onnx and the up-to-date fingerprint only: no temporary or scratch file
  assert names == ['.edge-llm-export.fingerprint', 'model.onnx'] : "unexpected files in ${dir}: ${names}"
  println "export wrote ${model} (${model.length()} bytes)"
}
def q4 = new File(basedir, 'target/edge-llm/model-q4/model.onnx').length()
def fp32 = new File(basedir, 'target/edge-llm/model-fp32/model.onnx').length()
assert q4 < fp32 / 3 : "q4 (${q4} bytes) is not much smaller than fp32 (${fp32} bytes)"
def log = new File(basedir, 'build.log').text
assert log.contains('export: ') && log.contains('gemma3_text, 4 layers') : 'no progress line'
assert log.contains("embedding shares the lm_head's 4-bit weight") : 'q4 did not share the tied embedding'
return true
