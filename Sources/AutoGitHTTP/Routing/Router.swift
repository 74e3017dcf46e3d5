/// Routes by method and path template. Unknown paths throw 404; known paths with another method throw 405 with
/// `Allow`. HEAD falls back to the GET route (the server drops the body) and OPTIONS is answered with `Allow`
/// unless a route claims it. Register everything before the server starts; a router is a value.
public struct Router: HTTPResponder {
    struct Route: Sendable {
        var method: HTTPMethod
        var template: PathTemplate
        var handler: HTTPHandler
    }

    private var routesByMethod: [HTTPMethod: [Route]] = [:]
    private var allRoutes: [Route] = []

    public init() {}

    /// Adds a route; registering the same method and template twice is a programming error.
    public mutating func on(_ method: HTTPMethod, _ path: String, handler: @escaping HTTPHandler) {
        let template = PathTemplate(path)
        precondition(
            !allRoutes.contains { $0.method == method && $0.template == template }, "route registered twice: \(method) \(path)")
        let route = Route(method: method, template: template, handler: handler)
        allRoutes.append(route)
        var routes = routesByMethod[method, default: []]
        let position = routes.firstIndex { template.isMoreSpecific(than: $0.template) } ?? routes.endIndex
        routes.insert(route, at: position)
        routesByMethod[method] = routes
    }

    public mutating func get(_ path: String, handler: @escaping HTTPHandler) { on(.get, path, handler: handler) }
    public mutating func post(_ path: String, handler: @escaping HTTPHandler) { on(.post, path, handler: handler) }
    public mutating func put(_ path: String, handler: @escaping HTTPHandler) { on(.put, path, handler: handler) }
    public mutating func patch(_ path: String, handler: @escaping HTTPHandler) { on(.patch, path, handler: handler) }
    public mutating func delete(_ path: String, handler: @escaping HTTPHandler) { on(.delete, path, handler: handler) }

    public func respond(to request: HTTPRequest) async throws -> HTTPResponse {
        let segments = request.path.split(separator: "/")
        if let (route, parameters) = match(request.method, segments) {
            var request = request
            request.pathParameters = parameters
            return try await route.handler(request)
        }
        if request.method == .head, let (route, parameters) = match(.get, segments) {
            var request = request
            request.pathParameters = parameters
            return try await route.handler(request)
        }
        let allowed = allowedMethods(segments)
        if allowed.isEmpty {
            throw HTTPError(.notFound, code: "NOT_FOUND", message: "No route for \(request.path).")
        }
        let allow = allowed.joined(separator: ", ")
        if request.method == .options {
            return HTTPResponse(status: .noContent, headers: ["Allow": allow])
        }
        throw HTTPError(
            .methodNotAllowed, code: "METHOD_NOT_ALLOWED", message: "\(request.method) is not allowed here.", headers: ["Allow": allow])
    }

    private func match(_ method: HTTPMethod, _ segments: [Substring]) -> (Route, [String: String])? {
        guard let routes = routesByMethod[method] else { return nil }
        for route in routes {
            if let parameters = route.template.match(segments) { return (route, parameters) }
        }
        return nil
    }

    /// Methods of every route matching the path, plus HEAD where GET is and OPTIONS, sorted.
    private func allowedMethods(_ segments: [Substring]) -> [String] {
        var methods = Set(allRoutes.filter { $0.template.match(segments) != nil }.map(\.method.rawValue))
        guard !methods.isEmpty else { return [] }
        if methods.contains("GET") { methods.insert("HEAD") }
        methods.insert("OPTIONS")
        return methods.sorted()
    }
}
