// Submits a job, prints its output as the runner produces it, and exits with the job's result.
//
//     AUTOGIT_SERVER=http://127.0.0.1:8080 AUTOGIT_TOKEN=... swift run FollowJob -- python train.py --epochs 3
//
// The arguments are the shell command the job runs (`echo hello from AutoGit` when there are none). Set
// AUTOGIT_GPUS to a number to ask for that many GPUs.

import AutoGitClient
import AutoGitCore
import Foundation

@main
struct FollowJob {
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        let server = environment["AUTOGIT_SERVER"] ?? "http://127.0.0.1:8080"
        guard let baseURL = URL(string: server), baseURL.scheme != nil else {
            fail("AUTOGIT_SERVER is not a URL: \(server)")
        }
        let credentials: AutoGitClient.Credentials = environment["AUTOGIT_TOKEN"].map { .bearer($0) } ?? .none
        let client = AutoGitClient(baseURL: baseURL, credentials: credentials)

        let arguments = CommandLine.arguments.dropFirst()
        let command = arguments.isEmpty ? "echo hello from AutoGit" : arguments.joined(separator: " ")
        var requirements = JobRequirements()
        if let gpus = environment["AUTOGIT_GPUS"].flatMap(Int.init), gpus > 0 {
            requirements.gpu = GPURequirement(count: gpus)
        }
        let spec = JobSpec(name: "example", steps: [JobStep(name: "run", run: command)], requirements: requirements)

        do {
            let job = try await client.jobs.submit(spec)
            print("submitted \(job.id); following its output")
            // The stream ends when the job is final and every line has arrived; after a dropped connection it
            // reconnects and resumes after the last line received.
            for try await line in client.jobs.logs(job.id, follow: true) {
                let output = line.stream == .stderr ? FileHandle.standardError : FileHandle.standardOutput
                output.write(Data((line.message + "\n").utf8))
            }
            let final = try await client.jobs.get(job.id)
            print("job \(final.id) \(final.status.rawValue)\(final.exitCode.map { " (exit code \($0))" } ?? "")")
            exit(final.status == .succeeded ? 0 : 1)
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
        case .validationFailed:
            "the server refused the job: \(error.message)\(error.details?["field"]?.stringValue.map { " (field \($0))" } ?? "")"
        default: "\(error)"
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("follow-job: \(message)\n".utf8))
        exit(1)
    }
}
