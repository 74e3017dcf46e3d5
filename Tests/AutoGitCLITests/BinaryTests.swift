import Foundation
import Testing

@Suite("The autogit binary", .serialized)
struct BinaryTests {
    @Test("the binary is built beside the tests")
    func exists() {
        #expect(FileManager.default.isExecutableFile(atPath: binaryPath), "expected autogit at \(binaryPath)")
    }

    @Test("--version prints the version and exits 0", .enabled(if: FileManager.default.isExecutableFile(atPath: binaryPath)))
    func version() async throws {
        let result = try await ShellProcess.run(binaryPath, ["--version"], environment: [:])
        #expect(result.status == 0)
        #expect(result.output == "autogit 0.1.0\n")
        #expect(result.error.isEmpty)
    }

    @Test("--help prints the root help and exits 0", .enabled(if: FileManager.default.isExecutableFile(atPath: binaryPath)))
    func help() async throws {
        let result = try await ShellProcess.run(binaryPath, ["--help"], environment: [:])
        #expect(result.status == 0)
        #expect(result.output.contains("Usage: autogit <command> [options]"))
    }

    @Test(
        "a usage error exits 2 with the message and usage on stderr only",
        .enabled(if: FileManager.default.isExecutableFile(atPath: binaryPath)))
    func usageError() async throws {
        let result = try await ShellProcess.run(binaryPath, ["jobs", "list", "--stauts", "queued"], environment: [:])
        #expect(result.status == 2)
        #expect(result.output.isEmpty)
        #expect(result.error.hasPrefix("error: unknown option '--stauts' (did you mean '--status'?)\n"))
        #expect(result.error.contains("Usage: autogit jobs list [options]"))
    }

    @Test("an unreachable server exits 6 with one line", .enabled(if: FileManager.default.isExecutableFile(atPath: binaryPath)))
    func unreachable() async throws {
        let server = "http://127.0.0.1:\(closedLoopbackPort())"
        let result = try await ShellProcess.run(binaryPath, ["system", "status", "--server", server], environment: [:])
        #expect(result.status == 6)
        #expect(result.output.isEmpty)
        #expect(result.error.hasPrefix("error: cannot reach the AutoGit server at \(server)"))
        #expect(result.error.split(separator: "\n").count == 1)
    }
}
