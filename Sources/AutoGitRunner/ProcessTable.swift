import Foundation

/// Reads Linux's process table (`/proc/<pid>/stat`) for what `kill(2)` cannot tell: whether a process is a zombie.
///
/// Orphaned grandchildren are reparented to PID 1, which in a container may reap them slowly, so a killed process
/// can linger as a zombie (state `Z`). A zombie runs no code and holds no file, so it counts as gone.
enum ProcessTable {
    /// The state letter (`R`, `S`, `Z` …) and process group of `pid`, or nil when it does not exist.
    static func status(of pid: Int32) -> (state: Character, group: Int32)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse from the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count >= 3, let state = fields[0].first, let group = Int32(fields[2]) else { return nil }
        return (state, group)
    }

    /// Whether `pid` exists and is not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let status = status(of: pid) else { return false }
        return status.state != "Z" && status.state != "X"
    }

    /// Whether some process of group `group` exists and is not a zombie. Without `/proc`, any member counts.
    static func hasLiveProcess(inGroup group: Int32) -> Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
            return kill(-group, 0) == 0
        }
        for entry in entries {
            guard let pid = Int32(entry), let status = status(of: pid), status.group == group else { continue }
            if status.state != "Z" && status.state != "X" { return true }
        }
        return false
    }
}
