import AutoGitCore
import Foundation

/// What a stream does with one server-sent event.
enum StreamStep<Element: Sendable>: Sendable {
    /// Hand an element to the consumer.
    case yield(Element)
    /// Nothing for the consumer (an unknown event name).
    case skip
    /// The stream is complete (a followed job's `end`): finish without reconnecting.
    case finish
}

extension AutoGitClient {
    /// A stream of elements read from a Server-Sent Events endpoint, reconnecting after dropped connections.
    ///
    /// The first connection is made like any request: retried as the ``RetryPolicy`` allows, and its failure ends
    /// the stream with that error, so a wrong address or token is reported at once. Once a connection has opened,
    /// a dropped connection (or, where `reconnectsAtEnd`, a stream the server ended) is reconnected as the
    /// ``ReconnectPolicy`` says, with `Last-Event-ID`; errors a retry cannot mend (401, 404, a decoding failure)
    /// end the stream.
    ///
    /// - Parameters:
    ///   - request: makes the request for a connection, given the last event id received so far (`nil` on the
    ///     first connection unless the caller resumed from one).
    ///   - reconnectsAtEnd: whether a stream the server closed cleanly is reconnected (event streams) or ends
    ///     (finite streams).
    ///   - handle: turns an event into a step; throwing ends the stream with that error.
    func eventStream<Element: Sendable>(
        resumingAfter initialID: String? = nil,
        reconnectsAtEnd: Bool = true,
        request: @escaping @Sendable (_ lastEventID: String?) throws(AutoGitError) -> APIRequest,
        handle: @escaping @Sendable (ServerSentEvent) throws(AutoGitError) -> StreamStep<Element>
    ) -> AsyncThrowingStream<Element, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Element.self, throwing: (any Error).self)
        let client = self
        let task = Task {
            var lastEventID = initialID
            var serverRetry: Duration?
            var failures = 0
            var hasConnected = false
            let policy = client.configuration.reconnect
            while true {
                var streamError: AutoGitError?
                do {
                    var apiRequest = try request(lastEventID)
                    apiRequest.headers["Accept"] = "text/event-stream"
                    apiRequest.headers["Cache-Control"] = "no-cache"
                    if let lastEventID, !lastEventID.isEmpty {
                        apiRequest.headers["Last-Event-ID"] = lastEventID
                    }
                    let response = try await client.open(apiRequest, retrying: !hasConnected)
                    hasConnected = true
                    var parser = ServerSentEventParser()
                    let finished: Bool = try await withTaskCancellationHandler {
                        for try await chunk in response.body {
                            for event in parser.feed(chunk) {
                                if !parser.lastEventID.isEmpty { lastEventID = parser.lastEventID }
                                failures = 0
                                switch try handle(event) {
                                case .yield(let element): continuation.yield(element)
                                case .skip: break
                                case .finish: return true
                                }
                            }
                            if let retry = parser.retry { serverRetry = retry }
                        }
                        return false
                    } onCancel: {
                        response.body.cancel()
                    }
                    if finished {
                        response.body.cancel()
                        continuation.finish()
                        return
                    }
                    if !reconnectsAtEnd {
                        continuation.finish()
                        return
                    }
                    // The server ended the stream: reconnect after the wait.
                } catch let error as AutoGitError {
                    streamError = error
                } catch {
                    // Opening and handling throw AutoGitError: anything else came from reading the open body.
                    streamError = .lostConnection(error)
                }
                if Task.isCancelled {
                    continuation.finish(throwing: AutoGitError(kind: .cancelled, code: .cancelled, message: "The stream was cancelled"))
                    return
                }
                if let error = streamError {
                    let reconnectable = error.isTransient || [429, 502, 503, 504].contains(error.status ?? 0)
                    if !hasConnected || !policy.isEnabled || !reconnectable {
                        continuation.finish(throwing: error)
                        return
                    }
                } else if !policy.isEnabled {
                    continuation.finish(
                        throwing: AutoGitError(kind: .transport, code: .connectionLost, message: "The server closed the stream"))
                    return
                }
                failures += 1
                if let max = policy.maxAttempts, failures > max {
                    continuation.finish(
                        throwing: streamError
                            ?? AutoGitError(kind: .transport, code: .connectionLost, message: "The server keeps closing the stream"))
                    return
                }
                var wait = policy.delay(attempt: failures, serverRetry: serverRetry)
                if let retryAfter = streamError?.retryAfter, retryAfter > wait { wait = retryAfter }
                do {
                    try await client.sleep(wait)
                } catch {
                    continuation.finish(throwing: AutoGitError(kind: .cancelled, code: .cancelled, message: "The stream was cancelled"))
                    return
                }
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

extension AutoGitClient {
    /// A stream of the elements one request returns: the non-following form of the log calls.
    func oneShotStream<Element: Sendable>(
        _ fetch: @escaping @Sendable () async throws(AutoGitError) -> [Element]
    ) -> AsyncThrowingStream<Element, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Element.self, throwing: (any Error).self)
        let task = Task {
            do {
                for element in try await fetch() { continuation.yield(element) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

extension Decodable {
    /// Decodes an event's data as JSON.
    static func decodeEvent(_ event: ServerSentEvent) throws(AutoGitError) -> Self {
        let data = Data(event.data.utf8)
        do {
            return try AutoGitJSON.decoder().decode(Self.self, from: data)
        } catch {
            var message = "Could not decode \(Self.self) from the `\(event.event)` event"
            if let decodingError = error as? DecodingError {
                message += ": \(CoreError.decoding(decodingError).message)"
            }
            throw AutoGitError(
                kind: .decoding, code: .decodingFailed, message: message, bodyExcerpt: AutoGitError.excerpt(of: data),
                underlyingError: error)
        }
    }
}
