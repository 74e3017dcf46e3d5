import AutoGitCore
import Foundation

extension AutoGitClient {
    /// Experiment tracking: projects, runs with params and summaries, metric series, comparison, and versioned
    /// artifacts.
    public struct Experiments: Sendable {
        let client: AutoGitClient

        // MARK: Projects

        /// `GET /v1/projects`: every project, fetched page by page.
        public func projects(pageSize: Int = 50) -> PageSequence<Project> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await projectsPage(limit: limit, offset: offset)
            }
        }

        /// `GET /v1/projects`: one page of projects.
        public func projectsPage(limit: Int = 50, offset: Int = 0) async throws(AutoGitError) -> Page<Project> {
            var query = Query()
            query.add("limit", limit)
            query.add("offset", offset)
            return try await client.onExperimentServer {
                () async throws(AutoGitError) -> Page<Project> in
                try await client.decode(APIRequest("GET", Path("v1", "projects"), query: query))
            } runicorn: { adapter async throws(AutoGitError) in
                try await adapter.projectsPage(limit: limit, offset: offset)
            }
        }

        /// `POST /v1/projects`: creates a project (runs also create theirs on first use).
        public func createProject(_ project: Project) async throws(AutoGitError) -> Project {
            try await client.onExperimentServer {
                () async throws(AutoGitError) -> Project in
                try await client.decode(APIRequest("POST", Path("v1", "projects"), json: project))
            } runicorn: { _ async throws(AutoGitError) in
                throw RunicornAdapter.unsupported("Creating a project")
            }
        }

        /// `POST /v1/projects`: creates a project named `name`.
        public func createProject(named name: String) async throws(AutoGitError) -> Project {
            try await createProject(Project(name: name))
        }

        // MARK: Runs

        /// `GET /v1/runs`: every run matching the filters, fetched page by page.
        ///
        /// - Parameters:
        ///   - project: only the runs of this project.
        ///   - status: only runs in this status.
        ///   - tags: runs having every one of these tags.
        ///   - includeDeleted: whether soft-deleted runs are listed too.
        ///   - pageSize: runs asked for per request (1–500).
        public func runs(
            project: String? = nil, status: RunStatus? = nil, tags: [String] = [], includeDeleted: Bool = false, pageSize: Int = 50
        ) -> PageSequence<ExperimentRun> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await runsPage(
                    project: project, status: status, tags: tags, includeDeleted: includeDeleted, limit: limit, offset: offset)
            }
        }

        /// `GET /v1/runs`: one page of runs.
        public func runsPage(
            project: String? = nil, status: RunStatus? = nil, tags: [String] = [], includeDeleted: Bool = false, limit: Int = 50,
            offset: Int = 0
        ) async throws(AutoGitError) -> Page<ExperimentRun> {
            var query = Query()
            query.add("project", project)
            query.add("status", status)
            query.add("tag", tags)
            if includeDeleted { query.add("include_deleted", true) }
            query.add("limit", limit)
            query.add("offset", offset)
            return try await client.onExperimentServer {
                () async throws(AutoGitError) -> Page<ExperimentRun> in
                try await client.decode(APIRequest("GET", Path("v1", "runs"), query: query))
            } runicorn: { adapter async throws(AutoGitError) in
                try await adapter.runsPage(
                    project: project, status: status, tags: tags, includeDeleted: includeDeleted, limit: limit, offset: offset)
            }
        }

        /// `POST /v1/runs`: starts tracking a run (status `running`).
        public func createRun(_ request: RunCreateRequest) async throws(AutoGitError) -> ExperimentRun {
            try await client.onExperimentServer {
                () async throws(AutoGitError) -> ExperimentRun in
                try await client.decode(APIRequest("POST", Path("v1", "runs"), json: request))
            } runicorn: { _ async throws(AutoGitError) in
                throw RunicornAdapter.unsupported("Creating a run")
            }
        }

        /// `GET /v1/runs/{id}`.
        public func run(_ id: String) async throws(AutoGitError) -> ExperimentRun {
            try await client.onExperimentServer {
                () async throws(AutoGitError) -> ExperimentRun in
                try await client.decode(APIRequest("GET", Path("v1", "runs", id)))
            } runicorn: { adapter async throws(AutoGitError) in
                try await adapter.run(id)
            }
        }

        /// `PATCH /v1/runs/{id}`: changes the name, status, tags, params or summary given (params and summary merge
        /// key by key).
        @discardableResult
        public func updateRun(_ id: String, _ update: RunUpdate) async throws(AutoGitError) -> ExperimentRun {
            try await client.onExperimentServer {
                () async throws(AutoGitError) -> ExperimentRun in
                try await client.decode(APIRequest("PATCH", Path("v1", "runs", id), json: update))
            } runicorn: { adapter async throws(AutoGitError) in
                try await adapter.updateRun(id, update)
            }
        }

        /// `DELETE /v1/runs/{id}`: moves the run to the trash and returns it, or with `permanent` purges it with its
        /// metrics and returns `nil`.
        @discardableResult
        public func deleteRun(_ id: String, permanent: Bool = false) async throws(AutoGitError) -> ExperimentRun? {
            var query = Query()
            if permanent { query.add("permanent", true) }
            return try await client.onExperimentServer {
                () async throws(AutoGitError) -> ExperimentRun? in
                try await client.decodeUnlessEmpty(APIRequest("DELETE", Path("v1", "runs", id), query: query), as: ExperimentRun.self)
            } runicorn: { adapter async throws(AutoGitError) in
                try await adapter.deleteRun(id, permanent: permanent)
            }
        }

        /// `POST /v1/runs/{id}/restore`: takes a soft-deleted run out of the trash.
        @discardableResult
        public func restoreRun(_ id: String) async throws(AutoGitError) -> ExperimentRun {
            try await client.onExperimentServer {
                () async throws(AutoGitError) -> ExperimentRun in
                try await client.decode(APIRequest("POST", Path("v1", "runs", id, "restore")))
            } runicorn: { adapter async throws(AutoGitError) in
                try await adapter.restoreRun(id)
            }
        }

        // MARK: Metrics

        /// `POST /v1/runs/{id}/metrics`: appends metric points (`key`, `step`, `value`). Retried like a GET: storing a
        /// key and step again replaces the value, so a repeated batch does no harm.
        public func logMetrics(_ runID: String, _ points: [MetricPoint]) async throws(AutoGitError) {
            try await client.onExperimentServer {
                () async throws(AutoGitError) in
                try await client.perform(
                    APIRequest("POST", Path("v1", "runs", runID, "metrics"), json: MetricBatch(points: points), idempotent: true))
            } runicorn: { _ async throws(AutoGitError) in
                throw RunicornAdapter.unsupported("Logging metrics")
            }
        }

        /// `GET /v1/runs/{id}/metrics`: one metric's series, from `sinceStep` on, downsampled to at most `maxPoints`.
        public func metrics(
            _ runID: String, key: String, sinceStep: Int? = nil, maxPoints: Int? = nil
        ) async throws(AutoGitError) -> RunMetricSeries {
            var query = Query()
            query.add("key", key)
            query.add("since_step", sinceStep)
            query.add("max_points", maxPoints)
            return try await client.onExperimentServer {
                () async throws(AutoGitError) -> RunMetricSeries in
                try await client.decode(APIRequest("GET", Path("v1", "runs", runID, "metrics"), query: query))
            } runicorn: { adapter async throws(AutoGitError) in
                try await adapter.metrics(runID, key: key, sinceStep: sinceStep, maxPoints: maxPoints)
            }
        }

        /// `POST /v1/experiments/compare`: runs side by side, their metrics aligned by step, and the best by
        /// `request.metric`. Retried like a GET: it changes nothing.
        public func compare(_ request: ComparisonRequest) async throws(AutoGitError) -> Comparison {
            try await client.onExperimentServer {
                () async throws(AutoGitError) -> Comparison in
                try await client.decode(APIRequest("POST", Path("v1", "experiments", "compare"), json: request, idempotent: true))
            } runicorn: { adapter async throws(AutoGitError) in
                try await adapter.compare(request)
            }
        }

        // MARK: Artifacts

        /// `GET /v1/artifacts`: every artifact, optionally of one type, fetched page by page.
        public func artifacts(type: String? = nil, pageSize: Int = 50) -> PageSequence<Artifact> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await artifactsPage(type: type, limit: limit, offset: offset)
            }
        }

        /// `GET /v1/artifacts`: one page of artifacts.
        public func artifactsPage(type: String? = nil, limit: Int = 50, offset: Int = 0) async throws(AutoGitError) -> Page<Artifact> {
            var query = Query()
            query.add("type", type)
            query.add("limit", limit)
            query.add("offset", offset)
            return try await onArtifactServer("Listing artifacts") { () async throws(AutoGitError) in
                try await client.decode(APIRequest("GET", Path("v1", "artifacts"), query: query))
            }
        }

        /// `POST /v1/artifacts`: creates an artifact without versions (uploading a version also creates it).
        public func createArtifact(_ artifact: Artifact) async throws(AutoGitError) -> Artifact {
            try await onArtifactServer("Creating an artifact") { () async throws(AutoGitError) in
                try await client.decode(APIRequest("POST", Path("v1", "artifacts"), json: artifact))
            }
        }

        /// `GET /v1/artifacts/{name}`.
        public func artifact(_ name: String) async throws(AutoGitError) -> Artifact {
            try await onArtifactServer("Reading an artifact") { () async throws(AutoGitError) in
                try await client.decode(APIRequest("GET", Path("v1", "artifacts", name)))
            }
        }

        /// `GET /v1/artifacts/{name}/versions`: an artifact's versions, fetched page by page.
        public func versions(of name: String, pageSize: Int = 50) -> PageSequence<ArtifactVersion> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await versionsPage(of: name, limit: limit, offset: offset)
            }
        }

        /// `GET /v1/artifacts/{name}/versions`: one page of versions.
        public func versionsPage(of name: String, limit: Int = 50, offset: Int = 0) async throws(AutoGitError) -> Page<ArtifactVersion> {
            var query = Query()
            query.add("limit", limit)
            query.add("offset", offset)
            return try await onArtifactServer("Listing artifact versions") { () async throws(AutoGitError) in
                try await client.decode(APIRequest("GET", Path("v1", "artifacts", name, "versions"), query: query))
            }
        }

        /// `POST /v1/artifacts/{name}/versions`: stores `content` as the next version (creating the artifact if
        /// needed) and points `latest` and `aliases` at it. The client sends the content's SHA-256, so the server
        /// refuses a body damaged on the way (422 naming `sha256`).
        ///
        /// - Parameters:
        ///   - name: the artifact's name.
        ///   - content: the version's bytes, sent as they are (`application/octet-stream`).
        ///   - type: the artifact's type (`model`, `dataset`), for a new artifact.
        ///   - aliases: aliases to point at the new version (`best`, `production`).
        ///   - metadata: free-form attributes of the version.
        ///   - runID: the run that produced this version.
        public func uploadVersion(
            of name: String, content: Data, type: String? = nil, aliases: [String] = [], metadata: [String: JSONValue]? = nil,
            runID: String? = nil
        ) async throws(AutoGitError) -> ArtifactVersion {
            var query = Query()
            query.add("sha256", SHA256.hash(content).map { String(format: "%02x", $0) }.joined())
            query.add("type", type)
            query.add("aliases", aliases)
            if let metadata {
                let text = (try? AutoGitJSON.encoder().encode(metadata)).map { String(decoding: $0, as: UTF8.self) }
                query.add("metadata", text)
            }
            query.add("run_id", runID)
            var request = APIRequest("POST", Path("v1", "artifacts", name, "versions"), query: query)
            request.headers["Content-Type"] = "application/octet-stream"
            request.body = content
            return try await onArtifactServer("Uploading an artifact") { () async throws(AutoGitError) in
                try await client.decode(request)
            }
        }

        /// `GET /v1/artifacts/{name}/versions/{version}`: a version's attributes; `version` is a number (`3`), a
        /// label (`v3`) or an alias (`latest`, `production`).
        public func version(_ version: String, of name: String) async throws(AutoGitError) -> ArtifactVersion {
            try await onArtifactServer("Reading an artifact version") { () async throws(AutoGitError) in
                try await client.decode(APIRequest("GET", Path("v1", "artifacts", name, "versions", version)))
            }
        }

        /// `GET /v1/artifacts/{name}/versions/{version}/content`: a version's bytes, or a range of them.
        ///
        /// To resume an interrupted download, ask for `.from(bytesAlreadyHeld)` with `ifRange` set to the `ETag`
        /// of the first attempt: the server sends the rest (206), or the whole content (200) when it changed. With
        /// `ifNoneMatch` set to an `ETag` already held, an unchanged version answers 304 and no content.
        ///
        /// The content is read into memory, up to the configuration's `maxResponseBytes`.
        public func download(
            _ name: String, version: String = "latest", range: ArtifactDownload.ByteRange? = nil, ifRange: String? = nil,
            ifNoneMatch: String? = nil
        ) async throws(AutoGitError) -> ArtifactDownload {
            var request = APIRequest("GET", Path("v1", "artifacts", name, "versions", version, "content"))
            request.headers["Accept"] = "application/octet-stream"
            request.headers["Range"] = range?.headerValue
            request.headers["If-Range"] = ifRange
            request.headers["If-None-Match"] = ifNoneMatch
            return try await onArtifactServer("Downloading an artifact") { () async throws(AutoGitError) in
                let (response, body) = try await client.send(request)
                return ArtifactDownload(status: response.status, headers: response.headers, content: body)
            }
        }

        /// `PUT /v1/artifacts/{name}/aliases/{alias}`: points `alias` at `version` (moving it if it pointed
        /// elsewhere). `latest` is the server's and cannot be set.
        @discardableResult
        public func setAlias(_ alias: String, of name: String, to version: Int) async throws(AutoGitError) -> ArtifactVersion {
            let body: JSONValue = ["version": .number(Double(version))]
            return try await onArtifactServer("Setting an artifact alias") { () async throws(AutoGitError) in
                try await client.decode(APIRequest("PUT", Path("v1", "artifacts", name, "aliases", alias), json: body))
            }
        }

        /// Artifacts are AutoGit's: against a Runicorn viewer (whose API has none) they throw `NOT_SUPPORTED`.
        private func onArtifactServer<T>(
            _ operation: String, _ call: () async throws(AutoGitError) -> T
        ) async throws(AutoGitError) -> T {
            try await client.onExperimentServer(autogit: call) { _ async throws(AutoGitError) -> T in
                throw RunicornAdapter.unsupported(operation)
            }
        }
    }
}

