// Prints the fleet's events as they happen, until interrupted.
//
//     AUTOGIT_SERVER=http://127.0.0.1:8080 AUTOGIT_TOKEN=... swift run WatchEvents [type ...]
//
// The arguments (optional) choose event types: runner_status_changed, job_status_changed, job_log,
// gpu_allocated, instance_status_changed, system_alert …

import AutoGitClient
import AutoGitCore
import Foundation

@main
struct WatchEvents {
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        let server = environment["AUTOGIT_SERVER"] ?? "http://127.0.0.1:8080"
        guard let baseURL = URL(string: server), baseURL.scheme != nil else {
            fail("AUTOGIT_SERVER is not a URL: \(server)")
        }
        let credentials: AutoGitClient.Credentials = environment["AUTOGIT_TOKEN"].map { .bearer($0) } ?? .none
        let client = AutoGitClient(baseURL: baseURL, credentials: credentials)
        let types = CommandLine.arguments.dropFirst().map { EventType(rawValue: $0) }

        do {
            print("watching \(types.isEmpty ? "every event" : types.map(\.rawValue).joined(separator: ", ")) at \(server)")
            // The stream stays open until the program ends; a dropped connection is reconnected with
            // Last-Event-ID, so the server replays what was missed.
            for try await event in client.events.stream(types: types) {
                let payload = (try? AutoGitJSON.encode(event.payload)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                print("\(RFC3339.string(from: event.timestamp))  #\(event.id)  \(event.type.rawValue)  \(payload)")
            }
        } catch let error as AutoGitError {
            fail(explain(error, server: server))
        } catch {
            fail("\(error)")
        }
    }

    /// A message that tells the user what to do about the error.
    static func explain(_ error: AutoGitError, server: String) -> String {
        switch error.code {
        case .serverUnreachable: "cannot reach the AutoGit server at \(server); is it running? (set AUTOGIT_SERVER)"
        case .connectionLost: "the connection to \(server) was lost and could not be made again (\(error.message))"
        case .authenticationRequired, .authenticationFailed: "the server wants a valid token: set AUTOGIT_TOKEN (\(error.message))"
        default: "\(error)"
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("watch-events: \(message)\n".utf8))
        exit(1)
    }
}
