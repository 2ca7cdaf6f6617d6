// Real weights, read only from ../shared/fixtures (never copied into the project): skip when absent.
def ckpt = new File(sharedFixtures, 'models/tinystories-656k')
if (!new File(ckpt, 'model.safetensors').isFile()) {
  def msg = "tinystories IT SKIPPED: ${ckpt} is absent (the shared reference fixtures are not on this machine)"
  println msg                              // into build.log
  // and onto the console (the invoker redirects System.out/err of scripts into build.log)
  new PrintStream(new FileOutputStream(FileDescriptor.err), true).println("[WARNING] ${msg}")
  return false
}
return true
