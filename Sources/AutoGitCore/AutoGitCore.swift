// AutoGitCore
