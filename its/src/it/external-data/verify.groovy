// external data through Maven: the q4 export, the fp32 export and quantize each wrote model.onnx plus
// several chunks (model.onnx_data, model.onnx_data_1, ...); stage copied the q4 export's chunks and
// declared them in transformers.js_config.use_external_data_format; validate passed, its
// model.external-data check and its real run included.
import groovy.json.JsonSlurper

def chunks = { File d -> (d.list() as List).findAll { it ==~ /model\.onnx_data(_[1-9][0-9]*)?/ }.sort() }
def out = new File(basedir, 'target/edge-llm')
['model-q4', 'model-fp32', 'quantized'].each { name ->
  def c = chunks(new File(out, name))
  assert c.size() > 2 : "${name}: chunks ${c}"
  c.each { assert new File(out, "${name}/${it}").length() <= 65536 || c.size() > 0 }
}
def dir = new File(basedir, 'public/models/tiny-gemma3')
def n = chunks(new File(out, 'model-q4')).size()
assert chunks(new File(dir, 'onnx')).size() == n
def config = new JsonSlurper().parse(new File(dir, 'config.json'))
assert config['transformers.js_config'].use_external_data_format == ['model.onnx': n] : "${config['transformers.js_config']}"
def manifest = new JsonSlurper().parse(new File(dir, 'edge-llm.json'))
assert manifest.externalData.size() == n
assert manifest.externalData.every { p -> manifest.files.find { it.path == p && it.sha256.size() == 64 } }
assert manifest.validation.status == 'passed' : "edge-llm.json validation: ${manifest.validation}"
def report = new JsonSlurper().parse(new File(out, 'validation.json'))
assert report.passed
assert report.checks.find { it.id == 'model.external-data' }.status == 'PASSED'
assert report.checks.find { it.id == 'run.greedy' }.status == 'PASSED'
assert report.checks.find { it.id == 'ops.wasm' }.status == 'WARNING' : 'the shared 4-bit embedding is WebGPU only'
def log = new File(basedir, 'build.log').text
assert log.contains('with external data in chunks of at most 65536 bytes')
assert log.contains('external data chunk(s)')
println "external-data: ${n} chunks staged, validation passed"
return true
