// Helpers shared by the ITs' verify.groovy scripts. Load with
//   def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
import groovy.json.JsonSlurper
import java.nio.file.Files
import java.security.MessageDigest

class Checks {
  /** The files a stage writes into public/models/NAME. */
  static final List<String> STAGED_FILES = ['config.json', 'edge-llm.json', 'generation_config.json',
                                            'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']
  static final List<String> VARIANT_FILES = ['config.json', 'edge-llm.json', 'generation_config.json',
                                             'onnx/model_q4.onnx', 'onnx/model_q4f16.onnx', 'tokenizer.json',
                                             'tokenizer_config.json']

  static String sha256(File f) {
    MessageDigest md = MessageDigest.getInstance('SHA-256')
    f.withInputStream { in ->
      byte[] buf = new byte[1 << 20]
      int n
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n)
      }
    }
    return md.digest().encodeHex().toString()
  }

  static Object json(File f) {
    assert f.isFile() : "${f} does not exist"
    return new JsonSlurper().parse(f)
  }

  /** Relative path ('/'-separated) -> file, for every regular file under dir, sorted. */
  static SortedMap<String, File> tree(File dir) {
    def map = new TreeMap<String, File>()
    dir.eachFileRecurse(groovy.io.FileType.FILES) { f ->
      map[dir.toPath().relativize(f.toPath()).toString().replace('\\', '/')] = f
    }
    return map
  }

  /**
   * The staged folder has exactly the six files, and edge-llm.json lists every other file with its
   * real size and SHA-256. Returns the manifest.
   */
  static Object checkStaged(File dir) {
    assert dir.isDirectory() : "nothing staged: ${dir} does not exist"
    def files = tree(dir)
    def manifest = json(new File(dir, 'edge-llm.json'))
    // edgellm.stage.variants=q4f16,q4 (the generated app's pom): model_q4.onnx + model_q4f16.onnx
    boolean variants = manifest.variants != null
    def expected = variants ? VARIANT_FILES : STAGED_FILES
    assert files.keySet() as List == expected : "staged folder ${dir} holds ${files.keySet()}, expected ${expected}"
    if (variants) {
      assert manifest.variants*.dtype == ['q4f16', 'q4'] : "edge-llm.json variants ${manifest.variants}"
      def tjs = json(new File(dir, 'config.json'))['transformers.js_config']
      assert tjs.dtype == 'q4' && tjs.device_config?.webgpu?.dtype == 'q4f16' && tjs.kv_cache_dtype?.q4f16 == 'float16' :
          "config.json transformers.js_config ${tjs}"
    }
    def listed = manifest.files.collectEntries { [(it.path): it] }
    assert listed.keySet() == (expected - 'edge-llm.json') as Set :
        "edge-llm.json lists ${listed.keySet()}, expected every staged file but itself"
    listed.each { path, entry ->
      File f = new File(dir, path)
      assert entry.size == f.length() : "edge-llm.json says ${path} is ${entry.size} bytes, it is ${f.length()}"
      String actual = sha256(f)
      assert entry.sha256 == actual : "edge-llm.json says ${path} has SHA-256 ${entry.sha256}, the file has ${actual}"
    }
    assert manifest.totalSize == listed.values().sum { it.size } : "edge-llm.json totalSize ${manifest.totalSize} is not the sum of its files"
    String model = variants ? 'onnx/model_q4.onnx' : 'onnx/model.onnx'
    assert manifest.model == model : "edge-llm.json model is ${manifest.model}, expected ${model}"
    return manifest
  }

  /** validation.json says passed and every check PASSED (none failed, warned or skipped unless allowed). */
  static Object checkAllGreen(File report, Collection<String> mayBeSkipped = [], Collection<String> mayWarn = []) {
    def v = json(report)
    def notGreen = v.checks.findAll {
      // quality.examples runs only where edgellm.validate.examples is set (and not on the demo model)
      it.status != 'PASSED' && !(it.status == 'SKIPPED' && (it.id in mayBeSkipped || it.id == 'quality.examples')) && !(it.status == 'WARNING' && it.id in mayWarn)
    }
    assert v.passed == true && notGreen.isEmpty() :
        "${report}: not all green: " + notGreen.collect { "${it.id}=${it.status} ${it.skipReason ?: ''} ${it.findings*.message}" }
    assert v.checks.size() >= 15 : "${report} has only ${v.checks.size()} checks"
    return v
  }

  /** A check of validation.json by id. */
  static Object check(Object validation, String id) {
    def c = validation.checks.find { it.id == id }
    assert c != null : "validation.json has no check ${id}; it has ${validation.checks*.id}"
    return c
  }

  /** Two folders hold the same relative paths with the same bytes. */
  static void assertSameTree(File a, File b) {
    def ta = tree(a)
    def tb = tree(b)
    assert ta.keySet() == tb.keySet() : "${a} holds ${ta.keySet()}, ${b} holds ${tb.keySet()}"
    ta.each { path, f ->
      long at = Files.mismatch(f.toPath(), tb[path].toPath())
      assert at == -1L : "${path} differs between ${a} and ${b} from byte ${at} on"
    }
  }

  /** Same bytes. */
  static void assertSameFile(File a, File b) {
    assert a.isFile() : "${a} does not exist"
    assert b.isFile() : "${b} does not exist"
    long at = Files.mismatch(a.toPath(), b.toPath())
    assert at == -1L : "${a} (${a.length()} bytes) and ${b} (${b.length()} bytes) differ from byte ${at} on"
  }

  /** Copies a checkpoint folder. */
  static File copyCheckpoint(File from, File to) {
    to.mkdirs()
    from.eachFile(groovy.io.FileType.FILES) { f ->
      Files.copy(f.toPath(), new File(to, f.name).toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING)
    }
    return to
  }

  /**
   * The build failed in edge-llm:GOAL, and Maven's error line for it holds every fragment. Returns the
   * error message.
   */
  static String failedIn(File basedir, String goal, List<String> fragments) {
    def log = new File(basedir, 'build.log').text
    boolean failure = log.contains('BUILD FAILURE')
    assert failure : "the build did not fail"
    def m = log =~ /(?m)^\[ERROR\] Failed to execute goal dev\.edgellm:edge-llm-maven-plugin:[^:]+:(\w+) \([^)]*\) on project [^:]+: (.*)$/
    assert m.find() : "no 'Failed to execute goal' line for the plugin in build.log"
    String failedGoal = m.group(1)
    String message = m.group(2).replaceFirst(/ -> \[Help 1\]$/, "")
    assert failedGoal == goal : "the build failed in edge-llm:${failedGoal}, expected edge-llm:${goal}: ${message}"
    fragments.each { f ->
      assert message.contains(f) : "the error message does not say '${f}': ${message}"
    }
    return message
  }

  /** Nothing under public/models: no staged folder, no temporary staging folder left behind. */
  static void nothingStaged(File basedir) {
    def models = new File(basedir, 'public/models')
    def left = models.exists() ? tree(models).keySet() : []
    def dirs = models.exists() ? models.list() as List : []
    assert left.isEmpty() && dirs.isEmpty() : "something was staged in ${models}: ${dirs} ${left}"
  }

  /** The folder holds no model.onnx and no temporary file (a failed goal writes nothing). */
  static void noModelIn(File dir) {
    def files = dir.exists() ? tree(dir).keySet().findAll { !it.startsWith('.edge-llm-') } : []
    assert !files.contains('model.onnx') : "${dir} holds a model.onnx"
    def temp = files.findAll { it.startsWith('.') || it.contains('.tmp') || it.contains('scratch') }
    assert temp.isEmpty() : "temporary files left in ${dir}: ${temp}"
  }
}
