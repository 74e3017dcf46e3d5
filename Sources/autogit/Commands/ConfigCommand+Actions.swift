import AutoGitClient
import AutoGitCore
import Foundation

/// What each `autogit config …` command does.
extension ConfigCommand {
    static func runGet(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let configuration = try JSONValue(encoding: try await context.client().config.get())
        var value = configuration
        if let key = arguments.argument("key") {
            guard let found = ConfigurationKey.value(at: key, in: configuration) else {
                throw CLIError(.notFound, "the configuration has no key '\(key)'", exitCode: .notFound)
            }
            value = found
        }
        if context.output.format == .json {
            context.console.writeLine(try context.output.json(value))
        } else if case .object = value {
            for line in ConfigurationKey.flatten(value) { context.console.writeLine("\(line.key) = \(line.value)") }
        } else {
            context.console.writeLine(ConfigurationKey.display(value))
        }
        return ExitCode.success.rawValue
    }

    static func runSet(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        var patch: JSONValue = .object([:])
        if let path = arguments.value("file") {
            let data = path == "-" ? Data(context.console.readInput()) : try readFile(path)
            guard let decoded = try? AutoGitJSON.decode(JSONValue.self, from: data), case .object = decoded else {
                throw CLIError.usage("\(path == "-" ? "standard input" : path) is not a JSON object (a merge patch)")
            }
            patch = decoded
        }
        for assignment in arguments.arguments("key=value") {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw CLIError.invalidValue(assignment, for: "key=value", expected: "a dotted key, '=', and a value")
            }
            let key = String(assignment[..<equals])
            let value = ConfigurationKey.parseValue(String(assignment[assignment.index(after: equals)...]))
            patch = ConfigurationKey.setting(key, to: value, in: patch)
        }
        guard patch != .object([:]) else { throw CLIError.usage("nothing to change: give key=value pairs or -f FILE") }
        let updated = try await context.client().config.patch(patch)
        if context.output.format == .json {
            context.console.writeLine(try context.output.json(updated))
        } else if !context.output.isQuiet {
            let changed = ConfigurationKey.flatten(patch).map(\.key)
            let values = try JSONValue(encoding: updated)
            for key in changed {
                let value = ConfigurationKey.value(at: key, in: values).map(ConfigurationKey.display) ?? "(removed)"
                context.console.writeLine("\(key) = \(value)")
            }
        }
        return ExitCode.success.rawValue
    }

    static func runSchema(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let schema = try await context.client().config.schema()
        context.console.writeLine(try context.output.json(schema))
        return ExitCode.success.rawValue
    }

    private static func readFile(_ path: String) throws(CLIError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .usage("cannot read \(path): \(error.localizedDescription)")
        }
    }
}
