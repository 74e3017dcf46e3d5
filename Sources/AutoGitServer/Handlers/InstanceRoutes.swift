import AutoGitCore
import AutoGitHTTP
import Foundation

/// The instances group of the API (`/v1/instances…`, Docs/openapi.yaml) over an ``InstanceManager``.
///
/// Each route declares its ``AccessRule``; `register(in:)` adds them to the server's route table, which enforces
/// the rules, and ``register(on:)`` to a plain `Router` without authorization (tests):
///
/// ```swift
/// InstanceRoutes(manager: manager).register(in: &routes)
/// ```
///
/// Errors are thrown as `HTTPError` with the API's codes, so the HTTP layer's error middleware writes the envelope.
public struct InstanceRoutes: Sendable {
    /// One route: method, path template, who may call it, and the handler.
    public struct Route: Sendable {
        public var method: HTTPMethod
        public var path: String
        public var access: AccessRule
        public var handler: HTTPHandler
    }

    public let manager: InstanceManager

    public init(manager: InstanceManager) {
        self.manager = manager
    }

    /// Every route of the group. The proxy is registered for GET, POST, PUT, PATCH, DELETE and OPTIONS (HEAD is
    /// answered by the GET route); viewers may use it for GET, HEAD and OPTIONS only.
    public var routes: [Route] {
        var routes: [Route] = [
            route(.get, "/v1/instances", .read, list),
            route(.post, "/v1/instances", .write, create),
            route(.post, "/v1/instances/start-all", .write, startAll),
            route(.post, "/v1/instances/stop-all", .write, stopAll),
            route(.get, "/v1/instances/{name}", .read, get),
            route(.put, "/v1/instances/{name}", .write, update),
            route(.delete, "/v1/instances/{name}", .write, delete),
            route(.post, "/v1/instances/{name}/start", .write, start),
            route(.post, "/v1/instances/{name}/stop", .write, stop),
            route(.post, "/v1/instances/{name}/restart", .write, restart),
            route(.get, "/v1/instances/{name}/health", .read, health),
            route(.get, "/v1/instances/{name}/logs", .read, logs),
        ]
        for method in [HTTPMethod.get, .options, .post, .put, .patch, .delete] {
            routes.append(
                route(method, "/v1/instances/{name}/proxy/{path...}", method == .get || method == .options ? .read : .write, proxy))
        }
        return routes
    }

    /// Adds every route to the server's route table, which authorizes each by its rule.
    func register(in table: inout RouteTable) {
        for route in routes { table.add(route.method, route.path, route.access, route.handler) }
    }

    /// Adds every route to `router`, without authorization.
    public func register(on router: inout Router) {
        for route in routes { router.on(route.method, route.path, handler: route.handler) }
    }

    private func route(
        _ method: HTTPMethod, _ path: String, _ access: AccessRule,
        _ handler: @escaping @Sendable (HTTPRequest) async throws(ServerError) -> HTTPResponse
    ) -> Route {
        Route(method: method, path: path, access: access) { request in
            do throws(ServerError) {
                return try await handler(request)
            } catch {
                throw HTTPError(HTTPStatus(code: error.status), code: error.code.rawValue, message: error.message, details: error.details)
            }
        }
    }

    // MARK: Handlers

    @Sendable func list(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let limit = try Self.integer(request, "limit", default: 50, in: 1...1000)
        let offset = try Self.integer(request, "offset", default: 0, in: 0...Int.max)
        let status = request.queryValue("status").map(InstanceStatus.init(rawValue:))
        if case .unknown(let value) = status {
            throw Self.invalidParameter("status", "'\(value)' is not an instance status")
        }
        let all = await manager.list(status: status)
        let items = Array(all.dropFirst(offset).prefix(limit))
        return try Self.json(
            Page(items: items, totalCount: all.count, hasMore: offset + items.count < all.count, limit: limit, offset: offset))
    }

    @Sendable func create(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let spec = try Self.decode(Instance.self, request)
        let instance = try await manager.create(spec)
        var response = try Self.json(instance, status: .created)
        response.headers["Location"] = "/v1/instances/\(Self.pathSegment(instance.name))"
        return response
    }

    @Sendable func startAll(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        try Self.json(await manager.startAll())
    }

    @Sendable func stopAll(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let body = try Self.stopRequest(request)
        return try Self.json(await manager.stopAll(force: body.force ?? false, timeout: body.timeout.map { .seconds($0) }))
    }

    @Sendable func get(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        try Self.json(await manager.get(Self.name(request)))
    }

    @Sendable func update(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let change = try Self.decode(InstanceUpdate.self, request)
        return try Self.json(await manager.update(Self.name(request), change))
    }

    @Sendable func delete(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let force = try Self.flag(request, "force")
        try await manager.delete(Self.name(request), force: force)
        return try Self.json(ActionResult(message: "Instance deleted successfully"))
    }

    @Sendable func start(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let instance = try await manager.start(Self.name(request))
        return try Self.json(ActionResult(message: "Instance start initiated", status: instance.status.rawValue))
    }

