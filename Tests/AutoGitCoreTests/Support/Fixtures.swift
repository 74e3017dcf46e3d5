import AutoGitCore
import Foundation
import Testing

/// Reads fixture files copied into the test bundle from `Tests/AutoGitCoreTests/Fixtures`.
enum Fixtures {
    static var root: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    static func data(_ path: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(path))
    }

    /// Every fixture file below `directory`, as paths relative to the fixture root.
    static func files(under directory: String) -> [String] {
        let base = root.appendingPathComponent(directory)
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        return enumerator.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "json" }
            .map { directory + "/" + $0.path.dropFirst(base.path.count + 1) }
            .sorted()
    }
}

/// Decodes `data` as `T`, encodes it with AutoGit's encoder, decodes that again, and checks that nothing changed:
/// the second decode equals the first, and encoding is stable.
@discardableResult
func roundTrip<T: Codable & Equatable>(_ type: T.Type, _ data: Data, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    let decoded = try AutoGitJSON.decode(T.self, from: data)
    let encoded = try AutoGitJSON.encode(decoded)
    let again = try AutoGitJSON.decode(T.self, from: encoded)
    #expect(again == decoded, sourceLocation: sourceLocation)
    #expect(try AutoGitJSON.encode(again) == encoded, "encoding is stable", sourceLocation: sourceLocation)
    return decoded
}
