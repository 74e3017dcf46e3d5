import Foundation
import Synchronization

/// One request and its response over one connection of ``SocketTransport``, run on a thread of its own.
///
/// The thread owns the socket and does all its I/O without blocking, waiting in `poll` on the socket and on a wake
/// socket that ``cancel()`` writes to; so cancelling never touches a descriptor the thread may be closing. The
/// caller waits for the head through a continuation; the body's chunks go into a stream that only the response
/// holds, so dropping the body cancels the exchange too.
final class SocketExchange: Sendable {
    private struct State {
        /// Who waits for the response head, until it is delivered or the exchange fails.
        var head: CheckedContinuation<HTTPResponseData, any Error>?
        /// The body stream, held here only until the head is delivered with it.
        var body: AsyncThrowingStream<Data, any Error>?
        var isCancelled = false
        /// The end of the wake pair that ``cancel()`` writes to, while the thread runs; -1 otherwise.
        var wakeWriter: Int32 = -1

        /// Takes the waiting caller and the undelivered body; the caller must release the body outside the lock.
        mutating func takeWaiters() -> (CheckedContinuation<HTTPResponseData, any Error>?, AsyncThrowingStream<Data, any Error>?) {
            defer {
                head = nil
                body = nil
            }
            return (head, body)
        }
    }

    private let state: Mutex<State>
    private let bodyContinuation: AsyncThrowingStream<Data, any Error>.Continuation
    private let request: SocketRequest

