import AutoGitFleeting
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Processes on this machine that carry a provider's tag: how tests whose "remote" host or cluster node is this
/// machine check that nothing was left behind, and clean up when a test failed half-way. Reads `/proc` directly.
public enum TaggedProcesses {
    /// Live processes (not zombies) whose environment has ``FleetingTags/provider`` set to `provider`.
    public static func pids(provider: String) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap(Int32.init).filter { pid in
            pid != getpid() && isAlive(pid) && environment(of: pid)[FleetingTags.provider] == provider
        }
        .sorted()
    }

    /// SIGKILLs every live process tagged with `provider`.
    public static func killAll(provider: String) {
        for pid in pids(provider: provider) { kill(pid, SIGKILL) }
    }

    /// Whether `pid` exists and is not a zombie (state `Z`, which `kill -0` still reports as alive).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    /// The environment `pid` was started with (empty when it cannot be read).
    public static func environment(of pid: Int32) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [:] }
        var variables: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return variables
    }
}
