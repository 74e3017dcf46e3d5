import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The default transport: URLSession with a delegate that hands each chunk of a response body on as it arrives.
///
/// On Linux, `URLSession.bytes(for:)` does not exist and a per-task delegate never receives callbacks, so one
/// delegate serves the whole session and routes each callback, by task, to the request waiting for it. The
/// response is returned when its head arrives; the body follows as an ``HTTPBody`` stream. Cancelling the task
/// awaiting ``send(_:)``, or the task reading the body, cancels the URLSession task and so closes the connection.
public final class URLSessionTransport: Transport {
    private let session: URLSession
    private let delegate: SessionDelegate

    /// A transport over a new URLSession made from `configuration` (an ephemeral one by default: no cookies,
    /// no cache).
    public init(configuration: URLSessionConfiguration = .ephemeral) {
        let delegate = SessionDelegate()
        self.delegate = delegate
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        queue.name = "AutoGitClient.URLSessionTransport"
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// Starts a data task for `request` and returns when its response head arrives; the body streams after.
    ///
    /// - Throws: the `URLError` of a request that got no answer (refused, lost, timed out by its idle timeout,
    ///   cancelled).
    public func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        try Task.checkCancellation()
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for field in request.headers {
            urlRequest.addValue(field.value, forHTTPHeaderField: field.name)
        }
        urlRequest.httpBody = request.body
        if let idle = request.idleTimeout {
            // URLSession keeps whole seconds only; round up so a short timeout never becomes zero (no timeout).
            urlRequest.timeoutInterval = max(1, idle.seconds.rounded(.up))
        }
        let task = session.dataTask(with: urlRequest)
        let (body, bodyContinuation) = AsyncThrowingStream.makeStream(of: Data.self, throwing: (any Error).self)
        bodyContinuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (head: CheckedContinuation<HTTPResponseData, any Error>) in
                if Task.isCancelled {
                    head.resume(throwing: CancellationError())
                    return
                }
                delegate.register(
                    task.taskIdentifier,
                    TaskState(
                        head: head, body: bodyContinuation,
                        makeBody: { HTTPBody(stream: body, onCancel: { task.cancel() }) }))
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }
}

/// What the delegate knows of one running task: who waits for the head, where the body chunks go.
struct TaskState: Sendable {
    var head: CheckedContinuation<HTTPResponseData, any Error>?
    var body: AsyncThrowingStream<Data, any Error>.Continuation
    var makeBody: @Sendable () -> HTTPBody
}

/// The session-wide delegate: routes callbacks by task identifier.
final class SessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let tasks = Mutex<[Int: TaskState]>([:])

    func register(_ identifier: Int, _ state: TaskState) {
        tasks.withLock { $0[identifier] = state }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let head = tasks.withLock { tasks -> (CheckedContinuation<HTTPResponseData, any Error>, HTTPBody)? in
            guard let state = tasks[dataTask.taskIdentifier], let head = state.head else { return nil }
            tasks[dataTask.taskIdentifier]?.head = nil
            return (head, state.makeBody())
        }
        completionHandler(.allow)
        guard let (continuation, body) = head else { return }
        var headers = HTTPHeaders()
        var status = 200
        if let http = response as? HTTPURLResponse {
            status = http.statusCode
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String {
                    headers.add(name: name, value: value)
                }
            }
        }
        continuation.resume(returning: HTTPResponseData(status: status, headers: headers, body: body))
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let body = tasks.withLock { $0[dataTask.taskIdentifier]?.body }
        body?.yield(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let state = tasks.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if let head = state.head {
            head.resume(throwing: error ?? URLError(.badServerResponse))
        }
        if let error {
            state.body.finish(throwing: error)
        } else {
            state.body.finish()
        }
    }
}
