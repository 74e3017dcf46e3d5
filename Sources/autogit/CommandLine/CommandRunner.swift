import Foundation

/// Runs one command line against a command tree: parse, then help, version or the command, then report errors.
///
/// Every way out goes through here, so the exit codes and the look of errors are the same for every command.
struct CommandRunner: Sendable {
    var root: CommandSpec
    var version: String
    var now: @Sendable () -> Date = { Date() }

    /// Runs `arguments` (without the program name) and returns the exit status.
    func run(_ arguments: [String], environment: [String: String], console: Console) async -> Int32 {
        let help = HelpFormatter(width: console.width)
        let invocation: Invocation
        do throws(CLIError) {
            invocation = try CommandParser(root: root).parse(arguments, environment: environment)
        } catch {
            report(error, console: console, environment: environment)
            return error.exitCode.rawValue
        }
        if invocation.arguments.isSet(OptionSpec.version.long) {
            console.writeLine("\(root.name) \(version)")
            return ExitCode.success.rawValue
        }
        guard let run = invocation.command.run, !invocation.arguments.isSet(OptionSpec.help.long) else {
            console.output(help.help(for: invocation.path))
            return ExitCode.success.rawValue
        }
        let globalOptions = GlobalOptions(invocation.arguments)
        let context = CommandContext(
            root: root, path: invocation.path, console: console, environment: environment, globalOptions: globalOptions,
            now: now)
        do {
            return try await run(invocation.arguments, context)
        } catch {
            let server = (try? context.connection().server) ?? globalOptions.server
            var failure = CLIError(error, server: server)
            if failure.isUsageError, failure.commandPath == nil {
                failure.commandPath = invocation.path.dropFirst().map(\.name)
            }
            report(failure, console: console, environment: environment)
            return failure.exitCode.rawValue
        }
    }

    /// Prints `error` to standard error; a usage error also gets its command's usage line and a pointer to help.
    func report(_ error: CLIError, console: Console, environment: [String: String]) {
        let styler = Styler(isTTY: console.isErrorTTY, isColorDisabled: false, environment: environment)
        var text = styler.apply(.red, to: "error:") + " " + error.message
        if let hint = error.hint { text += " (\(hint))" }
        if error.isUsageError {
            let path = error.commandPath.flatMap { root.path(to: $0) } ?? [root]
            text += "\n\n" + HelpFormatter(width: console.width).usageReminder(for: path)
        }
        console.writeErrorLine(text)
    }
}
