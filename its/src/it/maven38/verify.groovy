// The same pipeline as the pipeline IT, run by Maven 3.8: it staged every file and validated green.
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def log = new File(basedir, 'build.log').text
def version = log =~ /Apache Maven (3\.8\.\d+)/
boolean on38 = version.find()
assert on38 : 'the build did not run on Maven 3.8 (no "Apache Maven 3.8.x" in build.log)'
C.checkStaged(new File(basedir, 'public/models/tiny'))
C.checkAllGreen(new File(basedir, 'target/edge-llm/validation.json'))
println "maven38: Maven ${version.group(1)} staged and validated tiny-gemma3"
return true
