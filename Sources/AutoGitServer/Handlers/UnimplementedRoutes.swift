import AutoGitCore
import AutoGitHTTP

/// The experiments group of the contract, routed (so it is not 404) and answered 501
/// `NOT_IMPLEMENTED` until they are built. Authentication and roles are checked first, as they will be then.
struct UnimplementedRoutes {
    static let routes: [(HTTPMethod, String, AccessRule)] = [
        (.get, "/v1/projects", .read), (.post, "/v1/projects", .write),
        (.get, "/v1/runs", .read), (.post, "/v1/runs", .write),
        (.get, "/v1/runs/{id}", .read), (.patch, "/v1/runs/{id}", .write), (.delete, "/v1/runs/{id}", .write),
        (.post, "/v1/runs/{id}/restore", .write), (.post, "/v1/runs/{id}/metrics", .write), (.get, "/v1/runs/{id}/metrics", .read),
        (.post, "/v1/experiments/compare", .read),
        (.get, "/v1/artifacts", .read), (.post, "/v1/artifacts", .write), (.get, "/v1/artifacts/{name}", .read),
        (.get, "/v1/artifacts/{name}/versions", .read), (.post, "/v1/artifacts/{name}/versions", .write),
        (.get, "/v1/artifacts/{name}/versions/{version}", .read), (.get, "/v1/artifacts/{name}/versions/{version}/content", .read),
        (.put, "/v1/artifacts/{name}/aliases/{alias}", .write),
    ]

    func register(in routes: inout RouteTable) {
        for (method, path, access) in Self.routes {
            routes.add(method, path, access) { _ in
                throw ServerError(
                    .notImplemented, status: 501, "Experiments, runs and artifacts are not implemented by this server yet",
                    details: ["path": .string(path)])
            }
        }
    }
}
