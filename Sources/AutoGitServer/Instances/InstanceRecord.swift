import AutoGitCore

/// What the store keeps per instance (collection `instances`, keyed by name): the definition with its last
/// status, and, while a process runs, enough to find that process again after a server crash.
struct InstanceRecord: Codable, Sendable, Equatable {
    /// The process of a running instance: pid, process group, start time and port.
    struct Process: Codable, Sendable, Equatable {
        var pid: Int32
        var processGroup: Int32
        /// `/proc/<pid>/stat` start time (clock ticks after boot): a pid alone may have been reused.
        var startTicks: UInt64?
        var port: Int

        enum CodingKeys: String, CodingKey {
            case pid
            case processGroup = "process_group"
            case startTicks = "start_ticks"
            case port
        }
    }

    var instance: Instance
    /// The port was chosen from the range (not given), so it may be replaced when something else took it.
    var portAllocated: Bool
    var process: Process?
    /// The server stopped the instance at shutdown; the next start resumes it when its policy is `always`.
    var resumeOnStart: Bool

    static let collection = "instances"

    enum CodingKeys: String, CodingKey {
        case instance
        case portAllocated = "port_allocated"
        case process
        case resumeOnStart = "resume_on_start"
    }
}
