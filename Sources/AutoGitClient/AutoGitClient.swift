// The AutoGitClient module. See Docs/ and the module's DocC catalog.
