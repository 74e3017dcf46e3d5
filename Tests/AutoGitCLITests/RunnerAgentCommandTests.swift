import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("autogit runner", .serialized)
struct RunnerAgentCommandTests {
    @Test("without a registration token the agent does not start: a usage error naming the flag")
    func needsToken() async {
        let result = await runAutoGit(["runner", "--server", "http://127.0.0.1:1"])
        #expect(result.status == 2)
        #expect(result.error.contains("--registration-token"))
    }

    @Test("a concurrency below 1 is a usage error")
    func concurrencyAtLeastOne() async {
        let result = await runAutoGit(["runner", "--registration-token", "t", "--concurrency", "0"])
        #expect(result.status == 2)
        #expect(result.error.contains("--concurrency"))
    }

    @Test(
        "SIGTERM drains the agent and it exits 0, even while it is still trying to register",
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/exe")))
    func sigtermDrains() async throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("autogit").path
        try #require(FileManager.default.isExecutableFile(atPath: binary))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("autogit-runner-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let errorFile = directory.appendingPathComponent("stderr.txt").path
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        // Nothing listens on port 1: registration fails and is retried until the signal.
        process.arguments = [
            "runner", "--server", "http://127.0.0.1:1", "--registration-token", "t", "--work-dir",
            directory.appendingPathComponent("work").path,
        ]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: errorFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let started = ContinuousClock.now
        while !((try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? "").contains("registration failed") {
            try #require(started.duration(to: .now) < .seconds(60), "the agent never tried to register")
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(process.processIdentifier, SIGTERM)
        while process.isRunning {
            try #require(started.duration(to: .now) < .seconds(60), "the agent did not exit after SIGTERM")
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(process.terminationStatus == 0)
        #expect(((try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? "").contains("draining"))
    }
}
