// Two Maven processes exported into one folder at once: both succeeded, one after the other.
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def rc = new File(basedir, 'second.rc')
long deadline = System.currentTimeMillis() + 300_000
while (!(rc.isFile() && rc.text.trim()) && System.currentTimeMillis() < deadline) {
  Thread.sleep(500)
}
def first = new File(basedir, 'build.log').text
def second = new File(basedir, 'second.log').text
assert rc.isFile() : 'the second Maven process did not finish within 5 minutes'
assert rc.text.trim() == '0' : "the second Maven process failed:\n${second}"
assert first.contains('BUILD SUCCESS') && second.contains('BUILD SUCCESS')
[first, second].each { log ->
  assert !log.contains('InternalError') && !log.contains('unsafe memory access') : 'a fault on mapped memory'
}
// One wrote the model; the other found it up to date (after waiting for the lock, when they overlapped).
def wrote = [first, second].count { it.contains('export: wrote ') }
def skipped = [first, second].count { it =~ /up to date/ }
assert wrote == 1 && skipped == 1 : "expected one export and one up-to-date skip, got ${wrote} and ${skipped}"
boolean waited = [first, second].any { it.contains('export: waiting for another build') }
def out = new File(basedir, 'target/edge-llm/model-fp32')
def files = C.tree(out).keySet()
assert files.contains('model.onnx')
def temp = files.findAll { it.contains('.tmp') || it.contains('scratch') }
assert temp.isEmpty() : "temporary files left in ${out}: ${temp}"
assert new File(out.parentFile, '.model-fp32.edge-llm.lock').isFile()
println "concurrent-export: one export, one up-to-date skip; the second ${waited ? 'waited for the lock' : 'started after the first had finished'}"
return true
