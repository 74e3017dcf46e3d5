import Foundation

/// Runs `autogit` with `arguments` (without the program name) and returns its exit status.
///
/// `main.swift` calls this with the process's values; tests call it with their own console to capture output.
/// Nothing happens before parsing but building the (static) command tree, so start-up stays cheap.
func runCLI(
    arguments: [String], environment: [String: String], console: Console,
    now: @escaping @Sendable () -> Date = { Date() }
) async -> Int32 {
    let runner = CommandRunner(root: AutoGitCommands.root, version: AutoGitVersion.current, now: now)
    return await runner.run(arguments, environment: environment, console: console)
}
