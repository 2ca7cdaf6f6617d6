// Needs tiny-gemma3 from the shared fixtures; skip when absent.
return new File(sharedFixtures, 'models/tiny-gemma3/config.json').isFile()
