/// Why a request could not be read; the connection answers with `status` and closes.
struct ParseError: Error, Equatable {
    var status: HTTPStatus
    var code: String
    var message: String

    static func bad(_ message: String) -> ParseError {
        ParseError(status: .badRequest, code: "BAD_REQUEST", message: message)
    }

    static let headersTooLarge = ParseError(
        status: .requestHeaderFieldsTooLarge, code: "HEADERS_TOO_LARGE", message: "The request head is too large.")
    static let bodyTooLarge = ParseError(
        status: .payloadTooLarge, code: "PAYLOAD_TOO_LARGE", message: "The request body is too large.")

    /// The JSON envelope response for this failure, always closing the connection.
    var response: HTTPResponse {
        var response = HTTPError(status, code: code, message: message).response()
        response.headers["Connection"] = "close"
        return response
    }
}
