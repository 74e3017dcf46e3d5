import AutoGitClient
import AutoGitCore
import Foundation

extension CLIError {
    /// Turns any error a command throws into the message and exit code the user sees: the one place where failures
    /// map to exit codes. `server` names the server in "cannot reach" messages.
    init(_ error: any Error, server: String? = nil) {
        switch error {
        case let error as CLIError:
            self = error
        case let error as AutoGitError:
            self = CLIError(api: error, server: server)
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

    /// An SDK error: no answer is exit 6 with one line; an answer maps by its HTTP status (404 → 3, 401/403 → 4,
    /// 409 → 5, 400/422 → 2), keeping the server's code, the field a 422 names, and the request id.
    init(api error: AutoGitError, server: String?) {
        let place = server.map { " at \($0)" } ?? ""
        switch error.kind {
        case .transport, .timedOut:
            let reason = error.kind == .timedOut ? "no answer in time" : Self.transportReason(error)
            self = CLIError(
                .serverUnreachable, "cannot reach the AutoGit server\(place): \(reason)", exitCode: .serverUnreachable,
                hint: "check --server or AUTOGIT_SERVER, and that 'autogit serve' is running")
        case .cancelled:
            self = .failure("cancelled")
        case .decoding:
            self = .failure("unexpected answer from the server\(place): \(error.message)")
        default:
            var message = error.message
            if let field = error.details?["field"]?.stringValue, !message.contains(field) { message += " (field \(field))" }
            var facts = [error.code.rawValue]
            if let requestID = error.requestID { facts.append("request \(requestID)") }
            message += " [\(facts.joined(separator: ", "))]"
            let exitCode = error.status.map(ExitCode.init(httpStatus:)) ?? ExitCode(errorCode: error.code)
            var hint: String?
            if error.status == 401 { hint = "log in with 'autogit login' or pass --token" }
            if let wait = error.retryAfter { hint = "try again in \(max(1, Int(wait.components.seconds)))s" }
            self = CLIError(Self.code(for: exitCode), message, exitCode: exitCode, hint: hint)
        }
    }

    /// The CLI's own code for an exit status of an API error.
    private static func code(for exitCode: ExitCode) -> Code {
        switch exitCode {
        case .notFound: .notFound
        case .unauthorized: .unauthorized
        case .conflict: .conflict
        case .usage: .invalidInput
        case .serverUnreachable: .serverUnreachable
        case .success, .failure: .failure
        }
    }

    /// A short reason for a transport failure: the URL error's own words without the SDK's framing.
    private static func transportReason(_ error: AutoGitError) -> String {
        if let urlError = error.underlyingError as? URLError {
            switch urlError.code {
            case .cannotConnectToHost: return "connection refused"
            case .cannotFindHost, .dnsLookupFailed: return "unknown host"
            case .networkConnectionLost: return "the connection was lost"
            default: return urlError.localizedDescription
            }
        }
        return error.message
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
