import AutoGitCore

/// An error of the runner agent itself (not of the server, whose errors arrive as `AutoGitError`).
public struct RunnerError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// The server's HTTP status, when the error is the server's refusal (a registration answered 401, 403, 409).
    public var httpStatus: Int?

    public init(_ code: ErrorCode, _ message: String, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String { "\(code): \(message)" }
}

extension ErrorCode {
    /// A step's process could not be started (no pipe, no `/bin/sh`, no working directory).
    public static let spawnFailed: ErrorCode = "SPAWN_FAILED"
    /// The GPU inventory file is missing or is not a JSON list of GPUs.
    public static let gpuInventoryInvalid: ErrorCode = "GPU_INVENTORY_INVALID"
    /// The agent's configuration cannot work (no server URL, concurrency below 1, a work directory it cannot make).
    public static let agentConfigurationInvalid: ErrorCode = "AGENT_CONFIGURATION_INVALID"
}
