// The IT's own copy of the tiny-gemma3 checkpoint (the pom and the CLI run both read ./checkpoint).
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
C.copyCheckpoint(new File(itFixtures, 'tiny-gemma3'), new File(basedir, 'checkpoint'))
return true
