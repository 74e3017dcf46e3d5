// Lists the fleet's runners with their status, labels and GPUs.
//
//     AUTOGIT_SERVER=http://127.0.0.1:8080 AUTOGIT_TOKEN=... swift run ListRunners [status]
//
// `status` (optional) keeps only runners in that status: idle, busy, offline …

import AutoGitClient
import AutoGitCore
import Foundation

@main
struct ListRunners {
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        let server = environment["AUTOGIT_SERVER"] ?? "http://127.0.0.1:8080"
        guard let baseURL = URL(string: server), baseURL.scheme != nil else {
            fail("AUTOGIT_SERVER is not a URL: \(server)")
        }
        let credentials: AutoGitClient.Credentials = environment["AUTOGIT_TOKEN"].map { .bearer($0) } ?? .none
        let client = AutoGitClient(baseURL: baseURL, credentials: credentials)
        let status = CommandLine.arguments.dropFirst().first.map { RunnerStatus(rawValue: $0) }

        do {
            var count = 0
            // The list is fetched page by page as the loop reaches it.
            for try await runner in client.runners.list(status: status) {
                let gpus = runner.gpus.map { "\($0.model) (\($0.memoryTotalMB / 1024) GB)" }.joined(separator: ", ")
                print("\(runner.id)\t\(runner.name)\t\(runner.status.rawValue)\t\(runner.labels.joined(separator: ","))\t\(gpus)")
                count += 1
            }
            print("\(count) runner\(count == 1 ? "" : "s")")
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
        case .authenticationRequired, .authenticationFailed: "the server wants a valid token: set AUTOGIT_TOKEN (\(error.message))"
        case .authorizationFailed: "this token's role may not list runners (\(error.message))"
        default: "\(error)"
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("list-runners: \(message)\n".utf8))
        exit(1)
    }
}
