import AutoGitCore
import AutoGitHTTP
import Foundation

extension HTTPRequest {
    /// Decodes the JSON body as `T`. Malformed JSON or a body that is not JSON is 400 `INVALID_REQUEST`; a field of
    /// the wrong type or a missing required field is 422 `VALIDATION_FAILED` naming the field.
    ///
    /// - Parameter empty: what an empty body means, for operations whose body is optional; nil makes it a 400.
    func decodeBody<T: Decodable>(_ type: T.Type, empty: T? = nil) throws(ServerError) -> T {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            if let empty { return empty }
            throw ServerError(.invalidRequest, status: 400, "This operation needs a JSON body")
        }
        if let contentType = headers["Content-Type"]?.lowercased(), !contentType.contains("json") {
            throw ServerError(
                .invalidRequest, status: 400, "Content-Type '\(contentType)' is not supported here; send application/json",
                details: ["content_type": .string(contentType)])
        }
        do {
            return try AutoGitJSON.decoder().decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            let core = CoreError.decoding(error)
            if core.code == .invalidRequest {
                throw ServerError(.invalidRequest, status: 400, "The request body is not valid JSON")
            }
            throw ServerError(core: core)
        } catch {
            throw ServerError(.invalidRequest, status: 400, "The request body is not valid JSON")
        }
    }

    /// Every value of a list parameter, given repeated (`?tags=a&tags=b`) or comma-separated (`?tags=a,b`).
    func listParameter(_ name: String) -> [String] {
        queryValues(name).flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A string parameter; an empty value counts as absent.
    func stringParameter(_ name: String) -> String? {
        guard let value = queryValue(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// An integer parameter within `range`, or 400 naming it.
    func integerParameter(_ name: String, in range: ClosedRange<Int>) throws(ServerError) -> Int? {
        guard let text = stringParameter(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            let rule =
                range.upperBound == Int.max
                ? "an integer of at least \(range.lowerBound)" : "an integer between \(range.lowerBound) and \(range.upperBound)"
            throw .invalidParameter(name, "must be \(rule)")
        }
        return value
    }

    /// A number above zero, or 400 naming the parameter.
    func positiveNumberParameter(_ name: String) throws(ServerError) -> Double? {
        guard let text = stringParameter(name) else { return nil }
        guard let value = Double(text), value.isFinite, value > 0 else { throw .invalidParameter(name, "must be a number above zero") }
        return value
    }

    /// A boolean parameter (`true`/`false`, `1`/`0`), or 400 naming it.
    func booleanParameter(_ name: String) throws(ServerError) -> Bool? {
        guard let text = stringParameter(name)?.lowercased() else { return nil }
        switch text {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw .invalidParameter(name, "must be true or false")
        }
    }

    /// A timestamp parameter in RFC 3339, or 400 naming it.
    func dateParameter(_ name: String) throws(ServerError) -> Date? {
        guard let text = stringParameter(name) else { return nil }
        guard let date = RFC3339.date(from: text) else { throw .invalidParameter(name, "must be an RFC 3339 timestamp") }
        return date
    }

    /// `limit` (1-500, default 50) and `offset` (default 0).
    func pageParameters() throws(ServerError) -> (limit: Int, offset: Int) {
        (try integerParameter("limit", in: 1...500) ?? 50, try integerParameter("offset", in: 0...Int.max) ?? 0)
    }

    /// Whether the client asked for a Server-Sent Events stream (`?follow=true` or `Accept: text/event-stream`).
    func wantsEventStream() throws(ServerError) -> Bool {
        if try booleanParameter("follow") == true { return true }
        return headers["Accept"]?.lowercased().contains("text/event-stream") ?? false
    }

    /// The path parameter `name` (always present on a route that declares it).
    func pathParameter(_ name: String) -> String {
        parameter(name) ?? ""
    }
}
