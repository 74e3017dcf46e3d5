import AutoGitFleeting
import Foundation
import Testing

/// The real engines the plugin tests run against: a private single-node Slurm and a private sshd, started by the
/// scripts in `Scripts/engines/` for the duration of a suite (``EngineTrait``) and stopped afterwards.
///
/// Outside CI, a suite whose engine is not installed is skipped with a message saying what to install. In CI
/// (`CI=true`, or `AUTOGIT_REQUIRE_ENGINES=1`) it runs regardless, so a missing engine fails the tests instead.
/// To reuse an engine you started yourself, point `AUTOGIT_SLURM_ENV` or `AUTOGIT_SSHD_ENV` at its env file.
public enum Engine: String, Sendable {
    case slurm
    case sshd

    public static var isRequired: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["CI"] == "true" || environment["AUTOGIT_REQUIRE_ENGINES"] == "1"
    }

    /// The repository's root folder (this file is `Tests/AutoGitTestSupport/Engines.swift`).
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public var script: (up: String, down: String) {
        let directory = "\(Self.repositoryRoot)/Scripts/engines"
        return ("\(directory)/\(rawValue)-up.sh", "\(directory)/\(rawValue)-down.sh")
    }

    public var envFileName: String { "\(rawValue).env" }
    public var reuseVariable: String { "AUTOGIT_\(rawValue.uppercased())_ENV" }

    /// Whether this machine can start the engine: its programs are installed and we are root.
    public var isInstalled: Bool {
        let programs =
            switch self {
            case .slurm: ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/sbin/munged"]
            case .sshd: ["/usr/sbin/sshd", "/usr/bin/ssh"]
            }
        return getuid() == 0 && programs.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public var installHint: String {
        switch self {
        case .slurm: "Slurm is not installed or this is not root (apt-get install slurmctld slurmd slurm-client munge)"
        case .sshd: "OpenSSH's server is not installed or this is not root (apt-get install openssh-server)"
        }
    }

    /// Runs the suite if the engine can start here, or in CI where a missing engine must fail.
    public var condition: ConditionTrait {
        .enabled(
            if: Engine.isRequired || isInstalled || ProcessInfo.processInfo.environment[reuseVariable] != nil,
            "\(installHint); CI runs these tests")
    }
}

/// The variables an engine's env file holds (`SLURM_CONF`, `AUTOGIT_SSH_PORT`, …).
public struct EngineEnvironment: Sendable {
    public var values: [String: String]

    public init(file: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        self.values = values
    }

    public subscript(_ name: String) -> String {
        get throws {
            guard let value = values[name] else { throw EngineError(message: "the engine's env file has no \(name)") }
            return value
        }
    }

    @TaskLocal public static var slurm: EngineEnvironment?
    @TaskLocal public static var sshd: EngineEnvironment?

    public static func current(_ engine: Engine) throws -> EngineEnvironment {
        let value =
            switch engine {
            case .slurm: slurm
            case .sshd: sshd
            }
        guard let value else {
            throw EngineError(message: "no \(engine.rawValue) engine in scope: the suite needs .engine(.\(engine.rawValue))")
        }
        return value
    }
}

public struct EngineError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Starts an engine before a suite's tests and stops it after them, even when they fail.
public struct EngineTrait: SuiteTrait, TestScoping {
    public var engine: Engine

    public init(engine: Engine) { self.engine = engine }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> EngineTrait? { test.isSuite ? self : nil }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        if let file = ProcessInfo.processInfo.environment[engine.reuseVariable] {
            try await withEnvironment(EngineEnvironment(file: file), function)
            return
        }
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("autogit-\(engine.rawValue)-\(UUID().uuidString.prefix(8))").path
        let up = try await CommandRunner.run(Command("/bin/bash", [engine.script.up, directory], timeout: .seconds(90)))
        guard up.succeeded else {
            _ = try? await CommandRunner.run(Command("/bin/bash", [engine.script.down, directory], timeout: .seconds(60)))
            throw EngineError(
                message: "\(engine.rawValue) did not start (exit \(up.status), timed out: \(up.timedOut)): \(up.output) \(up.errorOutput)")
        }
        print(up.output.trimmingCharacters(in: .whitespacesAndNewlines))
        do {
            try await withEnvironment(EngineEnvironment(file: "\(directory)/\(engine.envFileName)"), function)
        } catch {
            await stop(directory)
            throw error
        }
        await stop(directory)
    }

    private func stop(_ directory: String) async {
        let down = try? await CommandRunner.run(Command("/bin/bash", [engine.script.down, directory], timeout: .seconds(60)))
        if let down { print(down.output.trimmingCharacters(in: .whitespacesAndNewlines), down.errorOutput) }
    }

    private func withEnvironment(_ environment: EngineEnvironment, _ function: @Sendable () async throws -> Void) async throws {
        switch engine {
        case .slurm: try await EngineEnvironment.$slurm.withValue(environment) { try await function() }
        case .sshd: try await EngineEnvironment.$sshd.withValue(environment) { try await function() }
        }
    }
}

extension Trait where Self == EngineTrait {
    /// Runs the suite against a private engine started for it.
    public static func engine(_ engine: Engine) -> EngineTrait { EngineTrait(engine: engine) }
}
