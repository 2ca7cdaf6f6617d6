// A hand-made folder with config.json only and a model named model_q4.onnx: validate fails the build,
// names the failing checks with file and fix, and still writes the report.
import groovy.json.JsonSlurper

def log = new File(basedir, 'build.log').text
assert log.contains('Validation FAILED') : 'no failure summary'
assert log.contains('files.present: tokenizer.json is missing')
assert log.contains('model.layout: config.json declares no transformers.js_config.dtype')
assert log.contains('Fix: ')
def report = new JsonSlurper().parse(new File(basedir, 'target/edge-llm/validation.json'))
assert !report.passed
def failed = report.checks.findAll { it.status == 'FAILED' }*.id
assert failed.containsAll(['files.present', 'model.layout', 'model.parses']) : "failed: ${failed}"
return true
