import AutoGitCore
import Foundation

extension InstanceManager {
    /// Where instances live and the limits and timings of their supervision. Every timing has a default for real
    /// model servers; tests shorten them.
    public struct Configuration: Sendable {
        /// Each instance gets `<directory>/<name>/`: its logs in `logs/`, its working directory `work/`.
        public var directory: String
        /// Ports handed to instances that do not name one.
        public var portRange: ClosedRange<Int>
        /// Instances running (or starting) at once; starting one more stops the least recently used.
        public var maxRunning: Int
        /// The environment every instance starts with (its own `environment` and GPU variables are added).
        public var environment: [String: String]
        /// The programs run for the `llama-server` and `vllm` backends, looked up in `PATH`.
        public var llamaServerProgram = "llama-server"
        public var vllmProgram = "vllm"
        /// How long a starting instance may take to pass its first health probe before it counts as failed
        /// (loading a large model takes minutes).
        public var startTimeout: Duration = .seconds(600)
        /// How often a starting instance is probed.
        public var startProbeInterval: Duration = .milliseconds(250)
        /// How often a running instance is probed, and its idle time checked.
        public var healthInterval: Duration = .seconds(5)
        /// Consecutive failed probes of a running instance that count as a failure (and trigger its restart policy).
        public var unhealthyThreshold = 3
        /// Time one probe (connect plus answer) may take.
        public var probeTimeout: Duration = .seconds(2)
        /// Graceful stop: time between SIGTERM and SIGKILL when the request names none.
        public var stopTimeout: Duration = .seconds(30)
        /// The longest wait between restarts, however many failures came before.
        public var maxBackoff: Duration = .seconds(300)
        /// A running instance that stays healthy this long has its backoff reset.
        public var stableAfter: Duration = .seconds(60)
        /// After a server crash: how long an orphan that is still the same process may take to answer its probe
        /// before it is killed instead of adopted.
        public var adoptionTimeout: Duration = .seconds(5)
        /// Log files: the size at which `output.log` rotates, and how many files (with it) are kept.
        public var logFileBytes = 10 << 20
        public var logFilesKept = 5
        /// Proxy: time to connect and receive the answer's head (and the longest silence inside a streamed body);
        /// answers with a `Content-Length` up to `proxyBufferLimit` bytes are read whole, others stream.
        public var proxyTimeout: Duration = .seconds(600)
        public var proxyBufferLimit = 1 << 20

        /// `directory` for instance files; the range and the running limit from the server configuration
        /// (`instances.port_range_start`, `port_range_end`, `max_running`).
        public init(
            directory: String, instances: ServerConfiguration.Instances = ServerConfiguration.Instances(),
            environment: [String: String] = ProcessInfo.processInfo.environment
        ) {
            self.directory = directory
            let low = max(1, min(instances.portRangeStart, instances.portRangeEnd))
            let high = min(65_535, max(instances.portRangeStart, instances.portRangeEnd))
            self.portRange = low...max(low, high)
            self.maxRunning = max(1, instances.maxRunning)
            self.environment = environment
        }
    }
}

extension InstanceManager {
    /// Applies a changed `instances` section of the server configuration (a `PATCH /v1/config`) without a restart.
    /// A new port range applies to ports handed out from now on; instances keep the ports they have until they are
    /// deleted. A new `max_running` applies at the next start: instances already running are not stopped, but a
    /// start while the limit is reached stops the least recently used ones to get under it.
    public func update(settings: ServerConfiguration.Instances) {
        let range = settings.portRangeStart...max(settings.portRangeStart, settings.portRangeEnd)
        if range != configuration.portRange {
            configuration.portRange = range
            ports = InstancePortAllocator(range: range)
        }
        configuration.maxRunning = max(1, settings.maxRunning)
    }
}
