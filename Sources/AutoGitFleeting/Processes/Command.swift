import Foundation

/// A program to run to its end: what a plugin hands to ``CommandRunner`` for `ssh`, `sbatch`, `squeue`, `scancel`
/// or an external plugin executable.
public struct Command: Sendable, Hashable {
    /// A path, or a name looked up on `PATH`.
    public var executable: String
    public var arguments: [String]
    /// Variables set on top of this process's environment (a value replaces the inherited one).
    public var environment: [String: String]
    /// Bytes written to the program's standard input, which is then closed; nil connects it to `/dev/null`.
    public var standardInput: Data?
    /// How long the program may run before its process group receives SIGTERM (and SIGKILL `killGrace` later).
    public var timeout: Duration
    public var killGrace: Duration

    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String] = [:], standardInput: Data? = nil,
        timeout: Duration = .seconds(30), killGrace: Duration = .seconds(2)
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.standardInput = standardInput
        self.timeout = timeout
        self.killGrace = killGrace
    }

    /// The command as a person would type it, for error messages (arguments are not quoted).
    public var displayName: String { ([executable] + arguments).joined(separator: " ") }
}
