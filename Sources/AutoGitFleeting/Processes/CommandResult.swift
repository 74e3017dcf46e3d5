import Foundation

/// How a ``Command`` ended and what it wrote.
public struct CommandResult: Sendable, Hashable {
    /// The exit status; for a program ended by a signal, 128 + the signal number, as shells report it.
    public var status: Int32
    /// The signal that ended the program, if one did.
    public var signal: Int32?
    public var standardOutput: Data
    public var standardError: Data
    /// Whether the program ran past its timeout and was killed.
    public var timedOut: Bool

    public init(status: Int32, signal: Int32? = nil, standardOutput: Data = Data(), standardError: Data = Data(), timedOut: Bool = false) {
        self.status = status
        self.signal = signal
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.timedOut = timedOut
    }

    public var succeeded: Bool { status == 0 && signal == nil && !timedOut }
    public var output: String { String(decoding: standardOutput, as: UTF8.self) }
    public var errorOutput: String { String(decoding: standardError, as: UTF8.self) }

    /// The last non-empty lines of standard error (or of standard output when error is empty), for error messages.
    public func diagnostic(maxCharacters: Int = 500) -> String {
        let text = errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let chosen = text.isEmpty ? output.trimmingCharacters(in: .whitespacesAndNewlines) : text
        return chosen.count > maxCharacters ? "…" + String(chosen.suffix(maxCharacters)) : chosen
    }
}
