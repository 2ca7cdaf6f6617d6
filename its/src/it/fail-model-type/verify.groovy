// 4. failure: an unsupported model_type fails export, naming config.json, the type and the supported ones; nothing is written or staged
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def ckpt = new File(basedir, 'checkpoint')
def msg = C.failedIn(basedir, 'export', ['config.json', "model_type 'gpt2' is not supported", 'supported are', 'gemma3_text', 'llama'])
C.noModelIn(new File(basedir, 'target/edge-llm/model-fp32'))
C.nothingStaged(basedir)
println "fail-model-type: ${msg}"
return true
