// 5. tinystories-656k (trained weights) went through the whole pipeline: every file staged with the
//    manifest's SHA-256, validation all green (but the warning that a base model has no chat template)
//    with the default gate of 0.9, at no more than 1.1x the size of the all-4-bit round-to-nearest
//    model (quantize-rtn, the output before issue 13), and the agreement figure printed.
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
assert q.details.minTopOneAgreement == 0.9 : "the gate is the default 0.9, the report says ${q.details.minTopOneAgreement}"
assert agreement >= 0.9 : "top-1 agreement ${agreement}"
assert manifest.validation.status == 'passed'
def fp32 = new File(basedir, 'target/edge-llm/model-fp32/model.onnx').length()
def q4 = new File(staged, 'onnx/model.onnx').length()
def rtn = new File(basedir, 'target/edge-llm/model-q4-rtn/model.onnx').length()
assert q4 <= 1.1 * rtn : "the default q4 is ${q4} bytes, over 1.1x the rtn/none model's ${rtn}"
println String.format('tinystories-656k: default q4 %,d bytes = %.4fx the rtn/none q4 (%,d bytes)', q4, q4 / (double) rtn, rtn)
def run = C.check(v, 'run.greedy')
println String.format('tinystories-656k: fp32 %,d bytes -> q4 %,d bytes; q4 top-1 agreement with fp32 %.4f over %d positions (gate %.2f), mean KL %.5f nats; greedy ids %s',
    fp32, q4, agreement, q.details.positions as int, q.details.minTopOneAgreement as double, q.details.meanKl as double,
    run.details.generatedIds ?: manifest.validation.greedyIds)
if (run.details.generatedText) {
  println "tinystories-656k greedy text: ${run.details.generatedText}"
}
return true
