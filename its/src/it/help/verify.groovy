// 6. `mvn edge-llm:help -Ddetail` lists every goal and every edgellm.* property with its documentation.
def log = new File(basedir, 'build.log').text

def goals = ['export', 'quantize', 'stage', 'validate', 'help']
goals.each { g ->
  assert log.contains("edge-llm:${g}") : "help does not list the goal edge-llm:${g}"
}

// Every property constant of the plugin must be listed with a 'User property:' line and a description.
def props = (log =~ /User property: (edgellm\.[A-Za-z.]+)/).collect { it[1] } as Set
['edgellm.checkpoint', 'edgellm.modelName',
 'edgellm.export.output', 'edgellm.export.precision', 'edgellm.export.skip',
 'edgellm.quantize.input', 'edgellm.quantize.output', 'edgellm.quantize.blockSize',
 'edgellm.quantize.symmetric', 'edgellm.quantize.accuracyLevel', 'edgellm.quantize.excludeNodes',
 'edgellm.quantize.embeddings', 'edgellm.quantize.skip',
 'edgellm.stage.directory', 'edgellm.stage.model', 'edgellm.stage.layout', 'edgellm.stage.skip',
 'edgellm.validate.directory', 'edgellm.validate.minTopOneAgreement', 'edgellm.validate.skip'].each { p ->
  assert props.contains(p) : "help -Ddetail does not document ${p}; documented: ${props.sort()}"
}
println "help documents ${props.size()} edgellm.* properties over ${goals.size()} goals"
return true
