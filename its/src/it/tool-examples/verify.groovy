// tool examples. Invocation 2 ran the generated app's package on the trained tiny FunctionGemma:
// validate replayed the app's tools/examples.json through the tool loop (chat template, tokenizer,
// greedy ONNX Runtime run, call parsing, tool responses, final answer) on the 4-bit and the fp32
// model. Invocation 3 quantized the embedding too and must fail, naming the examples that regressed.
import groovy.json.JsonSlurper
def app = new File(basedir, 'tool-chat')
def log = new File(basedir, 'build.log').text

def pom = new groovy.xml.XmlSlurper().parse(new File(app, 'pom.xml'))
assert pom.properties.'edgellm.validate.examples'.text().endsWith('/tools/examples.json')
assert pom.properties.'edgellm.validate.tools'.text().endsWith('/tools/tool-definitions.json')

def rates = { File report ->
  def v = new JsonSlurper().parse(report)
  def c = v.checks.find { it.id == 'quality.examples' }
  assert c != null : "${report} has no quality.examples"
  return c
}

// Invocation 2: passed, rates for both models, the top-1 figure at most a warning.
def pass = rates(new File(app, 'target/edge-llm/validation.json'))
assert pass.status in ['PASSED', 'WARNING'] : "quality.examples ${pass.status}: ${pass.findings}"
def staged = pass.details.rates.staged
def fp32 = pass.details.rates.reference
assert fp32 != null : 'no fp32 reference rates'
assert staged.toolCallExamples > 0 && staged.toolCallExamples == fp32.toolCallExamples
assert fp32.argumentsExact == 44 && fp32.answersExact == 44 : "fp32 ${fp32}"
assert staged.argumentsExact == 44 : "4-bit ${staged} vs fp32 ${fp32}"
assert pass.details.perExample.size() == pass.details.examplesRun.split(' ')[0] as int
assert pass.details.perExample[0].query == 'What is 15 plus 27?'
assert new File(app, 'target/edge-llm/validation.html').text.contains('15 plus 27 equals 42.')
def agreement = new JsonSlurper().parse(new File(app, 'target/edge-llm/validation.json')).checks.find { it.id == 'quality.agreement' }
assert agreement.status != 'FAILED'
assert log =~ /examples \[staged\] \d+\/\d+ examples\.json #1: call ok/ : 'no per-example progress in the log'

// Invocation 3: failed in validate, naming the regressed examples.
def fail = rates(new File(app, 'target/edge-llm/q4-embeddings/validation.json'))
assert fail.status == 'FAILED'
def error = fail.findings.find { it.severity == 'ERROR' }
assert error.message.contains('regressed (right with fp32, wrong now): examples.json #') : error.message
assert log.contains('quality.examples: The staged model') && log.contains('BUILD FAILURE')

println "tool examples: 4-bit (fp32 embedding) calls ${staged.argumentsExact}/${staged.toolCallExamples}, answers ${staged.answersExact}/${staged.answerExamples}; fp32 calls ${fp32.argumentsExact}/${fp32.toolCallExamples}, answers ${fp32.answersExact}/${fp32.answerExamples}"
println "tool examples: 4-bit embedding too: calls ${fail.details.rates.staged.argumentsExact}/${fail.details.rates.staged.toolCallExamples}: ${error.message}"
return true
