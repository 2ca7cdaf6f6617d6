def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
C.copyCheckpoint(new File(itFixtures, 'tiny-gemma3'), new File(basedir, 'checkpoint'))
return true
