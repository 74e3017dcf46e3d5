import AutoGitClient
import AutoGitCore
import Foundation

/// `autogit artifacts …`: versioned files such as models and datasets.
enum ArtifactsCommand {
    static let artifactName = ArgumentSpec("name", help: "The artifact's name")

    static let spec = CommandSpec(
        "artifacts", abstract: "Store and fetch versioned files such as models and datasets",
        discussion: """
            Each upload of an artifact is a new version (v1, v2, …) checked against its SHA-256 on arrival; \
            aliases such as latest and best point at versions.
            """,
        subcommands: [list, versions, upload, download])

    static let list = CommandSpec(
        "list", abstract: "List artifacts", aliases: ["ls"],
        options: [.value("type", valueName: "type", help: "Only artifacts of this type, such as model")], run: runList)

    static let versions = CommandSpec(
        "versions", abstract: "List an artifact's versions", arguments: [artifactName], run: runVersions)

    static let upload = CommandSpec(
        "upload", abstract: "Upload a file as the artifact's next version",
        arguments: [artifactName, ArgumentSpec("file", help: "The file to upload (- for standard input)")],
        options: [
            .value("type", valueName: "type", help: "The artifact's type, for a new artifact", defaultValue: "model"),
            .repeatable("alias", valueName: "alias", help: "An alias to point at the new version, such as best"),
            .value("run", valueName: "id", help: "The run that produced it"),
            .repeatable("meta", valueName: "key=value", help: "Metadata to store with the version"),
        ],
        examples: [.init("autogit artifacts upload resnet ./model.safetensors --alias best --run run_42", "A model from a run")],
        run: runUpload)

    static let download = CommandSpec(
        "download", abstract: "Download a version of an artifact", arguments: [artifactName],
        options: [
            .value("version", valueName: "version", help: "A number, v3, or an alias", defaultValue: "latest"),
            .value("file", short: "f", valueName: "path", help: "Where to write it (- for standard output; default: the artifact's name)"),
        ],
        run: runDownload)

    static func runList(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let type = arguments.value("type")
        let page = try await PageFetcher.fetch(limit: nil) { limit, offset in
            try await client.experiments.artifactsPage(type: type, limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.name)) {
            Table(
                columns: [
                    .init("name"), .init("type"), .init("latest"), .init("versions", alignment: .right), .init("aliases"), .init("updated"),
                ],
                rows: page.items.map { artifact in
                    [
                        Table.Cell(artifact.name), Table.Cell(artifact.type), Table.Cell(artifact.latestVersion.map { "v\($0)" } ?? "-"),
                        Table.Cell(String(artifact.versionCount)),
                        Table.Cell(output.list(artifact.aliases.sorted { $0.key < $1.key }.map { "\($0.key)=v\($0.value)" })),
                        Table.Cell(output.time(artifact.updatedAt ?? artifact.createdAt)),
                    ]
                })
        }
        return ExitCode.success.rawValue
    }

    static func runVersions(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let name = try arguments.required("name")
        let page = try await PageFetcher.fetch(limit: nil) { limit, offset in
            try await client.experiments.versionsPage(of: name, limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.label)) { output.versionTable(page.items) }
        return ExitCode.success.rawValue
    }

    static func runUpload(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let name = try arguments.required("name")
        let path = try arguments.required("file")
        let content: Data
        if path == "-" {
            content = Data(context.console.readInput())
        } else {
            do {
                content = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw CLIError.usage("cannot read \(path): \(error.localizedDescription)")
            }
        }
        let metadata = try arguments.environment("meta").mapValues { ConfigurationKey.parseValue($0) }
        let version = try await context.client().experiments.uploadVersion(
            of: name, content: content, type: arguments.value("type"), aliases: try arguments.commaSeparated("alias"),
            metadata: metadata.isEmpty ? nil : metadata, runID: arguments.value("run"))
        try context.output.renderAction(
            version, id: version.label,
            message: "Uploaded \(name) \(version.label) (\(version.sizeBytes) bytes, sha256 \(version.sha256.prefix(12))…).")
        return ExitCode.success.rawValue
    }

    static func runDownload(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let name = try arguments.required("name")
        let download = try await context.client().experiments.download(name, version: arguments.value("version") ?? "latest")
        let destination = arguments.value("file") ?? name
        if destination == "-" {
            // Bytes, not text: straight to the descriptor, past the console's string writer.
            FileHandle.standardOutput.write(download.content)
            return ExitCode.success.rawValue
        }
        do {
            try download.content.write(to: URL(fileURLWithPath: destination), options: .atomic)
        } catch {
            throw CLIError.failure("cannot write \(destination): \(error.localizedDescription)")
        }
        if !context.output.isQuiet {
            context.console.writeErrorLine("Wrote \(download.content.count) bytes to \(destination).")
        }
        return ExitCode.success.rawValue
    }
}
