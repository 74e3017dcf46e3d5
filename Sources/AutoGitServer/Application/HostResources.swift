import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server host's own figures, for `GET /v1/system/info` and `GET /v1/system/status`.
enum HostResources {
    static var architecture: String {
        #if arch(x86_64)
        "amd64"
        #elseif arch(arm64)
        "arm64"
        #else
        "unknown"
        #endif
    }

    static var operatingSystem: String {
        #if os(Linux)
        "linux"
        #elseif os(macOS)
        "darwin"
        #else
        "unknown"
        #endif
    }

    static func info() -> SystemInfo {
        SystemInfo(
            hostname: ProcessInfo.processInfo.hostName, os: operatingSystem, arch: architecture,
            cpuCount: max(1, ProcessInfo.processInfo.activeProcessorCount), memoryTotal: Int64(ProcessInfo.processInfo.physicalMemory),
            version: ServerVersion.current, apiVersion: "v1")
    }

    /// CPU use (the one-minute load average over the cores, as a percentage), memory in use, and how full the file
    /// system holding `directory` is.
    static func usage(of directory: String) -> SystemStatus.HostResources {
        var resources = SystemStatus.HostResources()
        resources.memoryTotal = Int64(ProcessInfo.processInfo.physicalMemory)
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            var values: [String: Int64] = [:]
            for line in meminfo.split(separator: "\n") {
                let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " })
                if parts.count >= 2, let kilobytes = Int64(parts[1]) { values[String(parts[0])] = kilobytes * 1024 }
            }
            if let total = values["MemTotal"], let available = values["MemAvailable"] {
                resources.memoryTotal = total
                resources.memoryUsage = total - available
            }
        }
        if let loadavg = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
            let first = loadavg.split(separator: " ").first, let load = Double(first)
        {
            let cores = Double(max(1, ProcessInfo.processInfo.activeProcessorCount))
            resources.cpuUsage = min(100, (load / cores * 100 * 10).rounded() / 10)
        }
        var stats = statvfs()
        if statvfs(directory, &stats) == 0, stats.f_blocks > 0 {
            let used = Double(stats.f_blocks - stats.f_bfree)
            let usable = used + Double(stats.f_bavail)
            if usable > 0 { resources.diskUsage = (used / usable * 1000).rounded() / 10 }
        }
        return resources
    }
}
