import AutoGitClient
import Testing

/// The transports a loopback test can run over: the same test body, two stacks under it.
enum TransportKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case urlSession
    case socket

    /// A new transport of this kind.
    func make() -> any Transport {
        switch self {
        case .urlSession: URLSessionTransport()
        case .socket: SocketTransport()
        }
    }

    var testDescription: String {
        switch self {
        case .urlSession: "over URLSession"
        case .socket: "over sockets"
        }
    }
}
