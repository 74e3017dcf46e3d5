import AutoGitHTTP
import Synchronization

/// The API's routes: each declares its method, path template and ``AccessRule``; the table authorizes every
/// request before its handler runs and tells the metrics which template matched.
struct RouteTable {
    typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    private(set) var router = Router()
    /// Every registered route, for tests and documentation: method, template, rule.
    private(set) var routes: [(method: HTTPMethod, path: String, access: AccessRule)] = []

    mutating func add(_ method: HTTPMethod, _ path: String, _ access: AccessRule, _ handler: @escaping Handler) {
        routes.append((method, path, access))
        router.on(method, path) { request in
            request.attributes[MatchedRoute.Key.self]?.set(path)
            // On runner routes `{id}` is the runner a runner token must own.
            let runnerID = path.hasPrefix("/v1/runners/{id}") ? request.parameter("id") : nil
            try request.authentication.authorize(access, runnerID: runnerID)
            return try await handler(request)
        }
    }

    mutating func get(_ path: String, _ access: AccessRule, _ handler: @escaping Handler) { add(.get, path, access, handler) }
    mutating func post(_ path: String, _ access: AccessRule, _ handler: @escaping Handler) { add(.post, path, access, handler) }
    mutating func put(_ path: String, _ access: AccessRule, _ handler: @escaping Handler) { add(.put, path, access, handler) }
    mutating func patch(_ path: String, _ access: AccessRule, _ handler: @escaping Handler) { add(.patch, path, access, handler) }
    mutating func delete(_ path: String, _ access: AccessRule, _ handler: @escaping Handler) { add(.delete, path, access, handler) }
}

/// The template of the route that answered a request, filled in by the route and read by the metrics middleware
/// (which runs outside the router and so never sees the routed request).
final class MatchedRoute: Sendable {
    enum Key: HTTPAttributeKey {
        typealias Value = MatchedRoute
    }

    private let template = Mutex<String?>(nil)

    func set(_ path: String) { template.withLock { $0 = path } }

    var path: String? { template.withLock { $0 } }
}
