// 6. `mvn edge-llm:help -Ddetail` lists every goal and every edgellm.* property with its documentation.
// The expected properties are read from dev.edgellm.maven.Properties, the one class that declares them,
// so a property added there without a documented mojo parameter fails this IT.
def log = new File(basedir, 'build.log').text

// Goals: "edge-llm:NAME" followed by an indented description line.
def goals = ['export', 'quantize', 'stage', 'validate', 'help']
goals.each { g ->
  def m = log =~ /(?m)^edge-llm:${g}\s*\n\s+(\S.*)$/
  assert m.find() : "help does not list the goal edge-llm:${g} with a description"
  println "goal edge-llm:${g}: ${m.group(1).take(90)}"
}

// Properties: every constant `= "edgellm.…"` in Properties.java.
def source = new File(propertiesSource).text
def declared = (source =~ /public static final String \w+\s*=\s*"(edgellm\.[A-Za-z.]+)"/).collect { it[1] } as SortedSet
assert declared.size() >= 20 : "only ${declared.size()} properties found in ${propertiesSource}: ${declared}"

// Parameter blocks of `help -Ddetail`: a name line (4 spaces), description lines (6 spaces), ..., "User property: X".
def documented = [:]
def block = []
log.eachLine { line ->
  if (line ==~ /^    \S.*/) {
    block = [line.trim()]
  } else if (line ==~ /^      \S.*/) {
    block << line.trim()
    def m = line =~ /User property: (edgellm\.[A-Za-z.]+)/
    if (m.find()) {
      def text = block.drop(1).findAll { !(it ==~ /^(User property|Required|Expression|Alias|Deprecated):.*/) }.join(' ')
      documented.merge(m.group(1), text, { a, b -> a.length() >= b.length() ? a : b })
    }
  }
}
def missing = declared.findAll { !documented.containsKey(it) }
assert missing.isEmpty() : "help -Ddetail does not list these edgellm.* properties as a parameter's user property: ${missing}"
def undocumented = documented.findAll { k, v -> v.trim().length() < 10 }.keySet()
assert undocumented.isEmpty() : "these properties have no description in help -Ddetail: ${undocumented}"
def unknown = documented.keySet().findAll { !declared.contains(it) }
assert unknown.isEmpty() : "mojos use edgellm.* properties that Properties.java does not declare: ${unknown}"
println "help documents all ${declared.size()} edgellm.* properties over ${goals.size()} goals"
return true