    init(request: SocketRequest) {
        self.request = request
        let (body, continuation) = AsyncThrowingStream.makeStream(of: Data.self, throwing: (any Error).self)
        bodyContinuation = continuation
        state = Mutex(State(body: body))
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.cancel() }
        }
    }

    /// Starts the exchange's thread; `head` receives the response head or the failure.
    func start(head: CheckedContinuation<HTTPResponseData, any Error>) {
        let pair = POSIX.wakePair()
        let started = state.withLock { state -> Bool in
            guard !state.isCancelled, let pair else { return false }
            state.head = head
            state.wakeWriter = pair.writer
            return true
        }
        guard started, let pair else {
            if let pair {
                POSIX.close(pair.reader)
                POSIX.close(pair.writer)
                head.resume(throwing: CancellationError())
            } else {
                head.resume(throwing: urlError(.cannotConnect(POSIX.errorNumber)))
            }
            bodyContinuation.finish()
            return
        }
        Thread { [self] in run(wake: pair.reader) }.start()
    }

    /// Ends the exchange: the waiting caller gets `CancellationError`, a body reader too, and the thread closes the
    /// connection as soon as `poll` returns. Safe to call from any thread, any number of times.
    func cancel() {
        let (head, body) = state.withLock {
            state -> (CheckedContinuation<HTTPResponseData, any Error>?, AsyncThrowingStream<Data, any Error>?) in
            guard !state.isCancelled else { return (nil, nil) }
            state.isCancelled = true
            // Under the lock, so the thread cannot close the descriptor (and the system reuse it) meanwhile.
            if state.wakeWriter >= 0 { POSIX.poke(state.wakeWriter) }
            return state.takeWaiters()
        }
        head?.resume(throwing: CancellationError())
        bodyContinuation.finish(throwing: CancellationError())
        // Released only now, after the finish: releasing an unfinished stream would call `cancel()` again.
        withExtendedLifetime(body) {}
    }

    // MARK: The thread

    private func run(wake: Int32) {
        var connection = SocketConnection(fd: -1, wake: wake, idleTimeout: request.idleTimeout)
        defer {
            let writer = state.withLock { state -> Int32 in
                defer { state.wakeWriter = -1 }
                return state.wakeWriter
            }
            if writer >= 0 { POSIX.close(writer) }
            POSIX.close(wake)
            if connection.fd >= 0 { POSIX.close(connection.fd) }
        }
        do throws(SocketFailure) {
            connection.fd = try connect(wake: wake)
            var writeFailure: SocketFailure?
            do throws(SocketFailure) {
                try connection.write(request.bytes)
            } catch {
                // The server may have answered and closed before reading everything (413, 401): read that answer.
                writeFailure = error
            }
            let (head, leftover): (HTTPResponseHead, [UInt8])
            do throws(SocketFailure) {
                (head, leftover) = try connection.readHead(limit: request.maxHeadBytes)
            } catch {
                throw writeFailure ?? error
            }
            let framing: HTTPResponseHead.BodyFraming
            do throws(HTTPResponseHead.Malformed) {
                framing = try head.framing(requestMethod: request.method)
            } catch {
                throw .malformed(error.description)
            }
            guard deliver(head) else { return }
            try readBody(framing, leftover: leftover, from: &connection)
            bodyContinuation.finish()
        } catch {
            fail(error)
        }
    }

    /// Hands the head to the waiting caller; `false` when the exchange was cancelled meanwhile.
    private func deliver(_ head: HTTPResponseHead) -> Bool {
        let (waiter, body) = state.withLock { $0.takeWaiters() }
        guard let continuation = waiter, let body else { return false }
        let response = HTTPResponseData(
            status: head.status, headers: head.headers, body: HTTPBody(stream: body, onCancel: { [self] in cancel() }))
        continuation.resume(returning: response)
        return true
    }

    private func fail(_ failure: SocketFailure) {
        let error = urlError(failure)
        let (head, body) = state.withLock { $0.takeWaiters() }
        if let head {
            head.resume(throwing: error)
            bodyContinuation.finish()
        } else {
            bodyContinuation.finish(throwing: error)
        }
        withExtendedLifetime(body) {}
    }

    /// Connects to the first address of the request's host that accepts, within the connect timeout.
    private func connect(wake: Int32) throws(SocketFailure) -> Int32 {
        let deadline = ContinuousClock.now + request.connectTimeout
        let addresses = try SocketAddress.resolve(host: request.host, port: request.port)
        var lastError: Int32 = ECONNREFUSED
        for address in addresses {
            let fd = POSIX.streamSocket(family: address.family)
            guard fd >= 0 else {
                lastError = POSIX.errorNumber
                continue
            }
            var status = POSIX.connect(fd, to: address) == 0 ? 0 : POSIX.errorNumber
            if status == EINPROGRESS || status == EINTR {
                switch POSIX.wait(fd, for: POSIX.writable, wake: wake, until: deadline) {
                case .ready: status = POSIX.pendingError(fd)
                case .woken:
                    POSIX.close(fd)
                    throw .cancelled
                case .timedOut:
                    POSIX.close(fd)
                    throw .timedOut
                }
            }
            if status == 0 {
                POSIX.setNoDelay(fd)
                return fd
            }
            POSIX.close(fd)
            lastError = status
        }
        throw lastError == ETIMEDOUT ? .timedOut : .cannotConnect(lastError)
    }

    private func readBody(
        _ framing: HTTPResponseHead.BodyFraming, leftover: [UInt8], from connection: inout SocketConnection
    ) throws(SocketFailure) {
        switch framing {
        case .none:
            return
        case .length(var remaining):
            let first = leftover.prefix(remaining)
            try yield(first)
            remaining -= first.count
            while remaining > 0 {
                guard let bytes = try connection.read() else { throw .lost(0) }
                let part = bytes.prefix(remaining)
                try yield(part)
                remaining -= part.count
            }
        case .chunked:
            var decoder = ChunkedBodyDecoder()
            var bytes = leftover
            while true {
                let decoded: [UInt8]
                do throws(HTTPResponseHead.Malformed) {
                    decoded = try decoder.decode(bytes)
                } catch {
                    throw .malformed(error.description)
                }
                try yield(decoded[...])
                if decoder.isComplete { return }
                guard let next = try connection.read() else { throw .lost(0) }
                bytes = next
            }
        case .untilClose:
            try yield(leftover[...])
            while let bytes = try connection.read() {
                try yield(bytes[...])
            }
        }
    }

    /// Hands `bytes` to the body's reader; throws when the reader is gone.
    private func yield(_ bytes: ArraySlice<UInt8>) throws(SocketFailure) {
        guard !bytes.isEmpty else { return }
        if case .terminated = bodyContinuation.yield(Data(bytes)) { throw .cancelled }
    }

    /// The `URLError` that reports `failure` to the transport's caller.
    func urlError(_ failure: SocketFailure) -> URLError {
        let (code, message): (URLError.Code, String)
        switch failure {
        case .unknownHost(let detail):
            (code, message) = (.cannotFindHost, "Cannot find the host \(detail)")
        case .cannotConnect(let number):
            (code, message) = (.cannotConnectToHost, "Could not connect to \(request.authority): \(POSIX.describe(number))")
        case .timedOut:
            (code, message) = (
                .timedOut, "\(request.authority) sent nothing for \(request.idleTimeout) (or did not accept the connection in time)"
            )
        case .lost(0):
            (code, message) = (.networkConnectionLost, "\(request.authority) closed the connection before the answer was complete")
        case .lost(let number):
            (code, message) = (.networkConnectionLost, "The connection to \(request.authority) was lost: \(POSIX.describe(number))")
        case .malformed(let detail):
            (code, message) = (.badServerResponse, "\(request.authority) answered with \(detail)")
        case .cancelled:
            (code, message) = (.cancelled, "The request was cancelled")
        }
        return URLError(code, userInfo: [NSLocalizedDescriptionKey: message, NSURLErrorFailingURLErrorKey: request.url])
    }
}

