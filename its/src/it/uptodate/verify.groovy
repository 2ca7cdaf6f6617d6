// 3. Up to date. Four invocations of package (see invoker.properties); Snapshot.java recorded every
//    output file's size, modification time and SHA-256 at the start and end of each.
//    2: nothing changed -> export, quantize and stage skip (and say so), nothing is rewritten;
//    3: -Dedgellm.quantize.blockSize=16 -> quantize and stage rerun, export stays up to date;
//    4: -Dedgellm.maxModelBytes=... -Dedgellm.export.maxEmbeddedBytes=... -> export and quantize rerun; their bytes are the same, so stage
//       keeps every staged file as it was (same times).
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def log = new File(basedir, 'build.log').text

// The log of each invocation: from its start snapshot to the next one.
def logs = [:]
(1..4).each { n ->
  int from = log.indexOf("edge-llm-it snapshot ${n}-start.txt")
  assert from >= 0 : "invocation ${n} did not run (no start snapshot in build.log)"
  int to = n < 4 ? log.indexOf("edge-llm-it snapshot ${n + 1}-start.txt") : log.length()
  logs[n] = log.substring(from, to)
  boolean success = logs[n].contains('BUILD SUCCESS')
  assert success : "invocation ${n} failed"
}

// snapshot -> [time: millis, files: [path: [size, mtime, sha]]]
def snap = { String name ->
  def f = new File(basedir, "target/snapshots/${name}.txt")
  assert f.isFile() : "no snapshot ${f}"
  def s = [time: 0L, files: new TreeMap()]
  f.eachLine { line ->
    def p = line.split(' ')
    if (p[0] == 'time') s.time = p[1] as long
    else s.files[p[1]] = [size: p[2] as long, mtime: p[3] as long, sha: p[4]]
  }
  s
}
def staged = { s -> s.files.findAll { k, v -> k.startsWith('public/models/tiny/') } }
def MODEL = 'public/models/tiny/onnx/model.onnx'
def FP32 = 'target/edge-llm/model-fp32/model.onnx'
def Q4 = 'target/edge-llm/model-q4/model.onnx'

// (booleans first: a failed assert then prints the flag, not the whole log)
def ran = { int n, String goal, String reason ->
  boolean found = logs[n].contains("edge-llm:${goal}: running (${reason})")
  assert found :
      "invocation ${n}: edge-llm:${goal} did not run because '${reason}'; its lines: " + logs[n].readLines().findAll { it.contains("edge-llm:${goal}") }
}
def skipped = { int n, String goal, String unchanged ->
  boolean found = logs[n].contains("edge-llm:${goal} is up to date (${unchanged} unchanged): skipping; delete ")
  assert found :
      "invocation ${n}: edge-llm:${goal} did not skip; its lines: " + logs[n].readLines().findAll { it.contains("edge-llm:${goal}") }
}

// 1: everything runs.
ran(1, 'export', 'no earlier build recorded')
ran(1, 'quantize', 'no earlier build recorded')
ran(1, 'stage', 'no earlier build recorded')
def end1 = snap('1-end')
assert staged(end1).keySet() == C.STAGED_FILES.collect { "public/models/tiny/${it}".toString() } as Set
C.checkStaged(new File(basedir, 'public/models/tiny'))

// 2: nothing changed: three skips, validate still runs, no output file was touched.
skipped(2, 'export', 'checkpoint and settings')
skipped(2, 'quantize', 'input model and settings')
skipped(2, 'stage', 'checkpoint, model and settings')
boolean validated = logs[2] =~ /Validation passed: \d+ passed/
assert validated : 'invocation 2 did not validate'
def start2 = snap('2-start')
def end2 = snap('2-end')
assert end2.files == end1.files : "invocation 2 changed files: " + end2.files.findAll { k, v -> end1.files[k] != v }.keySet()
end2.files.each { path, f ->
  assert f.mtime < start2.time : "${path} was modified (${f.mtime}) after invocation 2 started (${start2.time})"
}
println "uptodate: invocation 2 skipped export, quantize and stage; all ${end2.files.size()} files kept their bytes and times"

// 3: a new block size reruns quantize and stage (export's output does not depend on it).
skipped(3, 'export', 'checkpoint and settings')
ran(3, 'quantize', 'setting edgellm.quantize.blockSize changed from 32 to 16')
boolean restaged = logs[3] =~ /edge-llm:stage: running \(input \S*model-q4\/model.onnx changed\)/
assert restaged : 'stage did not rerun for the new model'
def end3 = snap('3-end')
assert end3.files[FP32] == end2.files[FP32] : 'the fp32 export was rewritten though only the block size changed'
assert end3.files[Q4].sha != end2.files[Q4].sha : 'block size 16 gave the same bytes as 32'
assert end3.files[MODEL].sha == end3.files[Q4].sha : 'the staged model is not the new quantize output'
def manifest = C.checkStaged(new File(basedir, 'public/models/tiny'))
assert manifest.quantization.toString().contains('16') : "edge-llm.json does not record block size 16: ${manifest.quantization}"
// Staged files whose bytes did not change keep their time.
['tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'config.json'].each { n ->
  def k = "public/models/tiny/${n}".toString()
  assert end3.files[k] == end2.files[k] : "${n} has the same bytes but was rewritten: ${end2.files[k]} -> ${end3.files[k]}"
}

// 4: a new size limit reruns export and quantize; same bytes, so the staged folder is kept as it is.
ran(4, 'export', 'setting edgellm.export.maxEmbeddedBytes changed from 2147483647 to 1073741824')
ran(4, 'quantize', 'setting edgellm.maxModelBytes changed from 2147483647 to 1073741824')
boolean kept = logs[4].contains('are unchanged (same bytes): kept as they are')
assert kept : 'stage did not keep the unchanged staged files'
def start4 = snap('4-start')
def end4 = snap('4-end')
assert end4.files[FP32].sha == end3.files[FP32].sha && end4.files[FP32].mtime >= start4.time : 'export did not rewrite the same fp32 bytes'
assert end4.files[Q4].sha == end3.files[Q4].sha && end4.files[Q4].mtime >= start4.time : 'quantize did not rewrite the same q4 bytes'
assert staged(end4) == staged(end3) : "staged files changed in invocation 4: " + staged(end4).findAll { k, v -> end3.files[k] != v }.keySet()
println "uptodate: block size 16 reran quantize and stage only; a new size limit reran export and quantize, the staged files kept their times"
return true
