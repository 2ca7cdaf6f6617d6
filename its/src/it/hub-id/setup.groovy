// Starts a fake Hub serving the ITs' tiny-gemma3 as edge-llm-its/tiny-gemma3 (its first download of each
// LFS file drops the connection after 100 000 bytes) and points the build at it through
// .mvn/maven.config. verify.groovy stops it. The Hugging Face cache (HF_HOME) is under this IT's folder.
def H = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'FakeHub.groovy'))
def hub = H.start(new File(itFixtures, 'tiny-gemma3'), 'edge-llm-its/tiny-gemma3',
                  'c0ffee0123456789abcdef0123456789abcdef01', 'hf_ItSecretToken0123456789', 100_000L)
System.properties.put('edgellm.it.hubId.server', hub)
def mvn = new File(basedir, '.mvn')
mvn.mkdirs()
new File(mvn, 'maven.config').text = "-Dedgellm.hub.endpoint=${hub.endpoint()}\n"
println "hub-id: fake Hub at ${hub.endpoint()}, CDN at http://127.0.0.1:${hub.cdn.address.port}"
return true
