/// Why the server could not start.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The C `errno` of the failing system call, when there is one.
    public var errorNumber: Int32?

    public init(_ message: String, errorNumber: Int32? = nil) {
        self.message = message
        self.errorNumber = errorNumber
    }

    public var description: String {
        if let errorNumber { return "\(message) (errno \(errorNumber))" }
        return message
    }

    /// This platform has no event-loop backend yet (only Linux epoll is implemented; kqueue may follow).
    public static let unsupportedPlatform = HTTPServerError("The HTTP server runs only on Linux for now.")
}
