// Hub id through a local Hub, then offline from the cache:
//   - invocation 1 (online, pom) staged and validated edge-llm-its/tiny-gemma3 all green;
//   - the cache under HF_HOME is huggingface_hub's layout: refs/main = the commit, blobs named by etag
//     (SHA-256 for LFS files, git SHA-1 for small ones), snapshots/COMMIT/FILE relative links into blobs;
//     only what export and stage need was downloaded;
//   - the dropped connection was resumed with Range; the token went to the Hub only and is in no file;
//   - invocation 2 (HF_HUB_OFFLINE=1, no pom) staged the same files, byte for byte, without a request.
import java.nio.file.Files

def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def hub = System.properties.remove('edgellm.it.hubId.server')
assert hub != null : 'setup.groovy did not start the fake Hub'
hub.stop()
String commit = hub.commit
String token = 'hf_ItSecretToken0123456789'
def log = new File(basedir, 'build.log').text

// 1. online through the pom
def staged = new File(basedir, 'public/models/tiny-gemma3')
def manifest = C.checkStaged(staged)
assert manifest.name == 'tiny-gemma3' : "the staged model is named ${manifest.name}, not after the Hub id"
C.checkAllGreen(new File(basedir, 'target/edge-llm/validation.json'))
assert log.contains('hub: downloading ') : 'no download in the log'
assert log.contains("hub: edge-llm-its/tiny-gemma3@main is commit ${commit}")

// the cache, as huggingface_hub lays it out
def repo = new File(basedir, 'hf-home/hub/models--edge-llm-its--tiny-gemma3')
assert new File(repo, 'refs/main').text == commit : "refs/main does not hold ${commit}"
def snapshot = new File(repo, "snapshots/${commit}")
def fixture = new File(itFixtures, 'tiny-gemma3')
def names = snapshot.list().sort()
assert names == ['config.json', 'generation_config.json', 'model.safetensors', 'special_tokens_map.json',
                 'tokenizer.json', 'tokenizer_config.json'] : "snapshot holds ${names}"
names.each { n ->
  def link = new File(snapshot, n).toPath()
  byte[] data = new File(fixture, n).bytes
  String etag = n.endsWith('.safetensors') ? hub.sha256(data) : hub.gitSha1(data)
  assert Files.isSymbolicLink(link) : "${link} is not a symlink"
  assert Files.readSymbolicLink(link).toString() == "../../blobs/${etag}" : "${link} -> ${Files.readSymbolicLink(link)}"
  C.assertSameFile(new File(fixture, n), new File(repo, "blobs/${etag}"))
}
assert !new File(repo, 'blobs').list().any { it.endsWith('.incomplete') } : 'an .incomplete blob was left'

// the dropped connection was resumed
def cdn = hub.requests.findAll { it.server == 'cdn' }
assert cdn.size() == 2 && cdn[0].range == null && cdn[1].range == 'bytes=100000-' : "CDN requests: ${cdn}"
assert log.contains('hub: download of model.safetensors of edge-llm-its/tiny-gemma3@main interrupted at byte 100000')

// the token: to the Hub only, never to the CDN, in no log and no file
assert hub.requests.findAll { it.server == 'hub' }.every { it.authorization == "Bearer ${token}".toString() }
assert cdn.every { it.authorization == null } : 'the token was sent to the CDN'
def leaks = []
basedir.eachFileRecurse(groovy.io.FileType.FILES) { f ->
  // the IT's own scripts hold the fake token; everything the builds wrote must not
  if (!(f.name in ['invoker.properties', 'setup.groovy', 'verify.groovy']) && f.length() < 50_000_000
      && new String(f.bytes, 'ISO-8859-1').contains(token)) leaks << f
}
assert leaks.isEmpty() : "the token appears in ${leaks}"

// 2. offline from the cache alone: the two API calls are export's and stage's of invocation 1
assert hub.requests.count { it.path.startsWith('/api/') } == 2 : "API requests: ${hub.requests.findAll { it.path.startsWith('/api/') }}"
assert log.contains('in the cache (offline: HF_HUB_OFFLINE=1)') : 'invocation 2 did not resolve from the cache'
def out = new File(basedir, 'offline/out')
C.assertSameTree(staged, new File(out, 'models/tiny-gemma3'))
C.checkAllGreen(new File(out, 'report/validation.json'))
println "hub-id: ${hub.requests.size()} requests online, none offline; staged ${C.tree(staged).size()} files twice, byte for byte"
return true
