import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `autogit quickstart` as users run it: the built binary, to completion or interrupted, leaving nothing behind.
@Suite("End to end: autogit quickstart", .serialized, .timeLimit(.minutes(3)))
struct QuickstartEndToEndTests {
    static var environment: [String: String] {
        ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "TMPDIR": NSTemporaryDirectory()]
    }

    /// The temporary directory the run announced ("data in /tmp/autogit-quickstart-…").
    static func directory(in output: String) -> String? {
        guard let range = output.range(of: "data in ") else { return nil }
        return output[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," }.description
    }

    /// Waits (bounded) until nothing still runs from the run's directory: agents and their steps.
    static func expectNothingLeft(from directory: String) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while !processes(mentioning: directory).isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(processes(mentioning: directory).isEmpty, "processes left behind from \(directory)")
        #expect(!FileManager.default.fileExists(atPath: directory), "\(directory) was not removed")
    }

    @Test("quickstart runs both jobs to success, prints the tables, and leaves no process or file behind")
    func runsToCompletion() async throws {
        let run = try BinaryProcess.start(["quickstart"], environment: Self.environment, timeLimit: .seconds(120))
        let status = await run.wait()
        let output = run.text
        #expect(status == 0, "\(output)")
        #expect(output.contains("[hello] Hello from runner-"))
        #expect(output.contains("[gpu-check] This step may use GPU 0 (CUDA_VISIBLE_DEVICES=0)"))
        #expect(output.contains("Runners") && output.contains("Jobs"))
        #expect(output.components(separatedBy: "succeeded  runner-").count == 3, "both jobs succeeded:\n\(output)")
        #expect(output.contains("Stopped: 2 runner agents drained, server shut down"))
        let directory = try #require(Self.directory(in: output), "\(output)")
        try await Self.expectNothingLeft(from: directory)
    }

    @Test("Ctrl-C during quickstart stops the agents and the server, exits 130, and leaves nothing behind")
    func interrupted() async throws {
        let run = try BinaryProcess.start(["quickstart"], environment: Self.environment, timeLimit: .seconds(120))
        let deadline = ContinuousClock.now + .seconds(60)
        // Interrupt once both agents run and have registered.
        while !run.text.contains(") registered") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        run.send(SIGINT)
        let status = await run.wait()
        let output = run.text
        let directory = try #require(Self.directory(in: output), "\(output)")
        // The run may have finished before the signal arrived on a fast machine; either way it cleans up.
        #expect(status == 130 || status == 0, "\(output)")
        #expect(output.contains("Stopped:"))
        try await Self.expectNothingLeft(from: directory)
    }
}
