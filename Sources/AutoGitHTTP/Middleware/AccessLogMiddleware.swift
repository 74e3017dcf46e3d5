#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one line per request: method, target, status, body bytes (`-` when streamed), duration and request id.
/// Place it inside `RequestIDMiddleware` and outside `ErrorMiddleware` so it sees the id and the final status.
public struct AccessLogMiddleware: Middleware {
    /// Receives each finished line (no trailing newline).
    public typealias Sink = @Sendable (String) -> Void

    let sink: Sink

    /// Lines go to standard error by default.
    public init(sink: @escaping Sink = AccessLogMiddleware.standardError) {
        self.sink = sink
    }

    public func handle(_ request: HTTPRequest, next: HTTPHandler) async throws -> HTTPResponse {
        let start = ContinuousClock.now
        do {
            let response = try await next(request)
            let bytes = response.knownBodyCount.map(String.init) ?? "-"
            sink(line(request, status: response.status.code, bytes: bytes, elapsed: ContinuousClock.now - start))
            return response
        } catch {
            let status = (error as? HTTPError)?.status.code ?? 500
            sink(line(request, status: status, bytes: "-", elapsed: ContinuousClock.now - start))
            throw error
        }
    }

    func line(_ request: HTTPRequest, status: Int, bytes: String, elapsed: Duration) -> String {
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        let milliseconds = "\(micros / 1000).\(String(micros % 1000 + 1000).dropFirst())"
        let id = request.requestID ?? "-"
        let peer = request.remoteAddress ?? "-"
        return "\(peer) \(request.method) \(request.target) \(status) \(bytes) \(milliseconds)ms id=\(id)"
    }

    /// Writes the line and a newline to file descriptor 2 in one call, so concurrent lines do not interleave.
    public static let standardError: Sink = { line in
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
