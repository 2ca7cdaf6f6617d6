// 4. failure: stage refuses to replace a staged folder that holds a file it did not write, listing it
def C = new GroovyClassLoader(getClass().classLoader).parseClass(new File(itLib, 'Checks.groovy'))
def dir = new File(basedir, 'public/models/tiny')
def msg = C.failedIn(basedir, 'stage', ['holds 1 file that stage did not write: NOTES.md', 'never deletes your files', 'move them out'])
assert new File(dir, 'NOTES.md').text == 'my notes about this model\n' : 'the user\'s NOTES.md changed'
assert new File(dir, 'config.json').text == '{"model_type": "gemma3_text"}\n' : 'the previous staging changed'
assert (new File(basedir, 'public/models').list() as List) == ['tiny'] : 'a temporary staging folder was left'
println "fail-restage-user-file: ${msg}"
return true