/// The socket of one exchange, as its thread reads and writes it: every wait is bounded by the idle timeout and
/// ends early when the wake socket is written to.
struct SocketConnection {
    var fd: Int32
    let wake: Int32
    let idleTimeout: Duration
    private var scratch = [UInt8](repeating: 0, count: 64 << 10)

    init(fd: Int32, wake: Int32, idleTimeout: Duration) {
        self.fd = fd
        self.wake = wake
        self.idleTimeout = idleTimeout
    }

    private func waitUntil(_ events: Int16) throws(SocketFailure) {
        switch POSIX.wait(fd, for: events, wake: wake, until: .now + idleTimeout) {
        case .ready: return
        case .woken: throw .cancelled
        case .timedOut: throw .timedOut
        }
    }

    func write(_ bytes: [UInt8]) throws(SocketFailure) {
        var offset = 0
        while offset < bytes.count {
            let (sent, number) = bytes.withUnsafeBytes { buffer in
                let sent = POSIX.send(fd, UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                return (sent, sent < 0 ? POSIX.errorNumber : 0)
            }
            if sent >= 0 {
                offset += sent
            } else if number == EAGAIN || number == EWOULDBLOCK {
                try waitUntil(POSIX.writable)
            } else if number != EINTR {
                throw .lost(number)
            }
        }
    }

    /// The next bytes the server sent, waiting for them; `nil` once the server has closed its side.
    mutating func read() throws(SocketFailure) -> [UInt8]? {
        while true {
            let fd = fd
            let (count, number) = scratch.withUnsafeMutableBytes { buffer in
                let count = POSIX.receive(fd, buffer)
                return (count, count < 0 ? POSIX.errorNumber : 0)
            }
            if count > 0 { return Array(scratch[0..<count]) }
            if count == 0 { return nil }
            if number == EAGAIN || number == EWOULDBLOCK {
                try waitUntil(POSIX.readable)
            } else if number != EINTR {
                throw .lost(number)
            }
        }
    }

    /// Reads the response head, skipping interim 1xx answers; returns it with the bytes read past it.
    mutating func readHead(limit: Int) throws(SocketFailure) -> (HTTPResponseHead, [UInt8]) {
        var buffer: [UInt8] = []
        var scanned = 0
        while true {
            if let end = HTTPResponseHead.end(in: buffer, from: max(0, scanned - 3)) {
                guard end <= limit else { throw .malformed("a response head larger than \(limit) bytes") }
                let head: HTTPResponseHead
                do throws(HTTPResponseHead.Malformed) {
                    head = try HTTPResponseHead.parse(buffer[0..<end])
                } catch {
                    throw .malformed(error.description)
                }
                buffer.removeFirst(end)
                scanned = 0
                if (100..<200).contains(head.status), head.status != 101 { continue }
                return (head, buffer)
            }
            scanned = buffer.count
            guard buffer.count <= limit else { throw .malformed("a response head larger than \(limit) bytes") }
            guard let bytes = try read() else { throw .lost(0) }
            buffer += bytes
        }
    }
}
