// The plugin must also run on the machine's Maven 3.8 (/usr/bin/mvn); skip where there is none.
def mvn = new File('/usr/bin/mvn')
if (!mvn.canExecute()) {
  def msg = "maven38 IT SKIPPED: no ${mvn} on this machine"
  println msg
  new PrintStream(new FileOutputStream(FileDescriptor.err), true).println("[WARNING] ${msg}")
  return false
}
return true
