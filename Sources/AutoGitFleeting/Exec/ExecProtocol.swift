import AutoGitCore
import Foundation

/// The JSON an external plugin reads and writes (protocol version 1; see Docs/plugins.md).
///
/// AutoGit runs the executable once per call, writes one request object to its standard input and closes it; the
/// executable writes one response object to standard output and exits. Standard error is the plugin's log.
enum ExecProtocol {
    static let version = 1

    /// The methods of protocol version 1.
    enum Method: String, Sendable, CaseIterable {
        case initialize, provision, deprovision, list, status
        case connectInfo = "connect_info"
    }

    struct Request: Encodable {
        var protocolVersion = ExecProtocol.version
        var method: String
        var provider: String
        var settings: JSONValue
        var params: JSONValue

        enum CodingKeys: String, CodingKey {
            case protocolVersion = "protocol_version"
            case method, provider, settings, params
        }
    }

    /// One agent to start, as `provision` hands it to the plugin: the plugin need not know how to build the command.
    struct AgentSpec: Encodable {
        var runnerName: String
        var command: [String]
        var environment: [String: String]

        enum CodingKeys: String, CodingKey {
            case runnerName = "runner_name"
            case command, environment
        }
    }

    struct ProvisionParams: Encodable {
        var count: Int
        var shape: ProvisionShape
        var instances: [AgentSpec]
    }

    struct ListResult: Decodable {
        var instances: [FleetingInstance]
    }

    struct DeprovisionResult: Decodable {
        var removed: [String]
    }

    struct StatusResult: Decodable {
        var state: FleetingInstanceState
        var reason: String?
    }

    /// What came back: the result, the error, or both (a partial `provision`).
    struct Response: Decodable {
        var protocolVersion: Int?
        var result: JSONValue?
        var error: ErrorBody?

        struct ErrorBody: Decodable {
            var code: String?
            var message: String?
        }

        enum CodingKeys: String, CodingKey {
            case protocolVersion = "protocol_version"
            case result, error
        }
    }
}
