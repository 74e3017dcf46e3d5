import Foundation

/// The server's host and build: `GET /v1/system/info`. `memoryTotal` is in bytes.
public struct SystemInfo: Codable, Sendable, Hashable {
    public var hostname: String
    public var os: String
    public var arch: String
    public var cpuCount: Int
    public var memoryTotal: Int64
    public var version: String
    public var apiVersion: String?
    public var buildTime: Date?

    public init(
        hostname: String, os: String, arch: String, cpuCount: Int, memoryTotal: Int64, version: String,
        apiVersion: String? = "v1", buildTime: Date? = nil
    ) {
        self.hostname = hostname
        self.os = os
        self.arch = arch
        self.cpuCount = cpuCount
        self.memoryTotal = memoryTotal
        self.version = version
        self.apiVersion = apiVersion
        self.buildTime = buildTime
    }

    enum CodingKeys: String, CodingKey {
        case hostname, os, arch
        case cpuCount = "cpu_count"
        case memoryTotal = "memory_total"
        case version
        case apiVersion = "api_version"
        case buildTime = "build_time"
    }
}
