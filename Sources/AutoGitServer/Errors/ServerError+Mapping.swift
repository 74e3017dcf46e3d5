import AutoGitCore
import AutoGitHTTP

extension ServerError {
    /// A core validation or parsing error as the API answers it: 422 naming the field, 400 for a malformed
    /// request, 500 for anything else.
    init(core error: CoreError) {
        switch error.code {
        case .validationFailed:
            self.init(.validationFailed, status: 422, error.message, details: error.field.map { ["field": .string($0)] })
        case .invalidRequest:
            self.init(.invalidRequest, status: 400, error.message)
        default:
            self.init(error.code, status: 500, error.message)
        }
    }

    /// 400 `INVALID_REQUEST` for a query parameter that is not what the operation takes.
    static func invalidParameter(_ name: String, _ message: String) -> ServerError {
        ServerError(.invalidRequest, status: 400, "\(name): \(message)", details: ["parameter": .string(name)])
    }

    /// 422 `VALIDATION_FAILED` naming `field`.
    static func invalidField(_ field: String, _ message: String) -> ServerError {
        ServerError(.validationFailed, status: 422, "\(field): \(message)", details: ["field": .string(field)])
    }

    /// The error as the HTTP layer writes it: the same status, code, message and details.
    var httpError: HTTPError {
        HTTPError(HTTPStatus(code: status), code: code.rawValue, message: message, details: details)
    }
}
