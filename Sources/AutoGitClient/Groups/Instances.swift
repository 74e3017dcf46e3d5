import AutoGitCore
import Foundation

extension AutoGitClient {
    /// Named, supervised model servers (llama.cpp, vLLM, custom): lifecycle, health, logs and the proxy.
    public struct Instances: Sendable {
        let client: AutoGitClient

        /// `GET /v1/instances`: every instance, optionally in one status, fetched page by page.
        public func list(status: InstanceStatus? = nil, pageSize: Int = 50) -> PageSequence<Instance> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await listPage(status: status, limit: limit, offset: offset)
            }
        }

        /// `GET /v1/instances`: one page of instances.
        public func listPage(status: InstanceStatus? = nil, limit: Int = 50, offset: Int = 0) async throws(AutoGitError) -> Page<Instance> {
            var query = Query()
            query.add("status", status)
            query.add("limit", limit)
            query.add("offset", offset)
            return try await client.decode(APIRequest("GET", Path("v1", "instances"), query: query))
        }

        /// `POST /v1/instances`: defines an instance (stopped until started, unless `on_demand`).
        public func create(_ instance: Instance) async throws(AutoGitError) -> Instance {
            try await client.decode(APIRequest("POST", Path("v1", "instances"), json: instance))
        }

        /// `POST /v1/instances/start-all`.
        public func startAll() async throws(AutoGitError) -> InstanceBatchResult {
            try await client.decode(APIRequest("POST", Path("v1", "instances", "start-all")))
        }

        /// `POST /v1/instances/stop-all`.
        public func stopAll(_ request: InstanceStopRequest = InstanceStopRequest()) async throws(AutoGitError) -> InstanceBatchResult {
            try await client.decode(APIRequest("POST", Path("v1", "instances", "stop-all"), json: request))
        }

        /// `GET /v1/instances/{name}`.
        public func get(_ name: String) async throws(AutoGitError) -> Instance {
            try await client.decode(APIRequest("GET", Path("v1", "instances", name)))
        }

        /// `PUT /v1/instances/{name}`: changes the settings given; a running instance uses them after a restart.
        @discardableResult
        public func update(_ name: String, _ update: InstanceUpdate) async throws(AutoGitError) -> Instance {
            try await client.decode(APIRequest("PUT", Path("v1", "instances", name), json: update))
        }

        /// `DELETE /v1/instances/{name}`: stops (with `force`, kills) and removes an instance.
        @discardableResult
        public func delete(_ name: String, force: Bool = false) async throws(AutoGitError) -> ActionResult {
            var query = Query()
            if force { query.add("force", true) }
            return try await client.decode(APIRequest("DELETE", Path("v1", "instances", name), query: query))
        }

        /// `POST /v1/instances/{name}/start`.
        @discardableResult
        public func start(_ name: String) async throws(AutoGitError) -> ActionResult {
            try await client.decode(APIRequest("POST", Path("v1", "instances", name, "start")))
        }

        /// `POST /v1/instances/{name}/stop`.
        @discardableResult
        public func stop(_ name: String, _ request: InstanceStopRequest = InstanceStopRequest()) async throws(AutoGitError) -> ActionResult
        {
            try await client.decode(APIRequest("POST", Path("v1", "instances", name, "stop"), json: request))
        }

        /// `POST /v1/instances/{name}/restart`.
        @discardableResult
        public func restart(_ name: String) async throws(AutoGitError) -> ActionResult {
            try await client.decode(APIRequest("POST", Path("v1", "instances", name, "restart")))
        }

        /// `GET /v1/instances/{name}/health`.
        public func health(_ name: String) async throws(AutoGitError) -> InstanceHealth {
            try await client.decode(APIRequest("GET", Path("v1", "instances", name, "health")))
        }

        /// `GET /v1/instances/{name}/logs`: the model server's output, or with `follow` the stored lines then new
        /// ones (a stream that ends only when cancelled), reconnecting with `Last-Event-ID`.
        public func logs(
            _ name: String, lines: Int? = nil, level: LogLevel? = nil, follow: Bool = false
        ) -> AsyncThrowingStream<LogEntry, any Error> {
            guard follow else {
                return client.oneShotStream { () throws(AutoGitError) in
                    try await logPage(name, lines: lines, level: level).items
                }
            }
            var query = Query()
            query.add("lines", lines)
            query.add("level", level)
            query.add("follow", true)
            let path = Path("v1", "instances", name, "logs")
            return client.eventStream { [query] _ throws(AutoGitError) in
                APIRequest("GET", path, query: query)
            } handle: { event throws(AutoGitError) in
                event.event == "log" || event.event == "message" ? .yield(try LogEntry.decodeEvent(event)) : .skip
            }
        }

        /// `GET /v1/instances/{name}/logs`: the last `lines` lines as one page.
        public func logPage(_ name: String, lines: Int? = nil, level: LogLevel? = nil) async throws(AutoGitError) -> Page<LogEntry> {
            var query = Query()
            query.add("lines", lines)
            query.add("level", level)
            return try await client.decode(APIRequest("GET", Path("v1", "instances", name, "logs"), query: query))
        }

        /// `/v1/instances/{name}/proxy/{path}`: sends a request through the server to the instance's model server
        /// (starting an on-demand instance first) and returns its answer as it is, any status, the body still
        /// streaming (an OpenAI-style `text/event-stream` completion arrives chunk by chunk; parse it with
        /// ``ServerSentEventParser``).
        ///
        /// ```swift
        /// let answer = try await client.instances.proxy("llama", method: "POST", path: "v1/chat/completions",
        ///                                               headers: ["Content-Type": "application/json"], body: json)
        /// let text = try await answer.body.collect()
        /// ```
        ///
        /// - Parameters:
        ///   - name: the instance's name.
        ///   - method: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD` or `OPTIONS`.
        ///   - path: the model server's path, slashes kept (`v1/models`).
        ///   - query: query parameters, in order.
        ///   - headers: headers for the model server (`Content-Type` of the body); `Accept` is `*/*` unless given.
        ///   - body: the body to forward.
        /// - Throws: ``AutoGitError`` only when no answer arrives; error statuses are returned. The client's timeout
        ///   applies until the answer's head arrives.
        public func proxy(
            _ name: String, method: String = "GET", path: String, query: [(String, String)] = [], headers: HTTPHeaders = HTTPHeaders(),
            body: Data? = nil
        ) async throws(AutoGitError) -> HTTPResponseData {
            var parameters = Query()
            for (key, value) in query { parameters.add(key, value) }
            var request = APIRequest(method.uppercased(), Path("v1", "instances", name, "proxy").appending(raw: path), query: parameters)
            request.headers = headers
            request.body = body
            if headers["Accept"] == nil { request.headers["Accept"] = "*/*" }
            return try await client.forward(request)
        }
    }
}
