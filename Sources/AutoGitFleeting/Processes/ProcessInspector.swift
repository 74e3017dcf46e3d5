import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `/proc` says about a process on this machine: whether it is alive, who it is, and which AutoGit tags its
/// environment carries. Used by the local plugin, which must tell its agent from a process that reused its pid.
enum ProcessInspector {
    struct Snapshot: Sendable, Hashable {
        var pid: Int32
        /// The one-letter state of `/proc/PID/stat` (`R`, `S`, `D`, `Z`, …).
        var state: Character
        var sessionID: Int32
        /// Clock ticks after boot when the process started: with the pid, an identity that survives pid reuse.
        var startTime: UInt64

        /// A zombie has exited; only its parent's `wait` is missing (PID 1 here reaps about once a second).
        var isAlive: Bool { state != "Z" && state != "X" }
    }

    /// The process's state, or nil when no such process exists.
    static func snapshot(pid: Int32) -> Snapshot? {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name, which may itself contain spaces and parentheses: state is field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let session = Int32(fields[3]), let start = UInt64(fields[19])
        else { return nil }
        return Snapshot(pid: pid, state: state, sessionID: session, startTime: start)
        #else
        guard kill(pid, 0) == 0 || errno == EPERM else { return nil }
        return Snapshot(pid: pid, state: "S", sessionID: getsid(pid), startTime: 0)
        #endif
    }

    /// The environment of a process this user may read, or nil.
    static func environment(pid: Int32) -> [String: String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        var variables: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return variables
    }

    /// Every pid on this machine (Linux), for finding tagged leftovers.
    static func allPIDs() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    }
}
