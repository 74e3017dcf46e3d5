import AutoGitClient
import AutoGitCore
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `autogit quickstart`: the whole system on this machine in one command.
enum QuickstartCommand {
    static let spec = CommandSpec(
        "quickstart", abstract: "Start a local server and two runners, run sample jobs, and stop",
        discussion: """
            Starts a server in this process on a free loopback port with a temporary data directory, and two runner \
            agents as child processes of this program (one with a fake inventory of two A100 GPUs). It submits a \
            two-step job and a one-GPU job, streams their output, prints the runners and jobs tables, then drains \
            the agents, stops the server and removes the temporary directory. Ctrl-C stops everything the same way \
            (exit status 130). Nothing is left running and nothing is written outside the temporary directory.
            """,
        examples: [.init("autogit quickstart", "See a job run end to end in a few seconds")],
        run: { arguments, context in try await run(arguments, context) })

    private enum Outcome: Sendable {
        case finished(Bool)
        case failed(String)
        case interrupted(String)
    }

    private static func run(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let started = ContinuousClock.now
        // SIGINT (Ctrl-C) and SIGTERM end the run; the cleanup below runs either way.
        let (interrupts, interrupted) = AsyncStream.makeStream(of: String.self)
        let sources = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { interrupted.yield(name) }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
        }
        let session = try QuickstartSession(context: context)
        let console = context.console
        console.writeLine(context.styler.apply(.bold, to: "AutoGit quickstart") + ": a server, two runners and two jobs on this machine.")
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    return .finished(try await session.run())
                } catch is CancellationError {
                    return .interrupted("cancelled")
                } catch {
                    return .failed("\(error)")
                }
            }
            group.addTask {
                for await name in interrupts { return .interrupted(name) }
                return .interrupted("cancelled")
            }
            let first = await group.next() ?? .failed("nothing ran")
            group.cancelAll()
            return first
        }
        if case .failed(let message) = outcome {
            console.writeErrorLine(context.styler.apply(.red, to: "quickstart failed: \(message)"))
            session.showAgentLogs()
        }
        if case .interrupted(let signal) = outcome { console.writeErrorLine("\(signal): stopping the runners and the server") }
        let cleanup = await session.stop()
        let seconds =
            Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        console.writeLine("")
        console.writeLine("Stopped: \(cleanup). Took \(String(format: "%.1f", seconds)) s.")
        switch outcome {
        case .finished(let succeeded):
            if succeeded {
                console.writeLine(
                    "Next: `autogit serve` for a server that stays, `autogit runner` on each machine; see Docs/quickstart.md.")
            }
            return succeeded ? ExitCode.success.rawValue : ExitCode.failure.rawValue
        case .failed: return ExitCode.failure.rawValue
        case .interrupted: return 130
        }
    }
}
