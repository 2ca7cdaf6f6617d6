// The IT's own, broken copy of the tiny-gemma3 checkpoint.
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def ckpt = new File(basedir, 'checkpoint')
C.copyCheckpoint(new File(itFixtures, 'tiny-gemma3'), ckpt)
return true
