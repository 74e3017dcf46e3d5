import Foundation
import Synchronization
import Testing

@testable import AutoGitRunner

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system's temporary directory, removed by ``remove()``.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("autogit-runner-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func write(_ text: String, to name: String, executable: Bool = false) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        if executable { chmod(file, 0o755) }
        return file
    }
}

/// Lines a step printed, gathered from the reading threads.
final class LineCollector: Sendable {
    private let lines = Mutex<[(stream: String, text: String)]>([])

    func add(_ stream: String, _ text: String) {
        lines.withLock { $0.append((stream, text)) }
    }

    func lines(of stream: String) -> [String] {
        lines.withLock { $0.filter { $0.stream == stream }.map(\.text) }
    }
}

/// Pids of processes a test started, killed when the test ends whatever happened.
final class ChildReaper: Sendable {
    private let pids = Mutex<[Int32]>([])

    func track(_ text: String) {
        if let pid = Int32(text.trimmingCharacters(in: .whitespaces)) { pids.withLock { $0.append(pid) } }
    }

    var tracked: [Int32] { pids.withLock { $0 } }

    func killAll() {
        for pid in tracked where pid > 1 { kill(pid, SIGKILL) }
    }
}

/// Waits until `condition` holds, checking every 10 ms; records an issue and returns false after `limit` (a safety
/// bound so a broken agent cannot hang the suite, not a speed check: the whole suite on two loaded cores has been
/// seen to keep an in-process agent's job from ending within 30 s).
func eventually(
    _ what: String, within limit: Duration = .seconds(90), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
    return false
}

/// Whether a process is gone: absent, or a zombie (PID 1 here reaps orphans slowly).
func isGone(_ pid: Int32) -> Bool {
    !ProcessTable.isAlive(pid)
}
