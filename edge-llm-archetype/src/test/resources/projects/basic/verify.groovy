// Checks the app generated from archetype.properties (basedir = this IT's folder under target/test-classes).
import groovy.json.JsonSlurper

File app = new File(basedir, "project/my-chat")
File template = new File(basedir, "../../../../src/main/resources/archetype-resources").canonicalFile
assert template.isDirectory() : "archetype resources not found at ${template}"

// Filtered files: the template's variables are replaced.
def pkg = new JsonSlurper().parse(new File(app, "package.json"))
assert pkg.name == "my-chat"
assert pkg.dependencies["@huggingface/transformers"] ==~ /4\.\d+\.\d+/ : "transformers.js pinned to an exact 4.x"
def lock = new JsonSlurper().parse(new File(app, "package-lock.json"))
assert lock.name == "my-chat" && lock.packages[""].name == "my-chat"
assert !new File(app, "package-lock.json").text.contains('"resolved"') : "the lock file names no download URLs"
assert new File(app, "src/model.ts").text.contains('"/models/my-model"')
assert new File(app, ".gitignore").text.contains("node_modules/")
assert new File(app, ".npmrc").text.contains("omit-lockfile-registry-resolved=true")
def readme = new File(app, "README.md").text
assert readme.startsWith("my-chat\n")
assert readme.contains("public/models/my-model/")
assert readme.contains('try_files $uri =404;') : "nginx variables survive"

def doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File(app, "pom.xml"))
def xpath = javax.xml.xpath.XPathFactory.newInstance().newXPath()
def text = { String expr -> xpath.evaluate(expr, doc) }
def list = { String expr ->
  def nodes = xpath.evaluate(expr, doc, javax.xml.xpath.XPathConstants.NODESET)
  (0..<nodes.length).collect { nodes.item(it).textContent.trim() }
}
assert text("/project/artifactId") == "my-chat"
assert text("/project/properties/edgellm.modelName") == "my-model"
assert text("/project/properties/edge-llm.version") ==~ /\d+\.\d+\.\d+(-SNAPSHOT)?/
String edge = "/project/build/plugins/plugin[artifactId='edge-llm-maven-plugin']"
assert text("${edge}/version") == '${edge-llm.version}' : "Maven properties survive Velocity"
assert list("${edge}/executions/execution/goals/goal") == ["export", "quantize", "stage", "validate"]
assert list("${edge}/executions/execution/phase").every { it == "package" }
assert list("/project/build/plugins/plugin[artifactId='exec-maven-plugin']/executions/execution/id") ==
    ["npm-ci", "npm-test", "npm-build", "browser-test"]
def plugins = list("/project/build/plugins/plugin/artifactId")
assert plugins.indexOf("edge-llm-maven-plugin") < plugins.indexOf("exec-maven-plugin") : "the model is staged before the app is built"

// Everything else is copied byte for byte: TypeScript's ${...} and CSS's #colors untouched.
def filtered = ["pom.xml", "README.md", "package.json", "package-lock.json", "__gitignore__", "__npmrc__", "src/model.ts"] as Set
int compared = 0
template.eachFileRecurse(groovy.io.FileType.FILES) { File source ->
  String rel = template.toPath().relativize(source.toPath()).toString().replace('\\', '/')
  if (filtered.contains(rel)) return
  File generated = new File(app, rel)
  assert generated.isFile() : "missing ${rel}"
  assert generated.bytes == source.bytes : "${rel} changed during generation"
  compared++
}
assert compared >= 20
assert new File(app, "src/llm/engine.ts").text.contains('${source.localModelPath}${source.modelId}/config.json')
println "verify.groovy: generated app checked (${compared} files copied untouched)"
return true
