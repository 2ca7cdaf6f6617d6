// 5. tinystories-656k (trained weights) went through the whole pipeline: every file staged with the
//    manifest's SHA-256, validation all green (but the warning that a base model has no chat template)
//    with a gate of 0.75 (see pom.xml), and the agreement figure printed.
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def staged = new File(basedir, 'public/models/tinystories')
def manifest = C.checkStaged(staged)
assert manifest.modelType == 'llama'
C.assertSameFile(new File(basedir, 'target/edge-llm/model-q4/model.onnx'), new File(staged, 'onnx/model.onnx'))
// The shared checkpoint's tokenizer is staged as it is.
C.assertSameFile(new File(sharedFixtures, 'models/tinystories-656k/tokenizer.json'), new File(staged, 'tokenizer.json'))

def report = C.json(new File(basedir, 'target/edge-llm/validation.json'))
def chat = C.check(report, 'tokenizer.chat-template')
assert chat.status == 'WARNING' && chat.findings*.message.any { it.contains('No chat template') } :
    "tinystories has no chat template: expected that warning, got ${chat}"
def v = C.checkAllGreen(new File(basedir, 'target/edge-llm/validation.json'), [], ['tokenizer.chat-template'])
def q = C.check(v, 'quality.agreement')
double agreement = q.details.topOneAgreement
assert q.details.minTopOneAgreement == 0.75 : "the gate is 0.75, the report says ${q.details.minTopOneAgreement}"
assert agreement >= 0.75 : "top-1 agreement ${agreement}"
assert manifest.validation.status == 'passed'
def fp32 = new File(basedir, 'target/edge-llm/model-fp32/model.onnx').length()
def q4 = new File(staged, 'onnx/model.onnx').length()
def run = C.check(v, 'run.greedy')
println String.format('tinystories-656k: fp32 %,d bytes -> q4 %,d bytes; q4 top-1 agreement with fp32 %.4f over %d positions (gate %.2f), mean KL %.5f nats; greedy ids %s',
    fp32, q4, agreement, q.details.positions as int, q.details.minTopOneAgreement as double, q.details.meanKl as double,
    run.details.generatedIds ?: manifest.validation.greedyIds)
if (run.details.generatedText) {
  println "tinystories-656k greedy text: ${run.details.generatedText}"
}
return true
