#if os(Linux)
/// The handler task's handle on its connection: every call hops to the owning loop, and results for a connection
/// that has closed or moved on to another request (a different `serial`) are dropped.
struct ResponseWriter: Sendable {
    let loop: EventLoop
    let tag: UInt64
    let serial: UInt64

    /// Runs the responder, sends the head (and in-memory body), then pumps a streamed body with back-pressure.
    func respond(to request: HTTPRequest, with responder: any HTTPResponder) async {
        let response: HTTPResponse
        do {
            response = try await responder.respond(to: request)
        } catch {
            response = ErrorMiddleware.response(for: error, requestID: request.requestID)
        }
        let isHead = request.method == .head
        let version = request.version
        let (loop, tag, serial) = (self.loop, self.tag, self.serial)
        loop.execute { loop.connection(tag)?.deliver(response, serial: serial, isHead: isHead, version: version) }
        guard !isHead && !response.status.forbidsBody else { return }
        switch response.body {
        case .bytes:
            return
        case .stream(let chunks):
            await pump { write in try await chunks.forEach { try await write($0) } }
        case .serverSentEvents(let events):
            await pump { write in try await events.forEach { try await write($0.encoded) } }
        }
    }

    private func pump(_ body: (_ write: ([UInt8]) async throws -> Void) async throws -> Void) async {
        var graceful = true
        do {
            try await body { chunk in try await write(chunk) }
        } catch is CancellationError {
            // Shutdown or a departed client: end the stream properly where the connection still exists.
        } catch is ConnectionClosedError {
        } catch {
            // A producer failure mid-stream: the status is already sent, so truncation is the only honest signal.
            graceful = false
        }
        let (loop, tag, serial, ending) = (self.loop, self.tag, self.serial, graceful)
        loop.execute { loop.connection(tag)?.finishStream(serial: serial, graceful: ending) }
    }

    private func write(_ chunk: [UInt8]) async throws {
        try Task.checkCancellation()
        let (loop, tag, serial) = (self.loop, self.tag, self.serial)
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            loop.execute {
                guard let connection = loop.connection(tag) else {
                    continuation.resume(throwing: ConnectionClosedError())
                    return
                }
                connection.writeChunk(chunk, serial: serial, continuation: continuation)
            }
        }
    }
}
#endif
