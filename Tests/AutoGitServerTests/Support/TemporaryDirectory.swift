import Foundation

/// A fresh directory under the system's temporary folder, removed when the test's scope ends.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "autogit-test") {
        path = NSTemporaryDirectory() + "/\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}
