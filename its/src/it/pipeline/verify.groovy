// 2. The pom's package ran export (fp32) -> quantize (q4) -> stage -> validate on tiny-gemma3:
//    - the staged folder has every file, and edge-llm.json's sizes and SHA-256 values are the files';
//    - the staged model is the quantize goal's output, and validation.json is all green;
//    - the same goals run from the command line (no pom) produce the same files, byte for byte.
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def log = new File(basedir, 'build.log').text

def fp32 = new File(basedir, 'target/edge-llm/model-fp32/model.onnx')
def q4 = new File(basedir, 'target/edge-llm/model-q4/model.onnx')
def staged = new File(basedir, 'public/models/tiny')

// The goals ran in the pom's order, in package.
def order = ['export', 'quantize', 'stage', 'validate'].collect { g ->
  def m = log =~ /--- edge-llm:[^:]+:${g} \(${g}\) @ pipeline ---/
  assert m.find() : "the build log has no execution of edge-llm:${g} (${g})"
  m.start()
}
assert order == order.sort(false) : "goals did not run in the order export, quantize, stage, validate: ${order}"

// Models: fp32 from export, 4-bit from quantize, much smaller (edgellm.quantize.keep=auto may keep
// some MatMuls at 8 bits within +10%, and the embedding stays fp32 here: 289,002 of 853,550 bytes).
assert fp32.length() > 500_000 : "${fp32} is ${fp32.length()} bytes"
assert q4.length() < fp32.length() * 0.37 : "q4 ${q4.length()} bytes is not much smaller than fp32 ${fp32.length()}"

// The staged folder and its manifest.
def manifest = C.checkStaged(staged)
C.assertSameFile(q4, new File(staged, 'onnx/model.onnx'))
assert manifest.name == 'tiny'
assert manifest.modelType == 'gemma3_text'
assert manifest.dtype == 'fp32' : "the local layout loads onnx/model.onnx with dtype fp32, manifest says ${manifest.dtype}"
assert manifest.quantization != null
def config = C.json(new File(staged, 'config.json'))
assert config.'transformers.js_config'.dtype == 'fp32'
assert config.model_type == 'gemma3_text'
assert C.json(new File(staged, 'tokenizer_config.json')).chat_template : 'tokenizer_config.json has no chat template'

// Validation: all green, the quality gate ran against the fp32 export.
def v = C.checkAllGreen(new File(basedir, 'target/edge-llm/validation.json'))
assert new File(basedir, 'target/edge-llm/validation.html').length() > 1000
def quality = C.check(v, 'quality.agreement')
double agreement = quality.details.topOneAgreement
assert agreement >= 0.4 && agreement <= 1.0 : "top-1 agreement ${agreement}"
assert manifest.validation.status == 'passed' : "edge-llm.json validation: ${manifest.validation}"
println "pipeline: staged ${C.tree(staged).collect { k, f -> "${k} (${f.length()} B)" }.join(', ')}"
println "pipeline: q4 top-1 agreement with fp32 ${agreement} over ${quality.details.positions} positions, mean KL ${quality.details.meanKl}"

// The CLI run (invocation 2, in cli/ without a pom) produced the same bytes.
def cli = new File(basedir, 'cli/out')
C.assertSameFile(fp32, new File(cli, 'model-fp32/model.onnx'))
C.assertSameFile(q4, new File(cli, 'model-q4/model.onnx'))
C.assertSameTree(staged, new File(cli, 'models/tiny'))
def cliReport = C.checkAllGreen(new File(cli, 'report/validation.json'))
assert C.check(cliReport, 'quality.agreement').details.topOneAgreement == agreement
println "pipeline: the CLI goals staged the same ${C.tree(staged).size()} files, byte for byte"
return true
