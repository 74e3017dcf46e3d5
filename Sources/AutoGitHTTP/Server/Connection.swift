#if os(Linux)
import CAutoGitSystem
import Glibc

/// One client connection, owned by its event loop and touched only on that loop's thread.
///
/// Requests on a connection are handled one at a time in arrival order (pipelined requests wait in the input buffer),
/// which keeps responses in order without reordering buffers. Reading pauses when the input buffer or pending
/// output is large, so no client can make the server buffer without bound.
final class Connection {
    enum State {
        case readingHead
        case readingBody
        case responding
        /// The last response is sent and our side is shut; we read and discard until the peer closes.
        case lingering
        case closed
    }

    private enum Streaming {
        case none
        case chunked
        /// HTTP/1.0 has no chunked coding: the stream is sent raw and the close marks its end.
        case raw
    }

    let fd: Int32
    let tag: UInt64
    unowned let loop: EventLoop
    let remoteAddress: String
    private let limits: ServerContext.Limits
    private var isCounted: Bool

    private(set) var state = State.readingHead
    private var input: [UInt8] = []
    private var inputStart = 0
    private var output: [UInt8] = []
    private var outputStart = 0
    private var mayRead = false
    private var writable = true
    private var peerClosed = false
    /// The peer has shut down its sending side (EPOLLRDHUP): keep reading to the end of input, since no further
    /// edge will announce the end-of-file behind data we have not read yet.
    private var peerShutDownHint = false
    private var closeAfterFlush = false
    private var isProcessing = false
    private var needsProcessing = false

    /// The hang-up signal of the request being answered.
    private var hangUp: ClientHangUp?

    private var parser: HeadParser
    private var head: RequestHead?
    private var bodyRemaining = 0
    private var body: [UInt8] = []
    private var chunked: ChunkedDecoder?
    private var keepAlive = true

    private var deadline: UInt64 = 0
    private var awaitingFirstByte = true
    private var lastWriteProgress: UInt64 = 0

    /// Identifies the current request, so results of an abandoned handler are ignored.
    private(set) var serial: UInt64 = 0
    private var task: Task<Void, Never>?
    private var headSent = false
    private var streaming = Streaming.none
    private var isEventStream = false
    private var closeAfterStream = false
    private var lastStreamWrite: UInt64 = 0
    private var writeWaiter: UnsafeContinuation<Void, any Error>?

    init(fd: Int32, tag: UInt64, loop: EventLoop, remoteAddress: String, counted: Bool) {
        self.fd = fd
        self.tag = tag
        self.loop = loop
        self.remoteAddress = remoteAddress
        self.limits = loop.context.limits
        self.isCounted = counted
        self.parser = HeadParser(maxHeaderBytes: limits.maxHeaderBytes)
    }

    private var pendingOutput: Int { output.count - outputStart }
    private var pendingInput: Int { input.count - inputStart }

    func start() {
        deadline = loop.now() + limits.headerReadTimeout
    }

    /// Answers 503 and closes: the connection is over `maxConnections`.
    func refuse() {
        closeAfterFlush = true
        state = .responding
        append(ServerContext.refusal)
        flush()
    }

    // MARK: Events

    func handle(events: UInt32) {
        if events & CAUTOGIT_EPOLLERR != 0 {
            close()
            return
        }
        if events & CAUTOGIT_EPOLLOUT != 0 {
            writable = true
            if pendingOutput > 0 { flush() }
        }
        if state == .closed { return }
        if events & (CAUTOGIT_EPOLLRDHUP | CAUTOGIT_EPOLLHUP) != 0 { peerShutDownHint = true }
        if events & (CAUTOGIT_EPOLLIN | CAUTOGIT_EPOLLRDHUP | CAUTOGIT_EPOLLHUP) != 0 {
            mayRead = true
            readAndProcess()
        }
    }

