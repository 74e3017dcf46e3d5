import AutoGitCore
import Foundation

extension InstanceManager {
    /// Resource use of an instance's process group: resident memory summed over its processes, CPU as a percentage
    /// of one core since the previous sample (or since the start, for the first), and uptime.
    static func stats(members: [ProcFS.Stat], startedAt: Date?, previous: CPUSample?) -> (InstanceStats, CPUSample) {
        let now = ContinuousClock.now
        let memory = members.reduce(0) { $0 + $1.residentPages } * ProcFS.pageSize
        let ticks = members.reduce(UInt64(0)) { $0 + $1.cpuTicks }
        let uptime = startedAt.map { max(0, Date().timeIntervalSince($0)) }
        var percent: Double
        if let previous, ticks >= previous.ticks, now - previous.at < .milliseconds(100) {
            percent = previous.percent
        } else if let previous, ticks >= previous.ticks {
            percent = Double(ticks - previous.ticks) / ProcFS.ticksPerSecond / (now - previous.at).inSeconds * 100
        } else if let uptime, uptime > 0 {
            percent = Double(ticks) / ProcFS.ticksPerSecond / uptime * 100
        } else {
            percent = 0
        }
        percent = (max(0, percent) * 10).rounded() / 10
        let sample = CPUSample(ticks: ticks, at: now, percent: percent)
        let stats = InstanceStats(memoryUsage: memory, cpuUsage: percent, uptime: uptime.map { ($0 * 10).rounded() / 10 })
        return (stats, previous.map { now - $0.at < .milliseconds(100) ? $0 : sample } ?? sample)
    }
}
