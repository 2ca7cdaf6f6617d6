// A previous staging of public/models/tiny (its manifest lists config.json), plus a file of the user's.
def dir = new File(basedir, 'public/models/tiny')
dir.mkdirs()
new File(dir, 'config.json').text = '{"model_type": "gemma3_text"}\n'
new File(dir, 'edge-llm.json').text = '{"format": "edge-llm-model/1", "files": [{"path": "config.json"}]}\n'
new File(dir, 'NOTES.md').text = 'my notes about this model\n'
return true