    private func readAndProcess() {
        while mayRead && state != .closed {
            if state == .lingering || closeAfterFlush {
                discardInput()
                return
            }
            let room = min(limits.readCap - pendingInput, loop.scratch.count)
            if room <= 0 { break }
            let count = read(fd, loop.scratch.baseAddress, room)
            if count > 0 {
                // A short read drained the socket; edge-triggered epoll reports the next arrival.
                if count < room && !peerShutDownHint { mayRead = false }
                compactInput()
                input.append(contentsOf: UnsafeRawBufferPointer(start: loop.scratch.baseAddress, count: count))
                if awaitingFirstByte && state == .readingHead {
                    awaitingFirstByte = false
                    deadline = loop.now() + limits.headerReadTimeout
                }
                process()
            } else if count == 0 {
                peerClosed = true
                mayRead = false
            } else {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: mayRead = false
                default:
                    close()
                    return
                }
            }
        }
        if peerClosed && state != .closed {
            if state == .responding {
                // A client that leaves during a stream is gone; a finished response still gets written, and a
                // handler still waiting is told (a long poll stops).
                if streaming != .none { close() } else { hangUp?.signal() }
            } else {
                process()
            }
        }
    }

    private func discardInput() {
        var discarded = 0
        while mayRead {
            let count = read(fd, loop.scratch.baseAddress, loop.scratch.count)
            if count > 0 {
                discarded += count
                if discarded > 1 << 20 {
                    close()
                    return
                }
                if count < loop.scratch.count && !peerShutDownHint { mayRead = false }
            } else if count == 0 {
                peerClosed = true
                mayRead = false
                if state == .lingering || pendingOutput == 0 { close() }
                return
            } else if errno != EINTR {
                if errno != EAGAIN && errno != EWOULDBLOCK { close() }
                mayRead = false
            }
        }
        input.removeAll(keepingCapacity: false)
        inputStart = 0
    }

    private func compactInput() {
        if inputStart == input.count {
            input.removeAll(keepingCapacity: true)
            inputStart = 0
        } else if inputStart > 4096 && inputStart * 2 > input.count {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }

    // MARK: Requests

    /// Advances the request state machine over buffered input.
    private func process() {
        if isProcessing {
            needsProcessing = true
            return
        }
        isProcessing = true
        defer { isProcessing = false }
        repeat {
            needsProcessing = false
            processOnce()
        } while needsProcessing && state != .closed
    }

    private func processOnce() {
        while !closeAfterFlush {
            switch state {
            case .readingHead:
                if pendingOutput > limits.highWater { return }
                if pendingInput == 0 {
                    if peerClosed { closeWhenFlushed() }
                    return
                }
                let result: HeadParser.Result
                do {
                    result = try input.withUnsafeBufferPointer { (buffer) throws(ParseError) in
                        try parser.parse(UnsafeBufferPointer(rebasing: buffer[inputStart...]))
                    }
                } catch {
                    fail(error)
                    return
                }
                switch result {
                case .incomplete:
                    if peerClosed { closeWhenFlushed() }
                    return
                case .complete(let head, let consumed):
                    inputStart += consumed
                    begin(head)
                }
            case .readingBody:
                readBody()
                if state == .readingBody {
                    if peerClosed { close() }
                    return
                }
            case .responding, .lingering, .closed:
                return
            }
        }
    }

    private func begin(_ head: RequestHead) {
        let framing: RequestHead.Framing
        do {
            framing = try head.framing(maxBodyBytes: limits.maxBodyBytes)
        } catch {
            fail(error)
            return
        }
        var sendContinue = false
        if let expectation = head.headers["Expect"] {
            guard expectation.equalsIgnoringASCIICase("100-continue") else {
                fail(ParseError(status: .expectationFailed, code: "EXPECTATION_FAILED", message: "Only 100-continue is supported."))
                return
            }
            sendContinue = framing != .none && head.version == .http1_1
        }
        self.head = head
        keepAlive =
            head.version == .http1_1
            ? !head.headers.containsToken("close", for: "Connection")
            : head.headers.containsToken("keep-alive", for: "Connection")
        switch framing {
        case .none:
            dispatch()
        case .length(let length):
            bodyRemaining = length
            body = []
            body.reserveCapacity(min(length, 64 * 1024))
            enterBody(sendContinue: sendContinue)
        case .chunked:
            chunked = ChunkedDecoder(maxBodyBytes: limits.maxBodyBytes, maxTrailerBytes: limits.maxHeaderBytes)
            enterBody(sendContinue: sendContinue)
        }
    }

    private func enterBody(sendContinue: Bool) {
        state = .readingBody
        deadline = loop.now() + limits.bodyReadTimeout
        // Send 100 only when the body is still to come: a client that already sent it needs no invitation.
        if sendContinue && pendingInput == 0 {
            append(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            flush()
        }
    }

    private func readBody() {
        if var decoder = chunked {
            let consumed: Int
            do {
                consumed = try input.withUnsafeBufferPointer { (buffer) throws(ParseError) in
                    try decoder.feed(UnsafeBufferPointer(rebasing: buffer[inputStart...]))
                }
            } catch {
                fail(error)
                return
            }
            inputStart += consumed
            chunked = decoder
            if decoder.isComplete {
                body = decoder.body
                dispatch(trailers: decoder.trailers)
            }
            return
        }
        let take = min(bodyRemaining, pendingInput)
        body.append(contentsOf: input[inputStart..<inputStart + take])
        inputStart += take
        bodyRemaining -= take
        if bodyRemaining == 0 { dispatch() }
    }

    private func dispatch(trailers: HTTPHeaders = HTTPHeaders()) {
        guard let head else { return }
        var request = HTTPRequest(
            method: head.method, target: head.target, version: head.version, headers: head.headers, body: body,
            remoteAddress: remoteAddress)
        request.trailers = trailers
        hangUp = request.clientHangUp
        if peerClosed { request.clientHangUp.signal() }
        let finished = request
        self.head = nil
        body = []
        chunked = nil
        state = .responding
        serial &+= 1
        headSent = false
        deadline = limits.requestTimeout == 0 ? 0 : loop.now() + limits.requestTimeout
        let writer = ResponseWriter(loop: loop, tag: tag, serial: serial)
        let responder = loop.context.responder
        let operation: @Sendable () async -> Void = {
            await writer.respond(to: finished, with: responder)
        }
        if limits.runsHandlersOnEventLoops {
            task = Task(executorPreference: loop, operation: operation)
        } else {
            task = Task(executorPreference: globalConcurrentExecutor, operation: operation)
        }
    }

    /// Answers a request that could not be read, then closes.
    private func fail(_ error: ParseError) {
        serial &+= 1
        task?.cancel()
        task = nil
        state = .responding
        headSent = true
        keepAlive = false
        writeResponse(error.response, isHead: false, version: .http1_1)
        closeAfterFlush = true
        flush()
    }

    // MARK: Responses (called through ResponseWriter)

    /// Writes the head, and the body when it is in memory; a streamed body follows through `writeChunk`.
    func deliver(_ response: HTTPResponse, serial: UInt64, isHead: Bool, version: HTTPVersion) {
        guard serial == self.serial, state == .responding, !headSent else { return }
        headSent = true
        deadline = 0
        let closing = writeResponse(response, isHead: isHead, version: version)
        if streaming == .none {
            complete(closing: closing)
        } else {
            closeAfterStream = closing
            lastStreamWrite = loop.now()
            flush()
        }
    }

    @discardableResult
    private func writeResponse(_ response: HTTPResponse, isHead: Bool, version: HTTPVersion) -> Bool {
        var closing = !keepAlive || loop.isDraining || response.headers.containsToken("close", for: "Connection")
        let bodyAllowed = !response.status.forbidsBody
        switch response.body {
        case .bytes(let bytes):
            appendHead(response, contentLength: bodyAllowed ? bytes.count : nil, chunked: false, closing: closing, version: version)
            if bodyAllowed && !isHead { append(bytes) }
            streaming = .none
        case .stream, .serverSentEvents:
            if isHead || !bodyAllowed {
                appendHead(response, contentLength: nil, chunked: false, closing: closing, version: version)
                streaming = .none
            } else if version == .http1_1 {
                appendHead(response, contentLength: nil, chunked: true, closing: closing, version: version)
                streaming = .chunked
            } else {
                closing = true
                appendHead(response, contentLength: nil, chunked: false, closing: true, version: version)
                streaming = .raw
            }
            if case .serverSentEvents = response.body { isEventStream = streaming != .none }
        }
        return closing
    }

    /// Writes the head straight into the output buffer: no intermediate strings on the hot path.
    private func appendHead(_ response: HTTPResponse, contentLength: Int?, chunked: Bool, closing: Bool, version: HTTPVersion) {
        if pendingOutput == 0 { lastWriteProgress = loop.now() }
        output.append(contentsOf: Connection.statusLinePrefix)
        appendDecimal(response.status.code)
        output.append(32)
        appendFieldValue(response.status.reasonPhrase)
        output.append(contentsOf: Connection.lineEnd)
        for (name, value) in response.headers where !Connection.isFramingField(name) {
            guard !name.isEmpty, name.utf8.allSatisfy(HeadParser.isTokenByte) else { continue }
            output.append(contentsOf: name.utf8)
            output.append(contentsOf: Connection.fieldSeparator)
            appendFieldValue(value)
            output.append(contentsOf: Connection.lineEnd)
        }
        if let contentLength {
            output.append(contentsOf: Connection.contentLengthPrefix)
            appendDecimal(contentLength)
            output.append(contentsOf: Connection.lineEnd)
        }
        if chunked { output.append(contentsOf: Connection.chunkedLine) }
        if closing {
            output.append(contentsOf: Connection.closeLine)
        } else if version == .http1_0 {
            output.append(contentsOf: Connection.keepAliveLine)
        }
        output.append(contentsOf: loop.date.fieldLine())
        if !limits.serverLine.isEmpty { output.append(contentsOf: limits.serverLine) }
        output.append(contentsOf: Connection.lineEnd)
    }

    /// Fields the server writes itself, so a handler's value can never contradict the framing.
    private static func isFramingField(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: name.equalsIgnoringASCIICase("Date")
        case 10: name.equalsIgnoringASCIICase("Connection")
        case 14: name.equalsIgnoringASCIICase("Content-Length")
        case 17: name.equalsIgnoringASCIICase("Transfer-Encoding")
        default: false
        }
    }

    /// Appends a field value with CR, LF and NUL replaced by spaces (no header injection).
    private func appendFieldValue(_ value: String) {
        for byte in value.utf8 {
            output.append(byte == 13 || byte == 10 || byte == 0 ? 32 : byte)
        }
    }

    private func appendDecimal(_ number: Int) {
        guard number > 0 else {
            if number == 0 { output.append(48) } else { output.append(contentsOf: String(number).utf8) }
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var remaining = number
            var index = buffer.count
            while remaining > 0 {
                index -= 1
                buffer[index] = UInt8(48 + remaining % 10)
                remaining /= 10
            }
            output.append(contentsOf: buffer[index...])
        }
    }

    private static let statusLinePrefix = Array("HTTP/1.1 ".utf8)
    private static let lineEnd: [UInt8] = [13, 10]
    private static let fieldSeparator: [UInt8] = [58, 32]
    private static let contentLengthPrefix = Array("Content-Length: ".utf8)
    private static let chunkedLine = Array("Transfer-Encoding: chunked\r\n".utf8)
    private static let closeLine = Array("Connection: close\r\n".utf8)
    private static let keepAliveLine = Array("Connection: keep-alive\r\n".utf8)

    /// Queues one piece of a streamed body; resumes `continuation` at once or when output drains below the low mark.
    func writeChunk(_ bytes: [UInt8], serial: UInt64, continuation: UnsafeContinuation<Void, any Error>) {
        guard serial == self.serial, state == .responding, streaming != .none, writeWaiter == nil else {
            continuation.resume(throwing: ConnectionClosedError())
            return
        }
        if !bytes.isEmpty {
            if streaming == .chunked {
                append(Array("\(String(bytes.count, radix: 16))\r\n".utf8))
                append(bytes)
                append([13, 10])
            } else {
                append(bytes)
            }
            lastStreamWrite = loop.now()
            flush()
        }
        if state == .closed {
            continuation.resume(throwing: ConnectionClosedError())
        } else if pendingOutput <= limits.highWater {
            continuation.resume()
        } else {
            writeWaiter = continuation
        }
    }

    /// Ends a streamed body: with the last chunk when `graceful`, otherwise by closing (the client sees truncation).
    func finishStream(serial: UInt64, graceful: Bool) {
        guard serial == self.serial, state == .responding, headSent else { return }
        if streaming == .none { return }
        if !graceful {
            close()
            return
        }
        if streaming == .chunked { append(Array("0\r\n\r\n".utf8)) }
        let closing = closeAfterStream || streaming == .raw
        complete(closing: closing)
    }

    private func complete(closing: Bool) {
        task = nil
        hangUp = nil
        streaming = .none
        isEventStream = false
        state = .readingHead
        parser.reset()
        if closing || loop.isDraining {
            closeAfterFlush = true
            flush()
            return
        }
        deadline = loop.now() + limits.idleTimeout
        awaitingFirstByte = true
        flush()
        if state == .readingHead { process() }
        if mayRead && state == .readingHead { readAndProcess() }
    }

    // MARK: Output

    private func append(_ bytes: some Collection<UInt8>) {
        if pendingOutput == 0 { lastWriteProgress = loop.now() }
        output.append(contentsOf: bytes)
    }

    private func flush() {
        while pendingOutput > 0 && writable && state != .closed {
            let count = output.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + outputStart, pendingOutput, CAUTOGIT_MSG_NOSIGNAL)
            }
            if count >= 0 {
                outputStart += count
                lastWriteProgress = loop.now()
            } else {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: writable = false
                default:
                    close()
                    return
                }
            }
        }
        if state == .closed { return }
        if pendingOutput == 0 {
            if output.capacity > 1 << 20 {
                output = []
            } else {
                output.removeAll(keepingCapacity: true)
            }
            outputStart = 0
            if closeAfterFlush {
                finishClosing()
                return
            }
        }
        if let waiter = writeWaiter, pendingOutput <= limits.lowWater {
            writeWaiter = nil
            waiter.resume()
        }
        if state == .readingHead && pendingOutput <= limits.highWater && pendingInput > 0 { process() }
    }

    private func closeWhenFlushed() {
        if pendingOutput == 0 {
            close()
        } else {
            closeAfterFlush = true
        }
    }

    /// The final response is on the wire: half-close and drain the peer's leftovers (so unread input does not turn
    /// our close into a reset that destroys the response), or close at once if the peer already left.
    private func finishClosing() {
        if peerClosed {
            close()
            return
        }
        // Release the slot before the peer can see the end of the response, so whoever reads our EOF also sees
        // the connection no longer counted.
        releaseCount()
        shutdown(fd, Int32(SHUT_WR))
        state = .lingering
        deadline = loop.now() + limits.lingerTimeout
        discardInput()
    }

    private func releaseCount() {
        if isCounted {
            isCounted = false
            loop.releaseCount()
        }
    }

    func close() {
        guard state != .closed else { return }
        state = .closed
        hangUp?.signal()
        task?.cancel()
        task = nil
        if let waiter = writeWaiter {
            writeWaiter = nil
            waiter.resume(throwing: ConnectionClosedError())
        }
        releaseCount()
        Glibc.close(fd)
        loop.forget(self)
        input = []
        output = []
    }

    // MARK: Shutdown and timers

    func drain() {
        switch state {
        case .readingHead:
            if pendingInput == 0 { closeWhenFlushed() }
        case .readingBody:
            break
        case .responding:
            // Event streams never end by themselves: cancel the producer, which ends the stream with its last chunk.
            if isEventStream { task?.cancel() }
        case .lingering:
            close()
        case .closed:
            break
        }
    }

    func checkTimers(now: UInt64) {
        if pendingOutput > 0 && now - lastWriteProgress > limits.writeTimeout {
            close()
            return
        }
        switch state {
        case .readingHead, .readingBody:
            guard deadline != 0 && now >= deadline else { return }
            if state == .readingHead && awaitingFirstByte && pendingInput == 0 {
                closeWhenFlushed()
            } else {
                fail(ParseError(status: .requestTimeout, code: "REQUEST_TIMEOUT", message: "The request was not received in time."))
            }
        case .responding:
            if deadline != 0 && now >= deadline && !headSent {
                fail(ParseError(status: .serviceUnavailable, code: "REQUEST_TIMEOUT", message: "The request took too long to handle."))
                return
            }
            if isEventStream && streaming == .chunked && now - lastStreamWrite >= limits.heartbeatInterval {
                let heartbeat = ServerSentEvent.heartbeat
                append(Array("\(String(heartbeat.count, radix: 16))\r\n".utf8))
                append(heartbeat)
                append([13, 10])
                lastStreamWrite = now
                flush()
            } else if isEventStream && streaming == .raw && now - lastStreamWrite >= limits.heartbeatInterval {
                append(ServerSentEvent.heartbeat)
                lastStreamWrite = now
                flush()
            }
        case .lingering:
            if now >= deadline { close() }
        case .closed:
            break
        }
    }
}

/// Thrown to a stream writer whose connection has gone.
struct ConnectionClosedError: Error {}
#endif
