import Foundation

/// A fresh directory under the system's temporary folder, removed by ``remove()`` or, at the latest, when the test
/// that made it lets go of it (also when the test failed half-way).
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(_ prefix: String = "autogit-fleeting") throws {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // Remote test users and Slurm jobs read scripts from here.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        path = url.path
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Writes an executable script and returns its path.
    @discardableResult
    public func script(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target)
        return target
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    deinit { remove() }
}
