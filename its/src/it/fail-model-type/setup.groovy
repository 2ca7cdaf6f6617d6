// The IT's own, broken copy of the tiny-gemma3 checkpoint.
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def ckpt = new File(basedir, 'checkpoint')
C.copyCheckpoint(new File(itFixtures, 'tiny-gemma3'), ckpt)
def config = new File(ckpt, 'config.json')
config.text = config.text.replace('"model_type": "gemma3_text"', '"model_type": "gpt2"')
assert config.text.contains('"gpt2"')
return true
