// 4. failure: edgellm.modelName=../../../evil fails stage; nothing is written outside public/models
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def msg = C.failedIn(basedir, 'stage', ["'../../../evil'", 'edgellm.modelName', 'letters, digits'])
C.nothingStaged(basedir)
// public/models/../../../evil is basedir/../evil
def escaped = new File(basedir, 'public/models/../../../evil').canonicalFile
assert !escaped.exists() : "stage wrote ${escaped}, outside the project"
println "fail-model-name-escape: ${msg}"
return true
