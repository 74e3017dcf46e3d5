// Runs a model server as an AutoGit instance: creates it (or reuses one of that name), starts it, waits until its
// health probe passes, sends one request through the server's proxy, and stops it again.
//
//     AUTOGIT_SERVER=http://127.0.0.1:8080 AUTOGIT_TOKEN=... swift run ServeModel
//     AUTOGIT_GPUS=1 swift run ServeModel my-llm 'llama-server -m /models/q4.gguf --port {port}' /health
//
// Arguments: the instance's name (`example-model`), its command template (a Python file server on `{port}`, so the
// example runs anywhere), and its health path (`/`). AUTOGIT_GPUS asks for that many GPUs from the runners on the
// server's host; AUTOGIT_KEEP=1 leaves the instance running.

import AutoGitClient
import AutoGitCore
import Foundation

@main
struct ServeModel {
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        let server = environment["AUTOGIT_SERVER"] ?? "http://127.0.0.1:8080"
        guard let baseURL = URL(string: server), baseURL.scheme != nil else { fail("AUTOGIT_SERVER is not a URL: \(server)") }
        let credentials: AutoGitClient.Credentials = environment["AUTOGIT_TOKEN"].map { .bearer($0) } ?? .none
        let client = AutoGitClient(baseURL: baseURL, credentials: credentials)

        let arguments = Array(CommandLine.arguments.dropFirst())
        let name = arguments.first ?? "example-model"
        var definition = Instance(
            name: name, backend: .custom,
            command: arguments.count > 1 ? arguments[1] : "python3 -m http.server {port} --bind 127.0.0.1")
        definition.healthPath = arguments.count > 2 ? arguments[2] : "/"
        if let gpus = environment["AUTOGIT_GPUS"].flatMap(Int.init), gpus > 0 { definition.gpu = GPURequirement(count: gpus) }

        do {
            var instance = try await createOrReuse(definition, client: client)
            if instance.status != .running { _ = try await client.instances.start(name) }

            // `running` comes only once the health probe passes; a model may take minutes to load.
            var last = instance.status
            let deadline = Date().addingTimeInterval(600)
            while instance.status != .running {
                if instance.status == .failed { fail("\(name) failed to start: \(instance.lastError ?? "see its logs")") }
                guard Date() < deadline else { fail("\(name) did not become healthy within 10 minutes") }
                try await Task.sleep(for: .milliseconds(250))
                instance = try await client.instances.get(name)
                if instance.status != last {
                    print("\(name): \(last.rawValue) → \(instance.status.rawValue)")
                    last = instance.status
                }
            }
            print(
                "\(name) is running (pid \(instance.pid.map(String.init) ?? "?")); health: \(try await client.instances.health(name).status)"
            )

            let answer = try await client.instances.proxy(name, path: "")
            let body = try await answer.body.collect(upTo: 4096)
            print("GET / through the proxy: \(answer.status), \(body.count) bytes")

            if environment["AUTOGIT_KEEP"] == "1" {
                print("left running; stop it with: autogit instances stop \(name)")
            } else {
                _ = try await client.instances.stop(name)
                print("stopped \(name)")
            }
        } catch let error as AutoGitError {
            fail(error.code == .serverUnreachable ? "cannot reach the AutoGit server at \(server); is it running?" : "\(error)")
        } catch {
            fail("\(error)")
        }
    }

    /// The instance as created, or the existing one of that name (409 `CONFLICT` on create).
    static func createOrReuse(_ definition: Instance, client: AutoGitClient) async throws(AutoGitError) -> Instance {
        let created: AutoGitError
        do {
            let instance = try await client.instances.create(definition)
            print("created \(instance.name) on port \(instance.port.map(String.init) ?? "?")")
            return instance
        } catch {
            created = error
        }
        guard created.status == 409 else { throw created }
        let instance = try await client.instances.get(definition.name)
        print("reusing \(instance.name) (\(instance.status.rawValue))")
        return instance
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("serve-model: \(message)\n".utf8))
        exit(1)
    }
}
