import Foundation
import Synchronization

/// Runs a host tool (`nvidia-smi`, `rocm-smi`) and collects its output, within a time limit.
struct ToolRunner: Sendable {
    /// Directories searched for tools, in order (`PATH` by default).
    var searchPath: [String]
    var timeout: Duration = .seconds(15)

    init(searchPath: [String]? = nil) {
        self.searchPath =
            searchPath
            ?? (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
    }

    /// What a tool printed, and how it ended.
    struct Output: Sendable {
        var status: ExitStatus
        var standardOutput: String
        var standardError: String
    }

    /// The absolute path of `tool` in ``searchPath``, or nil when it is not installed.
    func locate(_ tool: String) -> String? {
        for directory in searchPath where !directory.isEmpty {
            let path = directory + "/" + tool
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs `tool` with `arguments`; nil when the tool is not installed or could not be started. A tool that runs
    /// past ``timeout`` is killed (its whole process group) and reported as signalled.
    func run(_ tool: String, _ arguments: [String]) async -> Output? {
        guard let path = locate(tool) else { return nil }
        let group: ProcessGroup
        do {
            group = try ProcessGroup.spawn(
                [path] + arguments, environment: ProcessInfo.processInfo.environment, workingDirectory: "/")
        } catch {
            return nil
        }
        let outputDone = Latch()
        let errorDone = Latch()
        let lines = Mutex<(output: [String], error: [String])>(([], []))
        OutputReader.start(group.standardOutput, name: "autogit-tool-out", finished: outputDone) { line in
            lines.withLock { $0.output.append(line) }
        }
        OutputReader.start(group.standardError, name: "autogit-tool-err", finished: errorDone) { line in
            lines.withLock { $0.error.append(line) }
        }
        let limit = timeout
        let killer = Task {
            try await Task.sleep(for: limit)
            await group.terminate(grace: .seconds(1))
        }
        let status = await group.waitForExit()
        killer.cancel()
        if group.hasLiveMembers { await group.terminate(grace: .seconds(1)) }
        let deadline = ContinuousClock.now + .seconds(2)
        _ = await outputDone.wait(until: deadline)
        _ = await errorDone.wait(until: deadline)
        let collected = lines.withLock { $0 }
        return Output(
            status: status, standardOutput: collected.output.joined(separator: "\n"), standardError: collected.error.joined(separator: "\n")
        )
    }
}
