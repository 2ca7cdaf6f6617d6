// 1. archetype -> app. Invocation 1 generated my-chat from edge-llm-archetype; invocation 2 ran the
//    app's `mvn package`. Checked here, on files and numbers:
//    - the generated project (pom with this plugin version and the model name, the npm project);
//    - public/models/my-model: every file, edge-llm.json's sizes and SHA-256 values match the files;
//    - target/edge-llm/validation.json: all green;
//    - dist/ (the built site) holds the same model files, byte for byte, and the app's code loads /models/my-model;
//    - the app's own tests passed: Vitest (counts from the log) and the Chromium browser test
//      (target/e2e/result.json: every check ok, on WebGPU and on WASM, the browser's tokens equal Node's).
import groovy.json.JsonSlurper
import groovy.xml.XmlSlurper
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def app = new File(basedir, 'my-chat')
def log = new File(basedir, 'build.log').text

// The generated project.
['pom.xml', 'package.json', 'package-lock.json', 'index.html', 'src/App.tsx', 'e2e/chat.e2e.mjs', '.gitignore'].each { f ->
  assert new File(app, f).isFile() : "the archetype did not generate ${f}"
}
def pom = new XmlSlurper().parse(new File(app, 'pom.xml'))
assert pom.groupId.text() == 'com.example' && pom.artifactId.text() == 'my-chat'
assert pom.properties.'edge-llm.version'.text() == pluginVersion : "the app uses plugin ${pom.properties.'edge-llm.version'}, not ${pluginVersion}"
assert pom.properties.'edgellm.modelName'.text() == 'my-model'
assert new JsonSlurper().parse(new File(app, 'package.json')).name == 'my-chat'

// The build ran the four goals, then built and tested the app.
['export', 'quantize', 'stage', 'validate'].each { g ->
  boolean ran = log =~ /--- edge-llm:[^:]+:${g} \(${g}\) @ my-chat ---/
  assert ran : "the app's package did not run edge-llm:${g}"
}
boolean success = log.substring(log.indexOf('@ my-chat ---')).contains('BUILD SUCCESS')
assert success : "the app's mvn package failed"

// The staged model.
def staged = new File(app, 'public/models/my-model')
def manifest = C.checkStaged(staged)
C.assertSameFile(new File(app, 'target/edge-llm/model-q4/model.onnx'), new File(staged, manifest.model))

// Validation: all green (the quality gate is skipped only when the build has no fp32 reference).
def hasReference = new File(app, 'target/edge-llm/model-fp32/model.onnx').isFile()
// The demo model (a tiny memorizing tool caller): the quality gate reports its agreement as a
// warning, every other check passes. The log and the manifest say loudly that it is the demo.
assert hasReference : 'the app build wrote no fp32 reference (target/edge-llm/model-fp32)'
def v = C.checkAllGreen(new File(app, 'target/edge-llm/validation.json'), [], ['quality.agreement', 'tokenizer.chat-template'])
assert manifest.validation.status == 'passed'
assert manifest.demo == true : 'edge-llm.json does not flag the demo model'
assert log.contains('using the DEMO model') && log.contains('MEMORIZED') : 'the log does not announce the demo checkpoint'
assert new File(app, 'target/edge-llm/demo-checkpoint/config.json').isFile() : 'no demo checkpoint in target/edge-llm/demo-checkpoint'

// The built site carries the model, byte for byte, and the app loads it from /models/my-model.
def dist = new File(app, 'dist')
assert new File(dist, 'index.html').isFile() : 'no dist/index.html'
C.assertSameTree(staged, new File(dist, 'models/my-model'))
def bundles = C.tree(new File(dist, 'assets')).findAll { k, f -> k.endsWith('.js') }.values()
assert bundles.any { it.text.contains('/models/my-model') } : 'no script in dist/assets refers to /models/my-model'

// Vitest: "Tests  N passed (N)" and nothing failed.
def vitest = log =~ /(?m)^\s+Tests\s+(\d+) passed \((\d+)\)\s*$/
assert vitest.find() && vitest.group(1) == vitest.group(2) && (vitest.group(1) as int) >= 10 : 'Vitest did not report all tests passed'
boolean vitestFailed = log =~ /(?m)^\s+Tests\s+.*\d+ failed/
assert !vitestFailed : 'Vitest reported failures'

// The browser test: every check ok, both devices, the browser streamed exactly Node's greedy tokens.
def e2e = C.json(new File(app, 'target/e2e/result.json'))
def failed = e2e.results.findAll { !it.ok }
assert failed.isEmpty() : "browser test checks failed: ${failed}"
assert e2e.results.size() >= 20 : "only ${e2e.results.size()} browser test checks"
// SwiftShader has no shader-f16: WebGPU takes the q4 fallback and the badge says so; WASM loads q4.
assert e2e.results.any { it.name == 'webgpu: the badge shows the q4 fallback (no shader-f16)' && it.ok } : 'the browser test did not see the q4 fallback on WebGPU'
assert e2e.results.any { it.name == 'webgpu: the page loaded onnx/model_q4.onnx only' && it.ok } : 'the page did not load model_q4.onnx alone on WebGPU'
assert e2e.results.any { it.name == 'wasm: the badge shows q4' && it.ok } : 'the browser test did not see q4 on WASM'
['webgpu', 'wasm'].each { d ->
  assert e2e.results.any { it.name.startsWith("${d}: streamed token ids equal Node's greedy ids") && it.ok } : "no passing token check on ${d}"
  assert e2e.timings[d]?.tokens == e2e.expected.ids.size() : "${d} streamed ${e2e.timings[d]?.tokens} tokens, Node ${e2e.expected.ids.size()}"
}
// The tool loop (the demo model calls the app's tools): at least five example queries per device, each
// showing the expected call, the handler's result and the expected answer, token for token as Node.
assert e2e.toolQueries.size() >= 5 : "only ${e2e.toolQueries.size()} example queries in the browser test"
['webgpu', 'wasm'].each { d ->
  e2e.toolQueries.each { q ->
    ['shows the call', "shows the handler's result", 'the final answer is', "equal Node's run, token for token"].each { what ->
      assert e2e.results.any { it.name.startsWith("${d}: ${groovy.json.JsonOutput.toJson(q.query)}") && it.name.contains(what) && it.ok } :
          "${d}: no passing check '${what}' for ${q.query}"
    }
  }
}
assert new File(app, 'target/e2e/chat-webgpu-tools.png').length() > 1000
assert new File(app, 'target/e2e/chat-webgpu.png').length() > 1000 && new File(app, 'target/e2e/chat-wasm.png').length() > 1000

println "archetype: my-chat staged ${manifest.files.size() + 1} files (${manifest.totalSize} bytes, demo ${manifest.demo}), validation ${v.checks.size()} checks green, ${vitest.group(1)} Vitest tests and ${e2e.results.size()} browser checks passed"
println "archetype: browser reply (${e2e.expected.ids.size()} tokens) webgpu ${e2e.timings.webgpu} wasm ${e2e.timings.wasm}"
e2e.toolQueries.each { q -> println "  ${q.query} -> ${q.steps[0].calls} -> ${q.steps[1].content} -> ${q.steps[2].text}" }
return true
