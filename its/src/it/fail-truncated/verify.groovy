// 4. failure: a truncated model.safetensors fails export, naming the file, the damage and the fix; nothing is written or staged
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def ckpt = new File(basedir, 'checkpoint')
def msg = C.failedIn(basedir, 'export', [new File(ckpt, 'model.safetensors').canonicalPath, 'truncated', 'download or save the checkpoint again'])
C.noModelIn(new File(basedir, 'target/edge-llm/model-fp32'))
C.nothingStaged(basedir)
println "fail-truncated: ${msg}"
return true
