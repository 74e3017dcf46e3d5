import AutoGitCore
import AutoGitHTTP

/// `GET /v1/gpus`, `GET /v1/gpus/available` and `GET /v1/gpus/{id}`: the GPUs runners report, with their allocation.
struct GPURoutes {
    let context: APIContext

    func register(in routes: inout RouteTable) {
        routes.get("/v1/gpus", .read) { request in try await list(request, onlyAvailable: false) }
        routes.get("/v1/gpus/available", .read) { request in try await list(request, onlyAvailable: true) }
        routes.get("/v1/gpus/{id}", .read) { request in try APIResponse.json(await context.fleet.gpu(request.pathParameter("id"))) }
    }

    func list(_ request: HTTPRequest, onlyAvailable: Bool) async throws(ServerError) -> HTTPResponse {
        var query = GPUQuery()
        (query.limit, query.offset) = try request.pageParameters()
        query.runnerID = request.stringParameter("runner_id")
        query.vendor = request.stringParameter("vendor").map(GPUVendor.init(rawValue:))
        query.type = request.stringParameter("type")
        query.minMemoryGB = try request.positiveNumberParameter("min_memory_gb")
        if onlyAvailable {
            query.available = true
            query.onlyOnAcceptingRunners = true
        } else {
            query.available = try request.booleanParameter("available")
        }
        return try APIResponse.json(await context.fleet.listGPUs(query))
    }
}
