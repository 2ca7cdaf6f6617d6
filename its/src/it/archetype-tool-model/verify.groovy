// 1b. archetype -> app with a tool-calling checkpoint (-Dedgellm.checkpoint, not the demo).
//    Checked: the app's package staged that model (not flagged demo, no demo banner in the log),
//    validation passed, Vitest passed, and the browser test passed on WebGPU and WASM with the tool
//    loop: for each example query the page showed the call (name, arguments), the handler's result
//    and the final answer, token for token as Node's run (target/e2e/result.json).
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def app = new File(basedir, 'my-tools')
def log = new File(basedir, 'build.log').text

boolean success = log.substring(log.indexOf('@ my-tools ---')).contains('BUILD SUCCESS')
assert success : "the app's mvn package failed"
assert !log.contains('using the DEMO model') : 'the build fell back to the demo model'

def staged = new File(app, 'public/models/tool-model')
def manifest = C.checkStaged(staged)
assert manifest.demo == false : 'edge-llm.json flags the demo model'
C.assertSameFile(new File(itFixtures, 'tiny-functiongemma/tokenizer.json'), new File(staged, 'tokenizer.json'))
def v = C.json(new File(app, 'target/edge-llm/validation.json'))
assert manifest.validation.status == 'passed'

def vitest = log =~ /(?m)^\s+Tests\s+(\d+) passed \((\d+)\)\s*$/
assert vitest.find() && vitest.group(1) == vitest.group(2) : 'Vitest did not report all tests passed'

def e2e = C.json(new File(app, 'target/e2e/result.json'))
def failed = e2e.results.findAll { !it.ok }
assert failed.isEmpty() : "browser test checks failed: ${failed}"
assert e2e.toolQueries.size() == 2 : "the browser test ran ${e2e.toolQueries.size()} tool queries"
['webgpu', 'wasm'].each { d ->
  e2e.toolQueries.each { q ->
    ['shows the call', "shows the handler's result", 'the final answer is', "equal Node's run, token for token"].each { what ->
      assert e2e.results.any { it.name.startsWith("${d}: ${groovy.json.JsonOutput.toJson(q.query)}") && it.name.contains(what) && it.ok } :
          "${d}: no passing check '${what}' for ${q.query}"
    }
    assert q.steps*.kind == ['calls', 'result', 'text'] : "Node's run of ${q.query}: ${q.steps*.kind}"
  }
}
println "archetype-tool-model: my-tools staged tool-model (${manifest.totalSize} bytes), validation ${v.checks.size()} checks, ${vitest.group(1)} Vitest tests, ${e2e.results.size()} browser checks passed"
e2e.toolQueries.each { q -> println "  ${q.query} -> ${q.steps[0].calls} -> ${q.steps[1].content} -> ${q.steps[2].text}" }
return true
