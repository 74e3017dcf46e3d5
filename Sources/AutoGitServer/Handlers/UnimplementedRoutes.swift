import AutoGitCore
import AutoGitHTTP

/// The instances group of the contract, routed (so they are not 404) and answered 501
/// `NOT_IMPLEMENTED` until they are built. Authentication and roles are checked first, as they will be then.
struct UnimplementedRoutes {
    static let routes: [(HTTPMethod, String, AccessRule)] = [
        (.get, "/v1/instances", .read), (.post, "/v1/instances", .write),
        (.post, "/v1/instances/start-all", .write), (.post, "/v1/instances/stop-all", .write),
        (.get, "/v1/instances/{name}", .read), (.put, "/v1/instances/{name}", .write), (.delete, "/v1/instances/{name}", .write),
        (.post, "/v1/instances/{name}/start", .write), (.post, "/v1/instances/{name}/stop", .write),
        (.post, "/v1/instances/{name}/restart", .write), (.get, "/v1/instances/{name}/health", .read),
        (.get, "/v1/instances/{name}/logs", .read),
        (.get, "/v1/instances/{name}/proxy/{path...}", .read), (.post, "/v1/instances/{name}/proxy/{path...}", .write),
        (.put, "/v1/instances/{name}/proxy/{path...}", .write), (.patch, "/v1/instances/{name}/proxy/{path...}", .write),
        (.delete, "/v1/instances/{name}/proxy/{path...}", .write),
    ]

    func register(in routes: inout RouteTable) {
        for (method, path, access) in Self.routes {
            let group = path.hasPrefix("/v1/instances") ? "Instances" : "Experiments, runs and artifacts"
            routes.add(method, path, access) { _ in
                throw ServerError(
                    .notImplemented, status: 501, "\(group) are not implemented by this server yet", details: ["path": .string(path)])
            }
        }
    }
}
