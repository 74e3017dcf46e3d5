import AutoGitHTTP
import Dispatch
import Foundation

/// `autogit-bench http [--port N] [--loops N] [--access-log] [--encode-per-request] [--write-body PATH]`: serves
/// `GET /v1/bench`, a fixed JSON document, through the real router and middleware (request id, access log with a
/// discarding sink unless `--access-log`, error envelope) until SIGINT or SIGTERM. Prints `listening on port N`.
///
/// The document is encoded once, as nginx serves a file's bytes; `--encode-per-request` runs `JSONEncoder` on every
/// request instead, to show what encoding costs on top of the HTTP layer.
@Sendable func httpBenchmark(_ arguments: [String]) async -> Int32 {
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 8080)
    var logsAccess = false
    var bodyPath: String?
    var encodesPerRequest = false
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        let value = index + 1 < arguments.count ? arguments[index + 1] : nil
        switch argument {
        case "--port":
            configuration.port = Int(value ?? "") ?? 8080
            index += 1
        case "--host":
            configuration.host = value ?? configuration.host
            index += 1
        case "--loops":
            configuration.eventLoopCount = Int(value ?? "") ?? configuration.eventLoopCount
            index += 1
        case "--write-body":
            bodyPath = value
            index += 1
        case "--encode-per-request":
            encodesPerRequest = true
        case "--access-log":
            logsAccess = true
        default:
            FileHandle.standardError.write(Data("unknown option \(argument)\n".utf8))
            return 64
        }
        index += 1
    }

    let greeting = Greeting(message: "hello from autogit", ok: true, version: 1)

    var router = Router()
    let fixed = try? HTTPResponse.json(greeting)
    if encodesPerRequest || fixed == nil {
        router.get("/v1/bench") { _ in try HTTPResponse.json(greeting) }
    } else if let fixed {
        router.get("/v1/bench") { _ in fixed }
    }
    let discard: AccessLogMiddleware.Sink = { _ in }
    let sink: AccessLogMiddleware.Sink = logsAccess ? AccessLogMiddleware.standardError : discard
    let server = HTTPServer(
        configuration: configuration,
        middleware: [RequestIDMiddleware(), AccessLogMiddleware(sink: sink), ErrorMiddleware()],
        responder: router)

    if let bodyPath {
        // The exact bytes the route sends, so a baseline server can serve the same document.
        let data = try? HTTPResponse.makeJSONEncoder().encode(greeting)
        _ = FileManager.default.createFile(atPath: bodyPath, contents: data)
    }
    do {
        try await server.start()
    } catch {
        FileHandle.standardError.write(Data("cannot start: \(error)\n".utf8))
        return 1
    }
    FileHandle.standardOutput.write(
        Data("listening on port \(server.port) with \(configuration.eventLoopCount) loops\n".utf8))

    await waitForTerminationSignal()
    await server.shutdown(deadline: .now + .seconds(2))
    return 0
}

/// The fixed document the benchmark route encodes on every request.
private struct Greeting: Encodable, Sendable {
    var message: String
    var ok: Bool
    var version: Int
}

/// Suspends until SIGINT or SIGTERM arrives.
private func waitForTerminationSignal() async {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let queue = DispatchQueue(label: "autogit.bench.signals")
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let once = SignalOnce(continuation)
        for number in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { once.fire() }
            source.resume()
            once.keep(source)
        }
    }
}

/// Resumes a continuation once, whichever signal comes first; keeps the signal sources alive meanwhile.
private final class SignalOnce: @unchecked Sendable {
    private var continuation: CheckedContinuation<Void, Never>?
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()

    init(_ continuation: CheckedContinuation<Void, Never>) {
        self.continuation = continuation
    }

    func keep(_ source: any DispatchSourceSignal) {
        lock.withLock { sources.append(source) }
    }

    func fire() {
        let pending = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            defer { continuation = nil }
            return continuation
        }
        pending?.resume()
    }
}
