import AutoGitCore
import AutoGitHTTP
import Foundation

/// The artifacts group: artifacts and their versions, uploads (raw body or `multipart/form-data`) verified by
/// SHA-256, aliases, and downloads with `ETag`, `If-None-Match`, `Range` and `If-Range`.
struct ArtifactRoutes {
    let context: APIContext

    var artifacts: ArtifactStore { context.experiments.artifacts }

    func register(in routes: inout RouteTable) {
        routes.get("/v1/artifacts", .read) { request in
            let (limit, offset) = try request.pageParameters()
            return try APIResponse.json(await artifacts.list(type: request.stringParameter("type"), limit: limit, offset: offset))
        }
        routes.post("/v1/artifacts", .write) { request in
            let created = try await artifacts.create(try request.decodeBody(Artifact.self))
            return try APIResponse.json(created, status: .created, location: "/v1/artifacts/\(created.name)")
        }
        routes.get("/v1/artifacts/{name}", .read) { request in
            try APIResponse.json(try await artifacts.artifact(request.pathParameter("name")))
        }
        routes.get("/v1/artifacts/{name}/versions", .read) { request in
            let (limit, offset) = try request.pageParameters()
            return try APIResponse.json(try await artifacts.versions(of: request.pathParameter("name"), limit: limit, offset: offset))
        }
        routes.post("/v1/artifacts/{name}/versions", .write) { request in try await upload(request) }
        routes.get("/v1/artifacts/{name}/versions/{version}", .read) { request in
            try APIResponse.json(try await artifacts.version(request.pathParameter("version"), of: request.pathParameter("name")))
        }
        routes.get("/v1/artifacts/{name}/versions/{version}/content", .read) { request in try await download(request) }
        routes.put("/v1/artifacts/{name}/aliases/{alias}", .write) { request in try await setAlias(request) }
    }

    // MARK: Upload

    func upload(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let name = request.pathParameter("name")
        var upload = ArtifactStore.Upload()
        upload.sha256 = request.stringParameter("sha256")
        upload.type = request.stringParameter("type")
        upload.aliases = request.listParameter("aliases")
        upload.runID = request.stringParameter("run_id")
        if let text = request.stringParameter("metadata") { upload.metadata = try Self.metadata(text) }

        var content = request.body
        let contentType = request.headers["Content-Type"] ?? "application/octet-stream"
        if contentType.lowercased().hasPrefix("multipart/") {
            guard let boundary = MultipartFormData.boundary(fromContentType: contentType) else {
                throw ServerError(
                    .invalidRequest, status: 400, "A multipart upload must be multipart/form-data with a boundary",
                    details: ["content_type": .string(contentType)])
            }
            let form: MultipartFormData
            do {
                form = try MultipartFormData(parsing: request.body, boundary: boundary)
            } catch {
                throw ServerError(.invalidRequest, status: 400, "The multipart body is malformed: \(error)")
            }
            guard let file = form.part(named: "file") else {
                throw .invalidField("file", "a multipart upload needs a 'file' part with the content")
            }
            content = file.body
            // Form fields win over query parameters.
            if let sha256 = form.part(named: "sha256")?.text.trimmingCharacters(in: .whitespacesAndNewlines) { upload.sha256 = sha256 }
            if let type = form.part(named: "type")?.text.trimmingCharacters(in: .whitespacesAndNewlines) { upload.type = type }
            if let aliases = form.part(named: "aliases")?.text {
                upload.aliases = aliases.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                    .filter { !$0.isEmpty }
            }
            if let metadata = form.part(named: "metadata")?.text { upload.metadata = try Self.metadata(metadata) }
            if let runID = form.part(named: "run_id")?.text.trimmingCharacters(in: .whitespacesAndNewlines), !runID.isEmpty {
                upload.runID = runID
            }
        }
        if let runID = upload.runID, await context.experiments.runs.existingRun(runID) == nil {
            throw .invalidField("run_id", "no run '\(runID)' exists")
        }
        let version = try await artifacts.upload(content, to: name, upload)
        return try APIResponse.json(version, status: .created, location: "/v1/artifacts/\(name)/versions/\(version.version)")
    }

    private static func metadata(_ text: String) throws(ServerError) -> [String: JSONValue] {
        guard let data = text.data(using: .utf8), let value = try? AutoGitJSON.decode(JSONValue.self, from: data),
            case .object(let object) = value
        else { throw .invalidField("metadata", "must be a JSON object") }
        return object
    }

    // MARK: Download

    func download(_ request: HTTPRequest) async throws -> HTTPResponse {
        let content = try await artifacts.content(request.pathParameter("version"), of: request.pathParameter("name"))
        let etag = content.etag
        let size = content.version.sizeBytes
        var headers: HTTPHeaders = ["ETag": etag, "Accept-Ranges": "bytes"]
        if let noneMatch = request.headers["If-None-Match"], EntityTag.noneMatchHits(noneMatch, etag: etag) {
            return HTTPResponse(status: .notModified, headers: headers)
        }
        var range = ByteRangeRequest(header: request.headers["Range"], size: size)
        if let ifRange = request.headers["If-Range"], !EntityTag.rangeApplies(ifRange, etag: etag) { range = .whole }
        switch range {
        case .unsatisfiable:
            throw HTTPError(
                HTTPStatus(code: 416), code: ErrorCode.invalidRequest.rawValue, message: "Range not satisfiable",
                details: JSONValue.object(["size_bytes": .number(Double(size))]), headers: ["Content-Range": "bytes */\(size)"])
        case .partial(let bounds):
            let bytes = try await artifacts.read(content, range: bounds)
            headers["Content-Type"] = "application/octet-stream"
            headers["Content-Range"] = "bytes \(bounds.lowerBound)-\(bounds.upperBound)/\(size)"
            return HTTPResponse(status: HTTPStatus(code: 206), headers: headers, bytes: bytes)
        case .whole:
            let bytes = try await artifacts.read(content, range: nil)
            headers["Content-Type"] = "application/octet-stream"
            headers["Content-Disposition"] = "attachment; filename=\"\(content.version.name)-v\(content.version.version)\""
            return HTTPResponse(status: .ok, headers: headers, bytes: bytes)
        }
    }

    // MARK: Aliases

    func setAlias(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let body = try request.decodeBody(JSONValue.self)
        let reference: String
        switch body["version"] {
        case .number(let number) where number == number.rounded() && number >= 1: reference = String(Int(number))
        case .string(let text): reference = text
        default: throw .invalidField("version", "must be a version number (3) or label (\"v3\")")
        }
        return try APIResponse.json(
            try await artifacts.setAlias(request.pathParameter("alias"), of: request.pathParameter("name"), to: reference))
    }
}
