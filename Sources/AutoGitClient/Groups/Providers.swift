import AutoGitCore

extension AutoGitClient {
    /// Configured fleeting providers, their capacity and offers.
    public struct Providers: Sendable {
        let client: AutoGitClient

        /// `GET /v1/providers`: every provider (the server answers with all of them at once), with only the offers
        /// of `gpuType` when given.
        public func list(gpuType: String? = nil) async throws(AutoGitError) -> [Provider] {
            var query = Query()
            query.add("gpu_type", gpuType)
            let page: Page<Provider> = try await client.decode(APIRequest("GET", Path("v1", "providers"), query: query))
            return page.items
        }

        /// `GET /v1/providers/{name}`: one provider.
        public func get(_ name: String) async throws(AutoGitError) -> Provider {
            try await client.decode(APIRequest("GET", Path("v1", "providers", name)))
        }
    }
}
