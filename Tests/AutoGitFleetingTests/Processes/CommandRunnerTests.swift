import AutoGitCore
import Foundation
import Testing

@testable import AutoGitFleeting

@Suite("running commands")
struct CommandRunnerTests {
    @Test("standard input reaches the program and both outputs come back whole")
    func inputAndOutput() async throws {
        let text = String(repeating: "line of input\n", count: 20_000)
        let result = try await CommandRunner.run(
            Command("/bin/sh", ["-c", "cat; echo done >&2; exit 3"], standardInput: Data(text.utf8)))
        #expect(result.status == 3 && result.signal == nil && !result.timedOut)
        #expect(result.output == text)
        #expect(result.errorOutput == "done\n")
        #expect(!result.succeeded)
    }

    @Test("a megabyte on each stream at once does not stall the child")
    func largeOutput() async throws {
        let result = try await CommandRunner.run(
            Command("/bin/sh", ["-c", "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2"]))
        #expect(result.succeeded)
        #expect(result.standardOutput.count == 1_048_576 && result.standardError.count == 1_048_576)
    }

    @Test("a program past its timeout is killed with its process group and reported as timed out")
    func timeout() async throws {
        let result = try await CommandRunner.run(
            Command("/bin/sh", ["-c", "echo started; sleep 30; echo never"], timeout: .milliseconds(300)))
        #expect(result.timedOut)
        #expect(result.output == "started\n")
        #expect(result.signal == SIGTERM)
    }

    @Test("a program that ignores SIGTERM gets SIGKILL after the grace period")
    func killAfterGrace() async throws {
        let result = try await CommandRunner.run(
            Command(
                "/bin/sh", ["-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"], timeout: .milliseconds(300),
                killGrace: .milliseconds(200)))
        #expect(result.timedOut && result.signal == SIGKILL)
    }

    @Test("a missing executable is a PLUGIN_UNAVAILABLE error that names it")
    func missingExecutable() async throws {
        let error = await #expect(throws: CoreError.self) {
            try await CommandRunner.run(Command("/nonexistent/autogit-tool"))
        }
        #expect(error?.code == .pluginUnavailable)
        #expect(error?.message.contains("/nonexistent/autogit-tool") == true)
    }

    @Test("a background grandchild holding the pipes open does not hold the call")
    func lingeringGrandchild() async throws {
        let result = try await CommandRunner.run(Command("/bin/sh", ["-c", "sleep 20 & echo $!"]))
        let pid = try #require(Int32(result.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGKILL)
        #expect(result.status == 0 && !result.timedOut)
    }

    @Test("cancelling the calling task kills the program and throws CancellationError")
    func cancellation() async throws {
        let task = Task { try await CommandRunner.run(Command("/bin/sh", ["-c", "sleep 30"], timeout: .seconds(60))) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test("the environment adds to the inherited one and programs are found on PATH")
    func environment() async throws {
        let result = try await CommandRunner.run(
            Command("sh", ["-c", "echo \"$AUTOGIT_TEST_VALUE|$HOME\""], environment: ["AUTOGIT_TEST_VALUE": "x y"]))
        #expect(result.output == "x y|\(ProcessInfo.processInfo.environment["HOME"] ?? "")\n")
    }

    @Test("shell quoting survives spaces, quotes and metacharacters")
    func quoting() async throws {
        let words = ["plain", "two words", "it's", "$HOME", "a;b", "", "*"]
        let result = try await CommandRunner.run(
            Command("/bin/sh", ["-c", "for w in \(ShellQuoting.join(words)); do printf '[%s]' \"$w\"; done"]))
        #expect(result.output == words.map { "[\($0)]" }.joined())
    }
}
