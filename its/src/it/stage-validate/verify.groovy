// stage wrote public/models/tiny-gemma3 (the default folder, named after the checkpoint) with every file
// Transformers.js needs, and validate (after it, in package) passed and wrote its report.
import groovy.json.JsonSlurper

def dir = new File(basedir, 'public/models/tiny-gemma3')
def files = []
dir.eachFileRecurse { if (it.isFile()) files << dir.toPath().relativize(it.toPath()).toString() }
assert files.sort() == ['config.json', 'edge-llm.json', 'generation_config.json', 'onnx/model.onnx',
                        'tokenizer.json', 'tokenizer_config.json'] : "staged files: ${files.sort()}"
def config = new JsonSlurper().parse(new File(dir, 'config.json'))
assert config['transformers.js_config'].dtype == 'fp32'
def manifest = new JsonSlurper().parse(new File(dir, 'edge-llm.json'))
assert manifest.validation.status == 'passed' : "edge-llm.json validation: ${manifest.validation}"
assert manifest.validation.greedyIds.size() == 9
assert manifest.demo == false
def report = new JsonSlurper().parse(new File(basedir, 'target/edge-llm/validation.json'))
assert report.passed
assert new File(basedir, 'target/edge-llm/validation.html').text.contains('run.greedy')
// fp32 reference = the staged model itself: the quality gate is skipped, not failed
assert report.checks.find { it.id == 'quality.agreement' }.status == 'SKIPPED'
def log = new File(basedir, 'build.log').text
assert log.indexOf('Staged onnx/model.onnx') < log.indexOf('Validation passed') : 'validate did not run after stage'
assert log.contains('Validation passed')
return true
