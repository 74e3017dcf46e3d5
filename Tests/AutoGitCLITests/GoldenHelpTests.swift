import Foundation
import Testing

@testable import autogit

/// `--help` of every command, compared with the files in `Golden/help/` (one per command, named by its words).
///
/// A change to a declaration changes its help; review the new text and write the files again with
/// `AUTOGIT_UPDATE_GOLDEN=1 swift test --filter GoldenHelpTests`.
@Suite("Golden help output")
struct GoldenHelpTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/help")

    /// Every visible command path, `autogit` itself included.
    static let commands: [[String]] = [[]] + AutoGitCommands.root.descendants().map { path in path.dropFirst().map(\.name) }

    static func fileName(_ words: [String]) -> String {
        (["autogit"] + words).joined(separator: "-") + ".txt"
    }

    @Test("every command's --help matches its golden file", arguments: commands)
    func help(_ words: [String]) async throws {
        let result = await runAutoGit(words + ["--help"], width: 100)
        #expect(result.status == 0)
        #expect(result.error.isEmpty)
        let file = Self.directory.appendingPathComponent(Self.fileName(words))
        if ProcessInfo.processInfo.environment["AUTOGIT_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try result.output.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let golden = try? String(contentsOf: file, encoding: .utf8)
        #expect(golden != nil, "no golden file \(file.lastPathComponent); write it with AUTOGIT_UPDATE_GOLDEN=1")
        #expect(result.output == golden, "\(file.lastPathComponent) differs from the help printed now")
    }

    @Test("no golden file is left for a command that no longer exists")
    func noStaleFiles() throws {
        let expected = Set(Self.commands.map(Self.fileName))
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".txt") })
        #expect(present.subtracting(expected).isEmpty, "stale: \(present.subtracting(expected).sorted())")
    }
}
