// 4. failure: a checkpoint without tokenizer.json fails stage with the file, the folder and the fix; nothing is staged
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def ckpt = new File(basedir, 'checkpoint')
def msg = C.failedIn(basedir, 'stage', ['tokenizer.json missing in', ckpt.canonicalPath, 'copy it from the base model'])
C.nothingStaged(basedir)
// export already warned, before the long part of the build, that stage would need the tokenizer
assert new File(basedir, 'build.log').text.contains('export: tokenizer.json missing in') : 'export did not warn early about the missing tokenizer.json'
println "fail-no-tokenizer: ${msg}"
return true
