// adapter: the generated app's pom, given a base checkpoint and an mlx_lm lora adapter folder on the
// command line (no fuse step), exported the merged model. Checked here:
//  - the log: the adapter was read and merged (layout, rank, scale, weights), the four goals ran;
//  - the generated pom documents edgellm.checkpoint (folder) and edgellm.adapter;
//  - public/models/tuned: every file; edge-llm.json records the adapter, its layout and SHA-256;
//  - validation all green; the export's fingerprint records the adapter (so a new adapter re-exports).
import groovy.xml.XmlSlurper
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def app = new File(basedir, 'tuned-chat')
def log = new File(basedir, 'build.log').text
def adapter = new File(itFixtures, 'tiny-gemma3-mlx-lora/adapter')

def pomText = new File(app, 'pom.xml').text
assert pomText.contains('<edgellm.checkpoint>') && pomText.contains('<edgellm.adapter>') :
  'the generated pom does not document edgellm.checkpoint and edgellm.adapter'
assert pomText.contains('mlx_lm lora') : 'the generated pom does not say what an adapter folder is'

['export', 'quantize', 'stage', 'validate'].each { g ->
  boolean ran = log =~ /--- edge-llm:[^:]+:${g} \(${g}\) @ tuned-chat ---/
  assert ran : "the app's package did not run edge-llm:${g}"
}
boolean success = log.substring(log.indexOf('@ tuned-chat ---')).contains('BUILD SUCCESS')
assert success : "the app's mvn package failed"
assert log.contains('adapter: ' + adapter.path) || log.contains('adapter: ' + adapter.canonicalPath) :
  'the log does not name the adapter folder'
assert log.contains('(mlx-lora, rank 8, scale 20, 14 weights), merged in fp32 while the weights stream') :
  'the log does not say what was merged'
assert !log.contains('DEMO model') : 'the demo checkpoint was used instead of edgellm.checkpoint'

def staged = new File(app, 'public/models/tuned')
def manifest = C.checkStaged(staged)
assert manifest.demo == false
def a = manifest.source.adapter
assert a != null : 'edge-llm.json has no source.adapter'
assert a.layout == 'mlx-lora' && a.file == 'adapters.safetensors' && a.path == 'adapter'
assert a.sha256 == C.sha256(new File(adapter, 'adapters.safetensors')) : 'edge-llm.json: wrong adapter SHA-256'
assert a.configSha256 == C.sha256(new File(adapter, 'adapter_config.json'))
C.assertSameFile(new File(app, 'target/edge-llm/model-q4/model.onnx'), new File(staged, manifest.model))

// quality.examples may warn: the app's tools/examples.json are the demo tool caller's, and
// tiny-gemma3 + this adapter is not a tool caller (the fp32 model itself gets 0 of 44).
C.checkAllGreen(new File(app, 'target/edge-llm/validation.json'), [], ['quality.agreement', 'quality.examples'])
def fingerprint = new File(app, 'target/edge-llm/model-fp32/.edge-llm-export.fingerprint').text
assert fingerprint.contains('setting edgellm.adapter=' + adapter.canonicalPath) || fingerprint.contains('setting edgellm.adapter=' + adapter.absolutePath)
assert fingerprint.contains('adapters.safetensors') : 'the export fingerprint does not cover the adapter files'
true
