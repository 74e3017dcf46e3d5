import AutoGitCore
import AutoGitHTTP
import Foundation

/// Responses in the API's JSON conventions (snake_case models, RFC 3339 dates, sorted keys).
enum APIResponse {
    static func json(_ value: some Encodable, status: HTTPStatus = .ok, location: String? = nil) throws(ServerError) -> HTTPResponse {
        let data: Data
        do {
            data = try AutoGitJSON.encoder().encode(value)
        } catch {
            throw ServerError(.internalError, status: 500, "Could not encode the response")
        }
        var response = HTTPResponse(status: status, headers: ["Content-Type": "application/json"], bytes: Array(data))
        if let location { response.headers["Location"] = location }
        return response
    }

    static func noContent() -> HTTPResponse {
        HTTPResponse(status: .noContent)
    }

    /// JSON in one line for an SSE `data:` field.
    static func compactJSON(_ value: some Encodable) -> String {
        guard let data = try? AutoGitJSON.encoder().encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
