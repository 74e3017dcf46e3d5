import AutoGitCore
import AutoGitHTTP

/// `GET /v1/providers` and `GET /v1/providers/{name}`: the fleeting providers of the configuration, each with what
/// its plugin offers, its policy in force and its instances (``ProvisioningService/providerViews()``).
struct ProviderRoutes {
    let context: APIContext

    func register(in routes: inout RouteTable) {
        routes.get("/v1/providers", .read) { request in try await list(request) }
        routes.get("/v1/providers/{name}", .read) { request in try await provider(request) }
    }

    func providers() async -> [Provider] {
        await context.provisioning.providerViews()
    }

    func list(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        var providers = await providers()
        if let type = request.stringParameter("gpu_type") {
            providers = providers.compactMap { provider in
                var provider = provider
                provider.offers = provider.offers.filter { offer in offer.gpuType.map { GPU.name($0, matches: type) } ?? false }
                return provider.offers.isEmpty ? nil : provider
            }
        }
        return try APIResponse.json(Page(items: providers))
    }

    func provider(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let name = request.pathParameter("name")
        guard let provider = await providers().first(where: { $0.name == name }) else {
            throw ServerError(.providerNotFound, status: 404, "Provider '\(name)' not found", details: ["provider": .string(name)])
        }
        return try APIResponse.json(provider)
    }
}