    @Sendable func stop(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let body = try Self.stopRequest(request)
        let instance = try await manager.stop(Self.name(request), force: body.force ?? false, timeout: body.timeout.map { .seconds($0) })
        return try Self.json(ActionResult(message: "Instance stopped", status: instance.status.rawValue))
    }

    @Sendable func restart(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let instance = try await manager.restart(Self.name(request))
        return try Self.json(ActionResult(message: "Instance restart initiated", status: instance.status.rawValue))
    }

    @Sendable func health(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        try Self.json(await manager.health(Self.name(request)))
    }

    /// JSON page of the last lines, or Server-Sent Events with `follow=true` or `Accept: text/event-stream`
    /// (resuming after `Last-Event-ID`).
    @Sendable func logs(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let name = try Self.name(request)
        let lines = try Self.integer(request, "lines", default: 100, in: 1...10_000)
        var level: LogLevel?
        if let text = request.queryValue("level") {
            level = LogLevel(rawValue: text)
            if case .unknown = level { throw Self.invalidParameter("level", "'\(text)' is not a level: debug, info, warn or error") }
        }
        let follow = try Self.flag(request, "follow") || (request.headers["Accept"]?.contains("text/event-stream") ?? false)
        guard follow else {
            let entries = try await manager.logs(name, lines: lines, level: level)
            return try Self.json(Page(items: entries, totalCount: entries.count, hasMore: false))
        }
        let after = request.headers["Last-Event-ID"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let entries = try await manager.followLogs(name, lines: lines, level: level, after: after)
        let events = entries.map { entry -> ServerSentEvent in
            let data = (try? AutoGitJSON.encode(entry)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return ServerSentEvent(id: entry.sequence.map(String.init), event: "log", data: data)
        }
        return .serverSentEvents(events)
    }

    @Sendable func proxy(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        try await manager.proxy(Self.name(request), path: request.parameter("path") ?? "", request: request)
    }

    // MARK: Request parts

    private static func name(_ request: HTTPRequest) throws(ServerError) -> String {
        guard let name = request.parameter("name"), !name.isEmpty else { throw invalidParameter("name", "is required") }
        return name
    }

    private static func integer(
        _ request: HTTPRequest, _ name: String, default fallback: Int, in range: ClosedRange<Int>
    ) throws(ServerError) -> Int {
        guard let text = request.queryValue(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            let upper = range.upperBound == Int.max ? "" : " and at most \(range.upperBound)"
            throw invalidParameter(name, "must be an integer of at least \(range.lowerBound)\(upper)")
        }
        return value
    }

    private static func flag(_ request: HTTPRequest, _ name: String) throws(ServerError) -> Bool {
        guard let text = request.queryValue(name)?.lowercased() else { return false }
        switch text {
        case "", "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw invalidParameter(name, "must be true or false")
        }
    }

    private static func stopRequest(_ request: HTTPRequest) throws(ServerError) -> InstanceStopRequest {
        guard !request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return InstanceStopRequest() }
        let body = try decode(InstanceStopRequest.self, request)
        if let timeout = body.timeout, timeout < 0 {
            throw ServerError(.validationFailed, status: 422, "timeout: must be 0 or more seconds", details: ["field": "timeout"])
        }
        return body
    }

    /// Decodes a JSON body: 400 `INVALID_REQUEST` when it is not JSON, 422 `VALIDATION_FAILED` naming the field that
    /// is missing or of the wrong type.
    private static func decode<T: Decodable>(_ type: T.Type, _ request: HTTPRequest) throws(ServerError) -> T {
        do {
            return try AutoGitJSON.decoder().decode(type, from: Data(request.body))
        } catch let error as DecodingError {
            let (path, problem): ([any CodingKey], String)
            switch error {
            case .keyNotFound(let key, let context): (path, problem) = (context.codingPath + [key], "is required")
            case .typeMismatch(let expected, let context): (path, problem) = (context.codingPath, "must be of type \(expected)")
            case .valueNotFound(_, let context): (path, problem) = (context.codingPath, "must not be null")
            case .dataCorrupted(let context): (path, problem) = (context.codingPath, context.debugDescription)
            @unknown default: (path, problem) = ([], "is not valid")
            }
            guard !path.isEmpty else {
                throw ServerError(.invalidRequest, status: 400, "The request body is not valid JSON for this operation")
            }
            let field = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(
                of: ".[", with: "[")
            throw ServerError(.validationFailed, status: 422, "\(field): \(problem)", details: ["field": .string(field)])
        } catch {
            throw ServerError(.invalidRequest, status: 400, "The request body is not valid JSON for this operation")
        }
    }

    private static func invalidParameter(_ name: String, _ message: String) -> ServerError {
        ServerError(.invalidRequest, status: 400, "\(name): \(message)", details: ["parameter": .string(name)])
    }

    private static func json(_ value: some Encodable, status: HTTPStatus = .ok) throws(ServerError) -> HTTPResponse {
        do {
            return try HTTPResponse.json(value, status: status, encoder: AutoGitJSON.encoder())
        } catch {
            throw ServerError(.internalError, status: 500, "Cannot encode the answer")
        }
    }

    private static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
    }
}
