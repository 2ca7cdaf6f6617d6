// 4. failure: a quality gate of 1.0 on the 4-bit model fails validate with the agreement found; the staged folder is marked failed
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def ckpt = new File(basedir, 'checkpoint')
def msg = C.failedIn(basedir, 'validate', ['Validation FAILED (quality.agreement)', 'validation.html'])
def log = new File(basedir, 'build.log').text
boolean named = log =~ /FAIL  quality\.agreement: The staged model's top-1 token agrees with the fp32 reference at \d+ of \d+ positions .* below edgellm\.validate\.minTopOneAgreement 100\.0%/
assert named : 'the log does not give the agreement found and the threshold'
def v = C.json(new File(basedir, 'target/edge-llm/validation.json'))
assert v.passed == false
def q = C.check(v, 'quality.agreement')
assert q.status == 'FAILED' && q.details.minTopOneAgreement == 1.0 && q.details.topOneAgreement < 1.0 : "quality.agreement: ${q}"
def others = v.checks.findAll { it.id != 'quality.agreement' && it.status == 'FAILED' }*.id
assert others.isEmpty() : "other checks failed too: ${others}"
// The gate runs on the staged folder, so it exists; its manifest says it failed validation.
def manifest = C.checkStaged(new File(basedir, 'public/models/tiny'))
assert manifest.validation.status == 'failed' : "edge-llm.json does not mark the staged model as failed: ${manifest.validation}"
println "fail-quality-gate: top-1 agreement ${q.details.topOneAgreement} < 1.0: ${msg}"
return true
