// The export goal, bound to package by default, wrote the fp32 model under target/edge-llm/model-fp32
// and left no temporary or scratch file behind.
def dir = new File(basedir, 'target/edge-llm/model-fp32')
def model = new File(dir, 'model.onnx')
assert model.isFile() : "no ${model}"
assert model.length() > 500_000 : "model.onnx is only ${model.length()} bytes"
def names = dir.list().sort()
assert names == ['model.onnx'] : "unexpected files in ${dir}: ${names}"
def log = new File(basedir, 'build.log').text
assert log.contains('edge-llm:') && log.contains(':export') : 'export did not run'
assert log.contains('gemma3_text: 4 layers') : 'no progress line'
println "export wrote ${model.length()} bytes"
return true