/// The answer to an artifact download: the bytes (all, a range, or none when the copy held is current) and the
/// headers needed to resume or revalidate.
public struct ArtifactDownload: Sendable, Hashable {
    /// A byte range to ask for.
    public enum ByteRange: Sendable, Hashable {
        /// Bytes `lowerBound` through `upperBound`, both included.
        case bytes(ClosedRange<Int64>)
        /// From `offset` to the end: resuming after `offset` bytes.
        case from(Int64)
        /// The last `count` bytes.
        case last(Int64)

        var headerValue: String {
            switch self {
            case .bytes(let range): "bytes=\(range.lowerBound)-\(range.upperBound)"
            case .from(let offset): "bytes=\(offset)-"
            case .last(let count): "bytes=-\(count)"
            }
        }
    }

    /// 200 (the whole content), 206 (a range) or 304 (not modified).
    public var status: Int
    /// The bytes received: all of them, the range, or none on 304.
    public var content: Data
    /// The content's entity tag (the quoted SHA-256), for `If-None-Match` and `If-Range`.
    public var etag: String?
    /// For 206: the range sent, from `Content-Range`.
    public var range: ClosedRange<Int64>?
    /// The whole content's size, when the server said (`Content-Range`'s total, or `Content-Length` on 200).
    public var totalSize: Int64?

