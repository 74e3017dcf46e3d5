import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The named server connections in `~/.config/autogit/config.json` (`$XDG_CONFIG_HOME/autogit/config.json` when
/// set): each context is a server URL and, after `autogit login`, a token.
///
/// The file holds tokens, so it is written with mode 0600 (and its folder 0700), atomically: a crash mid-write
/// leaves the old file, never half of one.
struct ConnectionSettings: Codable, Sendable, Hashable {
    /// One saved server.
    struct Context: Codable, Sendable, Hashable {
        var server: String
        var token: String?
    }

    /// The context used when no `--server` or `AUTOGIT_SERVER` says otherwise.
    var currentContext: String?
    var contexts: [String: Context]

    init(currentContext: String? = nil, contexts: [String: Context] = [:]) {
        self.currentContext = currentContext
        self.contexts = contexts
    }

    enum CodingKeys: String, CodingKey {
        case currentContext = "current_context"
        case contexts
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        currentContext = try container.decodeIfPresent(String.self, forKey: .currentContext)
        contexts = try container.decodeIfPresent([String: Context].self, forKey: .contexts) ?? [:]
    }

    /// The current context's name and value, when there is one.
    var current: (name: String, context: Context)? {
        guard let name = currentContext, let context = contexts[name] else { return nil }
        return (name, context)
    }

    /// The settings file for `environment`: under `XDG_CONFIG_HOME`, else `~/.config`.
    static func fileURL(environment: [String: String]) -> URL {
        let base: URL
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            base = URL(fileURLWithPath: xdg, isDirectory: true)
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            base = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".config", isDirectory: true)
        }
        return base.appendingPathComponent("autogit", isDirectory: true).appendingPathComponent("config.json")
    }

    /// The saved settings; empty settings when the file does not exist yet.
    static func load(from url: URL) throws(CLIError) -> ConnectionSettings {
        guard FileManager.default.fileExists(atPath: url.path) else { return ConnectionSettings() }
        do {
            let data = try Data(contentsOf: url)
            return try AutoGitJSON.decode(ConnectionSettings.self, from: data)
        } catch {
            throw .failure("cannot read \(url.path): \(error.localizedDescription); fix or delete the file")
        }
    }

    /// Writes the settings with mode 0600 through a temporary file and a rename.
    func save(to url: URL) throws(CLIError) {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let data = try AutoGitJSON.encode(self, pretty: true) + Data("\n".utf8)
            let temporary = directory.appendingPathComponent(".config.json.\(getpid()).tmp")
            let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            let synced = fsync(descriptor)
            close(descriptor)
            guard written == data.count, synced == 0 else {
                unlink(temporary.path)
                throw POSIXError(.EIO)
            }
            guard rename(temporary.path, url.path) == 0 else {
                unlink(temporary.path)
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw .failure("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
