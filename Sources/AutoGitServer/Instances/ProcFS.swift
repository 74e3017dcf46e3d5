import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What Linux's `/proc` says about processes: state, process group, CPU ticks, start time and resident memory.
///
/// Everything returns nil (or "gone") where `/proc` is missing, so callers degrade instead of failing.
enum ProcFS {
    /// The fields of `/proc/<pid>/stat` the supervisor uses.
    struct Stat: Sendable, Equatable {
        var pid: pid_t
        /// `R`, `S`, `D`, `Z` (zombie), `T`, `X` (dead)…
        var state: Character
        var parent: pid_t
        var processGroup: pid_t
        var userTicks: UInt64
        var systemTicks: UInt64
        /// Clock ticks after boot at which the process started: with the pid, it identifies one process for good.
        var startTicks: UInt64
        var residentPages: Int

        var cpuTicks: UInt64 { userTicks + systemTicks }
        var isZombie: Bool { state == "Z" || state == "X" }
    }

    static let ticksPerSecond: Double = {
        let value = sysconf(Int32(_SC_CLK_TCK))
        return value > 0 ? Double(value) : 100
    }()

    static let pageSize: Int = {
        let value = sysconf(Int32(_SC_PAGESIZE))
        return value > 0 ? value : 4096
    }()

    /// Parses `/proc/<pid>/stat`; nil when the process does not exist.
    static func stat(_ pid: pid_t) -> Stat? {
        guard pid > 0, let text = readSmallFile("/proc/\(pid)/stat") else { return nil }
        return parseStat(text)
    }

    /// Parses one `stat` line. The command name sits in parentheses and may itself hold spaces or parentheses,
    /// so fields are counted from the last `)`.
    static func parseStat(_ text: String) -> Stat? {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"),
            let pid = pid_t(text[..<open].trimmingCharacters(in: .whitespaces))
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 of proc(5): state; ppid 4, pgrp 5, utime 14, stime 15, starttime 22, rss 24.
        guard fields.count >= 22, let state = fields[0].first, let parent = pid_t(fields[1]),
            let group = pid_t(fields[2]), let user = UInt64(fields[11]), let system = UInt64(fields[12]),
            let start = UInt64(fields[19]), let resident = Int(fields[21])
        else { return nil }
        return Stat(
            pid: pid, state: state, parent: parent, processGroup: group, userTicks: user, systemTicks: system,
            startTicks: start, residentPages: resident)
    }

    /// Whether `pid` no longer runs: no such process, or a zombie waiting to be reaped (PID 1 in a container may
    /// reap slowly, so a zombie counts as gone).
    /// With `startTicks`, a process that has the pid but started at another time (the pid was reused) counts as
    /// gone too.
    static func isGone(_ pid: pid_t, startTicks: UInt64? = nil) -> Bool {
        guard pid > 0 else { return true }
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        if let stat = stat(pid) { return stat.isZombie || (startTicks.map { $0 != stat.startTicks } ?? false) }
        // No /proc entry but kill saw it: only possible without /proc; trust kill.
        return false
    }

    /// Every live (non-zombie) process whose process group is `group`.
    static func members(ofGroup group: pid_t) -> [Stat] {
        guard group > 0 else { return [] }
        return allProcesses().filter { $0.processGroup == group && !$0.isZombie }
    }

    /// The stat of every process visible in `/proc`.
    static func allProcesses() -> [Stat] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { name in
            guard let first = name.utf8.first, first >= 48, first <= 57, let pid = pid_t(name) else { return nil }
            return stat(pid)
        }
    }

    /// Reads a file that reports size 0 (as `/proc` files do) to its end; nil when it cannot be opened.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