    /// A download answer with these parts (for tests and other transports; the client reads them from the headers).
    public init(status: Int, content: Data, etag: String? = nil, range: ClosedRange<Int64>? = nil, totalSize: Int64? = nil) {
        self.status = status
        self.content = content
        self.etag = etag
        self.range = range
        self.totalSize = totalSize
    }

    init(status: Int, headers: HTTPHeaders, content: Data) {
        self.init(status: status, content: content, etag: headers["ETag"])
        if status == 200 {
            totalSize = Int64(content.count)
        }
        // Content-Range: bytes 0-1023/4096
        if let value = headers["Content-Range"], value.hasPrefix("bytes ") {
            let spec = value.dropFirst(6)
            let parts = spec.split(separator: "/", maxSplits: 1)
            if parts.count == 2 {
                totalSize = Int64(parts[1]) ?? totalSize
                let bounds = parts[0].split(separator: "-", maxSplits: 1)
                if bounds.count == 2, let lower = Int64(bounds[0]), let upper = Int64(bounds[1]), lower <= upper {
                    range = lower...upper
                }
            }
        }
    }

    /// Whether the server answered 304: the copy named by `If-None-Match` is current.
    public var isNotModified: Bool { status == 304 }
    /// Whether the content is a range of the whole (206).
    public var isPartial: Bool { status == 206 }
}
