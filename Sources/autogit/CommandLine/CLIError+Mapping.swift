import AutoGitCore
import Foundation

extension CLIError {
    /// Turns any error a command throws into the message and exit code the user sees: the one place where failures
    /// map to exit codes.
    ///
    /// Hook for the SDK (issue 5): when `AutoGitClient`'s `AutoGitError` exists, add a case for it here that uses
    /// ``ExitCode/init(httpStatus:)`` for HTTP answers (404 → 3, 401/403 → 4, 409 → 5) and ``ExitCode/serverUnreachable``
    /// for transport failures, keeping the server's error code and request id in the message. `server` names the
    /// server in "cannot reach" messages.
    init(_ error: any Error, server: String? = nil) {
        switch error {
        case let error as CLIError:
            self = error
        case let error as CoreError:
            // CoreErrors reaching the CLI come from checking the user's own input (a job spec from flags or a file).
            self = CLIError(Code(error.code.rawValue.lowercased()), error.message, exitCode: ExitCode(errorCode: error.code))
        case let error as DecodingError:
            self = .failure("could not read the server's answer: \(Self.describe(error))")
        case is CancellationError:
            self = .failure("cancelled")
        default:
            let error = error as NSError
            if error.domain == "NSURLErrorDomain", Self.unreachableURLErrorCodes.contains(error.code) {
                let place = server.map { " at \($0)" } ?? ""
                self = CLIError(
                    .serverUnreachable, "cannot reach the AutoGit server\(place): \(error.localizedDescription)",
                    exitCode: .serverUnreachable, hint: "check --server or AUTOGIT_SERVER")
            } else {
                self = .failure(error.localizedDescription)
            }
        }
    }

    /// URLError codes that mean no answer came from the server: timed out, cannot find or connect to host,
    /// connection lost, DNS failure, not connected, secure connection failed.
    static let unreachableURLErrorCodes: Set<Int> = [-1001, -1003, -1004, -1005, -1006, -1009, -1200]

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
            .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }
}

extension ExitCode {
    /// The exit code for an HTTP error status: 404 → not found, 401 and 403 → unauthorised, 409 → conflict,
    /// 400 and 422 → usage (the request the user described was invalid), anything else → failure.
    init(httpStatus: Int) {
        switch httpStatus {
        case 200..<300: self = .success
        case 400, 422: self = .usage
        case 401, 403: self = .unauthorized
        case 404: self = .notFound
        case 409: self = .conflict
        default: self = .failure
        }
    }

    /// The exit code for one of the API's error codes, for errors that carry a code but no HTTP status.
    init(errorCode: ErrorCode) {
        switch errorCode {
        case .authenticationRequired, .authenticationFailed, .authorizationFailed: self = .unauthorized
        case .conflict, .invalidStateTransition: self = .conflict
        case .invalidRequest, .validationFailed: self = .usage
        default: self = errorCode.rawValue.hasSuffix("NOT_FOUND") ? .notFound : .failure
        }
    }
}
