// Both builds failed in export with a message naming the id, why the build is offline, the cache folder
// and the fix; nothing was staged and no export written.
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def log = new File(basedir, 'build.log').text
def repo = new File(basedir, 'hf-home/hub/models--edge-llm-its--never-downloaded').path
def messages = (log =~ /(?m)^\[ERROR\] Failed to execute goal dev\.edgellm:edge-llm-maven-plugin:[^:]+:(\w+) \([^)]*\) on project [^:]+: (.*)$/)
    .collect { [goal: it[1], message: it[2]] }
assert messages.size() == 2 : "expected two failed builds, found ${messages}"
messages.each { assert it.goal == 'export' : "failed in ${it.goal}: ${it.message}" }
def expected = [['Offline (HF_HUB_OFFLINE=1)'], ['Offline (Maven runs offline (-o))']]
messages.eachWithIndex { m, i ->
  (expected[i] + ['edge-llm-its/never-downloaded@v1 is not in the Hugging Face cache', "${repo} does not exist",
                  'Run the build once online', 'hf download edge-llm-its/never-downloaded --revision v1']).each { f ->
    assert m.message.contains(f) : "build ${i + 1}: the error does not say '${f}': ${m.message}"
  }
}
C.nothingStaged(basedir)
C.noModelIn(new File(basedir, 'target/edge-llm/model-q4'))
println "hub-offline-fail: ${messages[0].message}"
return true
