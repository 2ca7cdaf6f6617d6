// Needs tiny-gemma3 (weights and tokenizer) from the shared fixtures; skip when absent.
return new File(sharedFixtures, 'models/tiny-gemma3/tokenizer.json').isFile()
