import Foundation

/// What a command's `run` gets besides its arguments: where to write, the environment, the global options, and
/// the command tree (for `help`, `completion` and `docs-markdown`).
struct CommandContext: Sendable {
    /// The whole command tree, from `autogit` down.
    var root: CommandSpec
    /// The running command, with the commands above it.
    var path: [CommandSpec]
    var console: Console
    var environment: [String: String]
    var globalOptions: GlobalOptions
    /// The clock tables measure relative times against; tests fix it.
    var now: @Sendable () -> Date

    /// The running command's words without the program name: `runners list`.
    var commandName: String { path.dropFirst().map(\.name).joined(separator: " ") }

    var styler: Styler {
        Styler(isTTY: console.isOutputTTY, isColorDisabled: globalOptions.isColorDisabled, environment: environment)
    }

    /// Renders results in the user's `-o`/`-q` choice.
    var output: OutputRenderer {
        OutputRenderer(
            console: console, format: globalOptions.output, isQuiet: globalOptions.isQuiet, styler: styler, now: now())
    }

    /// The error a command throws while the code behind it does not exist yet.
    func notImplemented(needs: String = "the SDK client, issue 5") -> CLIError {
        .notImplemented(commandName, needs: needs)
    }

    /// Writes `line` to standard error only with `--verbose`.
    func debug(_ line: String) {
        if globalOptions.isVerbose { console.writeErrorLine(line) }
    }
}
