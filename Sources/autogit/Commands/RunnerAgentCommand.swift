import AutoGitRunner
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `autogit runner`: the runner agent that runs jobs on this machine.
enum RunnerAgentCommand {
    static let spec = CommandSpec(
        "runner", abstract: "Run the runner agent on this machine",
        discussion: """
            Registers this machine (architecture, CPUs, memory, disk and GPUs) with the server, heartbeats, and \
            runs the jobs it is given, each step in its own process group with CUDA_VISIBLE_DEVICES set to the GPUs \
            allocated. On SIGTERM or SIGINT it drains: finishes running jobs, takes no new ones, and deregisters; a \
            second signal stops the running jobs too. See Docs/runner.md.
            """,
        options: [
            .value(
                "registration-token", valueName: "token", help: "Token that lets the agent register",
                environmentVariable: "AUTOGIT_REGISTRATION_TOKEN"),
            .value("name", valueName: "name", help: "The runner's name (default: the host name)"),
            .value("labels", valueName: "a,b", help: "Labels jobs can ask for, separated by commas"),
            .value("concurrency", valueName: "n", help: "Most jobs run at once", defaultValue: "1"),
            .value("work-dir", valueName: "dir", help: "Where jobs' working directories are made", defaultValue: "~/.autogit/runner"),
            .value(
                "gpu-inventory", valueName: "file",
                help: "Read the GPUs from this JSON file instead of detecting them (for tests, and hosts where detection fails)"),
        ],
        examples: [
            .init("autogit runner --server http://10.0.0.5:8080 --registration-token $TOKEN --labels gpu,cuda", "Join a server")
        ],
        run: { arguments, context in try await run(arguments, context) })

    private static func run(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let serverURL = try context.connection().serverURL()
        guard let token = arguments.value("registration-token"), !token.isEmpty else {
            throw CLIError.usage("a registration token is needed: --registration-token or AUTOGIT_REGISTRATION_TOKEN", code: .missingValue)
        }
        let concurrency = try arguments.integer("concurrency") ?? 1
        guard concurrency >= 1 else {
            throw CLIError.invalidValue(String(concurrency), for: "--concurrency", expected: "a whole number of at least 1")
        }
        let labels = (arguments.value("labels") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        let console = context.console
        let configuration = RunnerAgentConfiguration(
            serverURL: serverURL, registrationToken: token, name: arguments.value("name"), labels: labels, concurrency: concurrency,
            workDirectory: expandTilde(arguments.value("work-dir") ?? "~/.autogit/runner", environment: context.environment),
            gpuInventoryFile: arguments.value("gpu-inventory").map { expandTilde($0, environment: context.environment) },
            environment: context.environment, version: AutoGitVersion.current,
            log: { line in console.writeErrorLine("\(RFC3339Stamp.now()) \(line)") })
        let agent = RunnerAgent(configuration: configuration)
        let signals = SignalHandlers(agent: agent, console: console)
        defer { signals.cancel() }
        do {
            try await agent.run()
        } catch {
            switch error.httpStatus {
            case 401, 403: throw CLIError(.unauthorized, error.message, exitCode: .unauthorized)
            case 409: throw CLIError(.conflict, error.message, exitCode: .conflict)
            default: throw CLIError.failure(error.message)
            }
        }
        return ExitCode.success.rawValue
    }

    static func expandTilde(_ path: String, environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = environment["HOME"] ?? ProcessInfo.processInfo.environment["HOME"] else {
            return path
        }
        return home + path.dropFirst()
    }
}

/// SIGTERM and SIGINT for the agent: the first drains it, the second also stops its running jobs' process groups.
private final class SignalHandlers {
    private let sources: [any DispatchSourceSignal]

    init(agent: RunnerAgent, console: Console) {
        let received = SignalCount()
        sources = [SIGTERM, SIGINT].map { number in
            // The dispatch source sees the signal only once its default action (ending the process) is off.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if received.increment() == 1 {
                    console.writeErrorLine("received signal \(number): draining (again to stop running jobs)")
                    agent.drain()
                } else {
                    console.writeErrorLine("received signal \(number) again: stopping running jobs")
                    agent.stop()
                }
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }
}

/// How many signals arrived.
private final class SignalCount: Sendable {
    private let count = Mutex(0)

    func increment() -> Int {
        count.withLock {
            $0 += 1
            return $0
        }
    }
}

/// The timestamp on the agent's log lines.
private enum RFC3339Stamp {
    static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}
