import AutoGitCore

extension AutoGitClient {
    /// The GPUs of every runner and their allocation to jobs and instances.
    public struct GPUs: Sendable {
        let client: AutoGitClient

        /// `GET /v1/gpus`: every GPU matching the filters, fetched page by page.
        ///
        /// - Parameters:
        ///   - runnerID: only the GPUs of this runner.
        ///   - vendor: only GPUs of this vendor.
        ///   - type: a GPU family or model (`a100`, `rtx 4090`).
        ///   - minMemoryGB: only GPUs with at least this much memory, in GiB.
        ///   - available: only GPUs free (`true`) or allocated (`false`).
        ///   - pageSize: GPUs asked for per request (1–500).
        public func list(
            runnerID: String? = nil, vendor: GPUVendor? = nil, type: String? = nil, minMemoryGB: Double? = nil,
            available: Bool? = nil, pageSize: Int = 50
        ) -> PageSequence<GPU> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await listPage(
                    runnerID: runnerID, vendor: vendor, type: type, minMemoryGB: minMemoryGB, available: available, limit: limit,
                    offset: offset)
            }
        }

        /// `GET /v1/gpus`: one page of GPUs.
        public func listPage(
            runnerID: String? = nil, vendor: GPUVendor? = nil, type: String? = nil, minMemoryGB: Double? = nil,
            available: Bool? = nil, limit: Int = 50, offset: Int = 0
        ) async throws(AutoGitError) -> Page<GPU> {
            var query = Query()
            query.add("runner_id", runnerID)
            query.add("vendor", vendor)
            query.add("type", type)
            query.add("min_memory_gb", minMemoryGB)
            query.add("available", available)
            query.add("limit", limit)
            query.add("offset", offset)
            return try await client.decode(APIRequest("GET", Path("v1", "gpus"), query: query))
        }

        /// `GET /v1/gpus/available`: the healthy, unallocated GPUs, fetched page by page.
        public func available(
            runnerID: String? = nil, vendor: GPUVendor? = nil, type: String? = nil, minMemoryGB: Double? = nil, pageSize: Int = 50
        ) -> PageSequence<GPU> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await availablePage(
                    runnerID: runnerID, vendor: vendor, type: type, minMemoryGB: minMemoryGB, limit: limit, offset: offset)
            }
        }

        /// `GET /v1/gpus/available`: one page of free GPUs.
        public func availablePage(
            runnerID: String? = nil, vendor: GPUVendor? = nil, type: String? = nil, minMemoryGB: Double? = nil, limit: Int = 50,
            offset: Int = 0
        ) async throws(AutoGitError) -> Page<GPU> {
            var query = Query()
            query.add("runner_id", runnerID)
            query.add("vendor", vendor)
            query.add("type", type)
            query.add("min_memory_gb", minMemoryGB)
            query.add("limit", limit)
            query.add("offset", offset)
            return try await client.decode(APIRequest("GET", Path("v1", "gpus", "available"), query: query))
        }

        /// `GET /v1/gpus/{id}`: one GPU (ids look like `runner-1:gpu0`).
        public func get(_ id: String) async throws(AutoGitError) -> GPU {
            try await client.decode(APIRequest("GET", Path("v1", "gpus", id)))
        }
    }
}
