import AutoGitCore
import Foundation

extension AutoGitClient {
    /// The transport request for `request`: absolute URL, the client's headers, credentials.
    func transportRequest(for request: APIRequest, idleTimeout: Duration?) throws -> HTTPRequestData {
        var text = baseURL.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += request.path
        if !request.query.isEmpty { text += "?" + request.query.encoded }
        guard let url = URL(string: text) else {
            throw AutoGitError.invalidRequest("Could not form a URL from \(text)")
        }
        var headers = HTTPHeaders()
        headers["User-Agent"] = configuration.userAgent
        headers["Accept"] = "application/json"
        switch credentials {
        case .bearer(let token): headers["Authorization"] = "Bearer \(token)"
        case .apiKey(let key): headers["X-API-Key"] = key
        case .none: break
        }
        for field in configuration.additionalHeaders { headers[field.name] = field.value }
        for field in request.headers { headers[field.name] = field.value }
        return HTTPRequestData(method: request.method, url: url, headers: headers, body: request.body, idleTimeout: idleTimeout)
    }

    /// Whether the retry policy lets `request` be retried at all.
    func mayRetry(_ request: APIRequest) -> Bool {
        switch configuration.retry.mode {
        case .never: false
        case .always: true
        case .idempotentOnly: request.isIdempotent
        }
    }

    /// Sends `request`, retrying as the policy allows, and returns the answer with its whole body once the status
    /// is 2xx or 304. Any other status throws.
    func send(_ request: APIRequest) async throws(AutoGitError) -> (response: HTTPResponseData, body: Data) {
        let timeout = configuration.timeout + request.extraTimeout
        let maxAttempts = mayRetry(request) ? max(1, configuration.retry.maxAttempts) : 1
        var attempt = 1
        while true {
            let outcome: Result<(HTTPResponseData, Data), AutoGitError>
            do {
                let transportRequest = try transportRequest(for: request, idleTimeout: timeout)
                let limit = configuration.maxResponseBytes
                let transport = transport
                let (response, body) = try await withDeadline(timeout) {
                    let response = try await transport.send(transportRequest)
                    do {
                        return (response, try await response.body.collect(upTo: limit))
                    } catch {
                        throw AutoGitError.lostConnection(error)
                    }
                }
                if response.isSuccess || response.status == 304 {
                    return (response, body)
                }
                outcome = .failure(.response(status: response.status, headers: response.headers, body: body))
            } catch {
                outcome = .failure(.wrapping(error))
            }
            guard case .failure(let error) = outcome else { continue }
            guard attempt < maxAttempts, let wait = retryDelay(for: error, afterAttempt: attempt) else {
                throw error
            }
            do {
                try await sleep(wait)
            } catch {
                throw .wrapping(error)
            }
            attempt += 1
        }
    }

    /// How long to wait before retrying after `error`, or `nil` when it should not be retried.
    func retryDelay(for error: AutoGitError, afterAttempt attempt: Int) -> Duration? {
        let policy = configuration.retry
        if let status = error.status {
            guard policy.retryableStatuses.contains(status) else { return nil }
            if let retryAfter = error.retryAfter {
                return retryAfter <= policy.maxRetryAfter ? retryAfter : nil
            }
            return policy.backoff(afterAttempt: attempt)
        }
        return error.isTransient ? policy.backoff(afterAttempt: attempt) : nil
    }

    /// Sends `request` and decodes the JSON answer as `T`.
    func decode<T: Decodable>(_ request: APIRequest, as type: T.Type = T.self) async throws(AutoGitError) -> T {
        let (response, body) = try await send(request)
        return try decodeBody(T.self, response: response, body: body)
    }

    /// Sends `request` and decodes the answer as `T`, or returns `nil` on 204 No Content.
    func decodeUnlessEmpty<T: Decodable>(_ request: APIRequest, as type: T.Type = T.self) async throws(AutoGitError) -> T? {
        let (response, body) = try await send(request)
        if response.status == 204 { return nil }
        return try decodeBody(T.self, response: response, body: body)
    }

    /// Sends `request`, ignoring the answer's body.
    func perform(_ request: APIRequest) async throws(AutoGitError) {
        _ = try await send(request)
    }

    func decodeBody<T: Decodable>(_ type: T.Type, response: HTTPResponseData, body: Data) throws(AutoGitError) -> T {
        do {
            return try AutoGitJSON.decoder().decode(T.self, from: body)
        } catch {
            throw .decoding(error, response: response, body: body, expected: T.self)
        }
    }

    /// Opens a streaming request: returns once the head has arrived with a 2xx status, the body still open.
    /// Error statuses throw with their body read. With `retrying`, transient failures and retryable statuses are
    /// retried as ``send(_:)`` does; without, one attempt is made (a stream's reconnection has its own policy).
    func open(_ request: APIRequest, retrying: Bool = true) async throws(AutoGitError) -> HTTPResponseData {
        let maxAttempts = retrying && mayRetry(request) ? max(1, configuration.retry.maxAttempts) : 1
        var attempt = 1
        while true {
            let failure: AutoGitError
            do {
                let transportRequest = try transportRequest(for: request, idleTimeout: configuration.streamIdleTimeout)
                let transport = transport
                let response = try await withDeadline(configuration.timeout) {
                    try await transport.send(transportRequest)
                }
                if response.isSuccess { return response }
                let limit = min(configuration.maxResponseBytes, 1 << 20)
                let body = (try? await withDeadline(configuration.timeout) { try await response.body.collect(upTo: limit) }) ?? Data()
                failure = .response(status: response.status, headers: response.headers, body: body)
            } catch {
                failure = .wrapping(error)
            }
            guard attempt < maxAttempts, let wait = retryDelay(for: failure, afterAttempt: attempt) else { throw failure }
            do {
                try await sleep(wait)
            } catch {
                throw .wrapping(error)
            }
            attempt += 1
        }
    }
}

/// Runs `operation`, throwing ``AutoGitError`` `TIMED_OUT` when it takes longer than `timeout` (and cancelling it).
/// Cancellation of the caller surfaces as `CANCELLED`.
func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        do {
            guard let first = try await group.next(), let value = first else {
                throw AutoGitError.timedOut(after: timeout)
            }
            return value
        } catch {
            if Task.isCancelled {
                throw AutoGitError(kind: .cancelled, code: .cancelled, message: "The request was cancelled", underlyingError: error)
            }
            throw error
        }
    }
}

extension AutoGitClient {
    /// Sends `request` once and returns whatever answer arrives, any status, the body unread.
    func forward(_ request: APIRequest) async throws(AutoGitError) -> HTTPResponseData {
        do {
            let transportRequest = try transportRequest(for: request, idleTimeout: configuration.streamIdleTimeout)
            let transport = transport
            return try await withDeadline(configuration.timeout) {
                try await transport.send(transportRequest)
            }
        } catch {
            throw .wrapping(error)
        }
    }
}
