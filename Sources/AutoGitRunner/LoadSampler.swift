import AutoGitCore
import Foundation
import Synchronization

/// Measures the host's load for heartbeats: CPU use since the previous sample (from `/proc/stat`), memory in use
/// (from `/proc/meminfo`), and the work directory's disk use.
final class LoadSampler: Sendable {
    private let previousCPU = Mutex<(busy: UInt64, total: UInt64)?>(nil)
    private let procRoot: String
    private let workDirectory: String

    init(workDirectory: String, procRoot: String = "/proc") {
        self.workDirectory = workDirectory
        self.procRoot = procRoot
    }

    /// The load now, with `activeJobs` jobs running. Fields the host does not expose are nil.
    func sample(activeJobs: Int) -> RunnerLoad {
        RunnerLoad(activeJobs: activeJobs, cpuUsage: cpuUsage(), memoryUsage: memoryUsage(), diskUsage: diskUsage())
    }

    private func cpuUsage() -> Double? {
        guard let text = try? String(contentsOfFile: procRoot + "/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return nil }
        let values = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard values.count >= 4 else { return nil }
        let total = values.reduce(0, +)
        // idle and iowait are the 4th and 5th fields.
        let idle = values[3] + (values.count > 4 ? values[4] : 0)
        let current = (busy: total - idle, total: total)
        let previous = previousCPU.withLock { state -> (busy: UInt64, total: UInt64)? in
            defer { state = current }
            return state
        }
        guard let previous, current.total > previous.total else {
            return total > 0 ? 100 * Double(current.busy) / Double(total) : nil
        }
        return 100 * Double(current.busy &- previous.busy) / Double(current.total - previous.total)
    }

    private func memoryUsage() -> Double? {
        guard let fields = HostProbe.memoryInformation(procRoot: procRoot), let total = fields["MemTotal"], total > 0,
            let available = fields["MemAvailable"]
        else { return nil }
        return 100 * Double(total - min(available, total)) / Double(total)
    }

    private func diskUsage() -> Double? {
        guard let space = HostProbe.diskSpace(at: workDirectory), space.total > 0 else { return nil }
        return 100 * (1 - space.available / space.total)
    }
}
