// 4. failure: a model over the size limit (edgellm.maxModelBytes and edgellm.export.maxEmbeddedBytes lowered to 200000) fails quantize with both sizes and the setting; nothing is written or staged
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def ckpt = new File(basedir, 'checkpoint')
def msg = C.failedIn(basedir, 'quantize', ['model-q4', 'over the limit of 200,000 bytes set by edgellm.maxModelBytes', 'raise it'])
def m = msg =~ /would be ([\d,]+) bytes/
assert m.find() && (m.group(1).replace(',', '') as long) > 200_000 : "no model size over 200000 in: ${msg}"
// export went on with external data, as documented
def fp32 = new File(basedir, 'target/edge-llm/model-fp32')
assert new File(fp32, 'model.onnx').isFile() && new File(fp32, 'model.onnx_data').isFile() : "export did not write model.onnx + model.onnx_data: ${fp32.list()}"
C.noModelIn(new File(basedir, 'target/edge-llm/model-q4'))
C.nothingStaged(basedir)
println "fail-size-limit: ${msg}"
return true
