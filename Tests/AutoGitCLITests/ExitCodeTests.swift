import AutoGitCore
import Foundation
import Testing

@testable import autogit

@Suite("Exit codes and error reporting")
struct ExitCodeTests {
    @Test("--version and 'autogit version' print the version and exit 0")
    func version() async {
        let flag = await runAutoGit(["--version"])
        #expect(flag.status == 0)
        #expect(flag.output == "autogit \(AutoGitVersion.current)\n")
        #expect(await runAutoGit(["version"]).output == flag.output)
        #expect(AutoGitVersion.current == "0.1.0")
    }

    @Test("a usage error prints the error, the command's usage and where to get help to stderr, and exits 2")
    func usageError() async {
        let result = await runAutoGit(["runners", "list", "--stauts", "idle"])
        #expect(result.status == 2)
        #expect(result.output.isEmpty)
        #expect(
            result.error == """
                error: unknown option '--stauts' (did you mean '--status'?)

                Usage: autogit runners list [options]
                Run 'autogit runners list --help' for more information.

                """)
    }

    @Test("a usage error a command throws while running shows that command's usage")
    func usageErrorFromRun() async {
        let result = await runAutoGit(["jobs", "submit", "--env", "NOVALUE", "--", "true"])
        #expect(result.status == 2)
        #expect(result.error.contains("invalid value 'NOVALUE' for '--env': expected KEY=VALUE"))
        #expect(result.error.contains("Usage: autogit jobs submit [options] [-- <command>...]"))
    }

    @Test("a command whose backing code does not exist yet says so and exits 1, printing nothing to stdout")
    func notImplemented() async {
        // Every shipped command is built now; a tree with a placeholder command shows the behaviour.
        let placeholder = CommandSpec("later", abstract: "Not built yet", run: CommandSpec.notImplemented(needs: "issue 99"))
        let root = CommandSpec("autogit", abstract: "test tree", options: GlobalOptions.specs, subcommands: [placeholder])
        let captured = CapturedConsole()
        let status = await CommandRunner(root: root, version: "test").run(["later"], environment: [:], console: captured.console)
        #expect(status == 1)
        #expect(captured.output.text.isEmpty)
        #expect(captured.error.text.hasPrefix("error: not implemented yet: later (needs issue 99"))
    }

    @Test(
        "an unreachable server is one line on stderr and exit code 6, over sockets and over URLSession",
        arguments: ["sockets", "urlsession"])
    func unreachable(_ transport: String) async {
        let server = "http://127.0.0.1:\(closedLoopbackPort())"
        let result = await runAutoGit(["runners", "list", "--server", server], environment: ["AUTOGIT_TRANSPORT": transport])
        #expect(result.status == 6)
        #expect(result.output.isEmpty)
        #expect(result.error.hasPrefix("error: cannot reach the AutoGit server at \(server): connection refused"))
        #expect(result.error.split(separator: "\n").count == 1)
    }

    @Test("every documented exit code has its number")
    func documentedCodes() {
        #expect(ExitCode.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5, 6])
    }

    @Test(
        "HTTP statuses map to exit codes",
        arguments: [
            (404, ExitCode.notFound), (401, .unauthorized), (403, .unauthorized), (409, .conflict), (422, .usage), (500, .failure),
            (503, .failure),
        ]
    )
    func httpStatuses(status: Int, expected: ExitCode) {
        #expect(ExitCode(httpStatus: status) == expected)
    }

    @Test("API error codes map to exit codes")
    func errorCodes() {
        #expect(ExitCode(errorCode: .runnerNotFound) == .notFound)
        #expect(ExitCode(errorCode: .authenticationFailed) == .unauthorized)
        #expect(ExitCode(errorCode: .authorizationFailed) == .unauthorized)
        #expect(ExitCode(errorCode: .invalidStateTransition) == .conflict)
        #expect(ExitCode(errorCode: .internalError) == .failure)
    }

    @Test("a connection refused becomes one clear line and exit code 6")
    func unreachable() {
        let refused = NSError(
            domain: "NSURLErrorDomain", code: -1004, userInfo: [NSLocalizedDescriptionKey: "Could not connect to the server."])
        let error = CLIError(refused, server: "http://127.0.0.1:9")
        #expect(error.exitCode == .serverUnreachable)
        #expect(error.code == .serverUnreachable)
        #expect(error.message == "cannot reach the AutoGit server at http://127.0.0.1:9: Could not connect to the server.")
    }

    @Test("a validation failure from the core is a usage error; other errors are failures")
    func coreAndOtherErrors() {
        #expect(CLIError(CoreError.invalid("steps", "must contain at least one step")).exitCode == .usage)
        #expect(CLIError(CoreError(.jobNotFound, "no job j1")).exitCode == .notFound)
        struct Odd: Error {}
        #expect(CLIError(Odd()).exitCode == .failure)
        #expect(CLIError(CLIError.failure("x")) == .failure("x"))
    }
}
