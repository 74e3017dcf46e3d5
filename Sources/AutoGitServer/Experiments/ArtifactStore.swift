import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Named, versioned artifacts: attributes and versions in the ``DurableStore`` (collection `artifacts`), each
/// version's bytes in `artifacts/<name>/v<N>`.
///
/// An upload checks the size limit and the SHA-256 the client sent (when it sent one), writes the content atomically
/// and synced (temporary file, fdatasync, rename, directory sync), and only then records the version: a version that
/// is listed always has its bytes. A crash between the two leaves an unlisted file that the next upload of the same
/// number replaces. `latest` always points at the newest version; other aliases point where they are set.
///
/// Hashing and file I/O run on ``BlockingIO`` lanes keyed by artifact name, never on the concurrency pool.
actor ArtifactStore {
    /// An artifact as stored: its attributes and every version.
    struct Record: Codable, Sendable {
        var artifact: Artifact
        var versions: [ArtifactVersion]
    }

    /// A version's content to send: the version and where its bytes are.
    struct Content: Sendable {
        var version: ArtifactVersion
        var path: String
        var etag: String { "\"\(version.sha256)\"" }
    }

    static let collection = "artifacts"
    static let latest = "latest"

    let directory: String
    let maxVersionBytes: Int
    private let store: DurableStore
    private let io: BlockingIO
    private let now: @Sendable () -> Date
    private var records: [String: Record]
    /// Version numbers handed to uploads in progress, so two concurrent uploads never take the same one.
    private var nextVersions: [String: Int] = [:]

    init(
        directory: String, store: DurableStore, io: BlockingIO, maxVersionBytes: Int, now: @escaping @Sendable () -> Date = Date.init
    ) throws(ServerError) {
        self.directory = directory
        self.store = store
        self.io = io
        self.maxVersionBytes = maxVersionBytes
        self.now = now
        try FileManager.default.createPrivateDirectory(atPath: directory)
        records = store.decodedValues(in: Self.collection, as: Record.self)
    }

    // MARK: Artifacts

    func list(type: String?, limit: Int, offset: Int) -> Page<Artifact> {
        let matching = records.values.map(\.artifact).filter { type == nil || $0.type == type }.sorted { $0.name < $1.name }
        return ExperimentPaging.page(matching, limit: limit, offset: offset)
    }

    func artifact(_ name: String) throws(ServerError) -> Artifact {
        try record(name).artifact
    }

    /// Registers an artifact without versions; 409 when the name is taken.
    func create(_ artifact: Artifact) async throws(ServerError) -> Artifact {
        try Self.validateName(artifact.name, field: "name")
        try Self.validateType(artifact.type, field: "type")
        guard records[artifact.name] == nil else {
            throw ServerError(
                .conflict, status: 409, "Artifact '\(artifact.name)' already exists", details: ["artifact": .string(artifact.name)])
        }
        let date = now()
        let stored = Artifact(
            name: artifact.name, type: artifact.type, description: artifact.description, latestVersion: nil, versionCount: 0,
            aliases: [:], metadata: artifact.metadata, createdAt: date, updatedAt: date)
        try await save(Record(artifact: stored, versions: []))
        return stored
    }

    // MARK: Versions

    /// Versions, newest first, each with the aliases pointing at it.
    func versions(of name: String, limit: Int, offset: Int) throws(ServerError) -> Page<ArtifactVersion> {
        let record = try record(name)
        let versions = record.versions.sorted { $0.version > $1.version }.map { Self.decorate($0, in: record) }
        return ExperimentPaging.page(versions, limit: limit, offset: offset)
    }

    /// One version by number (`3`, `v3`) or alias.
    func version(_ reference: String, of name: String) throws(ServerError) -> ArtifactVersion {
        let record = try record(name)
        return Self.decorate(try Self.resolve(reference, in: record), in: record)
    }

    /// A version's content location, for downloads.
    func content(_ reference: String, of name: String) throws(ServerError) -> Content {
        let version = try version(reference, of: name)
        return Content(version: version, path: contentPath(name, version.version))
    }

    /// The attributes of a new version.
    struct Upload: Sendable {
        var sha256: String?
        var type: String?
        var aliases: [String] = []
        var metadata: [String: JSONValue] = [:]
        var runID: String?
    }

    /// Stores `content` as the next version of `name` (creating the artifact), verified against `upload.sha256`,
    /// and points `latest` and `upload.aliases` at it.
    func upload(_ content: [UInt8], to name: String, _ upload: Upload) async throws(ServerError) -> ArtifactVersion {
        try Self.validateName(name, field: "name")
        if let type = upload.type { try Self.validateType(type, field: "type") }
        if let expected = upload.sha256, !Self.isSHA256(expected) {
            throw .invalidField("sha256", "must be 64 lowercase hexadecimal digits")
        }
        for (index, alias) in upload.aliases.enumerated() { try Self.validateName(alias, field: "aliases[\(index)]") }
        guard content.count <= maxVersionBytes else { throw tooLarge(content.count) }

        let actual = try await io.run(key: name) { () throws(ServerError) -> String in
            var hasher = SHA256()
            content.withUnsafeBytes { hasher.update($0) }
            return hasher.finalizeHex()
        }
        if let expected = upload.sha256, expected != actual {
            throw ServerError(
                .validationFailed, status: 422, "sha256: the content's SHA-256 is \(actual), not \(expected); nothing was stored",
                details: ["field": "sha256", "expected": .string(expected), "actual": .string(actual)])
        }
        // The number is taken only once the content is known good, so a refused upload leaves no gap.
        let number = nextVersions[name] ?? ((records[name]?.versions.map(\.version).max() ?? 0) + 1)
        nextVersions[name] = number + 1
        let path = contentPath(name, number)
        let folder = directory + "/" + name
        let root = directory
        try await io.run(key: name) { () throws(ServerError) in
            if !FileManager.default.fileExists(atPath: folder) {
                try FileManager.default.createPrivateDirectory(atPath: folder)
                DurableFile.syncDirectory(root)
            }
            try DurableFile.writeAtomically(content, to: path)
        }

        let date = now()
        var record =
            records[name]
            ?? Record(
                artifact: Artifact(name: name, type: upload.type ?? "model", createdAt: date, updatedAt: date), versions: [])
        let version = ArtifactVersion(
            name: name, type: record.artifact.type, version: number, sizeBytes: Int64(content.count), sha256: actual,
            metadata: upload.metadata, runID: upload.runID, createdAt: date)
        record.versions.append(version)
        let newest = record.versions.map(\.version).max() ?? number
        record.artifact.aliases[Self.latest] = newest
        for alias in upload.aliases where alias != Self.latest { record.artifact.aliases[alias] = number }
        record.artifact.latestVersion = newest
        record.artifact.versionCount = record.versions.count
        record.artifact.updatedAt = date
        try await save(record)
        return Self.decorate(version, in: record)
    }

    /// Points `alias` at `version` (a number or `v3`); `latest` is the server's (409).
    func setAlias(_ alias: String, of name: String, to reference: String) async throws(ServerError) -> ArtifactVersion {
        try Self.validateName(alias, field: "alias")
        guard alias != Self.latest else {
            throw ServerError(
                .conflict, status: 409, "'latest' always points at the newest version and cannot be set",
                details: ["alias": .string(alias)])
        }
        var record = try record(name)
        guard let number = Self.versionNumber(reference) else {
            throw .invalidField("version", "must be a version number (3) or label (v3)")
        }
        guard let version = record.versions.first(where: { $0.version == number }) else {
            throw ServerError(
                .artifactNotFound, status: 404, "Artifact '\(name)' has no version v\(number)",
                details: ["artifact": .string(name), "version": .string("v\(number)")])
        }
        record.artifact.aliases[alias] = number
        record.artifact.updatedAt = now()
        try await save(record)
        return Self.decorate(version, in: record)
    }

    /// Removes the link from versions to a purged run.
    func forgetRun(_ runID: String) async throws(ServerError) {
        for var record in records.values where record.versions.contains(where: { $0.runID == runID }) {
            for index in record.versions.indices where record.versions[index].runID == runID { record.versions[index].runID = nil }
            try await save(record)
        }
    }

    /// Reads `range` (or everything) of a version's bytes on the I/O threads.
    func read(_ content: Content, range: ClosedRange<Int64>?) async throws(ServerError) -> [UInt8] {
        let path = content.path
        return try await io.run(key: content.version.name) { () throws(ServerError) -> [UInt8] in
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw .storeUnavailable("cannot open \(path)")
            }
            defer { try? handle.close() }
            do {
                guard let range else { return Array(try handle.readToEnd() ?? Data()) }
                try handle.seek(toOffset: UInt64(range.lowerBound))
                return Array(try handle.read(upToCount: Int(range.upperBound - range.lowerBound + 1)) ?? Data())
            } catch {
                throw .storeUnavailable("cannot read \(path): \(error.localizedDescription)")
            }
        }
    }

    func tooLarge(_ size: Int) -> ServerError {
        ServerError(
            .payloadTooLarge, status: 413, "The artifact content (\(size) bytes) exceeds the limit of \(maxVersionBytes) bytes",
            details: ["limit_bytes": .number(Double(maxVersionBytes))])
    }

    // MARK: Helpers

    private func record(_ name: String) throws(ServerError) -> Record {
        guard let record = records[name] else {
            throw ServerError(.artifactNotFound, status: 404, "Artifact '\(name)' not found", details: ["artifact": .string(name)])
        }
        return record
    }

    private func save(_ record: Record) async throws(ServerError) {
        records[record.artifact.name] = record
        let change: StoreChange
        do {
            change = try StoreChange.put(Self.collection, record.artifact.name, record)
        } catch {
            throw ServerError(.internalError, status: 500, "Could not encode artifact '\(record.artifact.name)'")
        }
        try await store.commit(change)
    }

    private func contentPath(_ name: String, _ version: Int) -> String {
        directory + "/" + name + "/v\(version)"
    }

    private static func resolve(_ reference: String, in record: Record) throws(ServerError) -> ArtifactVersion {
        let number = record.artifact.aliases[reference] ?? versionNumber(reference)
        guard let number, let version = record.versions.first(where: { $0.version == number }) else {
            throw ServerError(
                .artifactNotFound, status: 404, "Artifact '\(record.artifact.name)' has no version or alias '\(reference)'",
                details: ["artifact": .string(record.artifact.name), "version": .string(reference)])
        }
        return version
    }

    static func versionNumber(_ text: String) -> Int? {
        let digits = text.hasPrefix("v") ? String(text.dropFirst()) : text
        guard let number = Int(digits), number >= 1 else { return nil }
        return number
    }

    private static func decorate(_ version: ArtifactVersion, in record: Record) -> ArtifactVersion {
        var version = version
        version.type = record.artifact.type
        version.aliases = record.artifact.aliases.filter { $0.value == version.version }.map(\.key).sorted()
        return version
    }

    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    static func validateName(_ name: String, field: String) throws(ServerError) {
        let scalars = name.unicodeScalars
        guard let first = scalars.first, name.utf8.count <= 128,
            first.isASCII && CharacterSet.alphanumerics.contains(first),
            scalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) })
        else {
            throw .invalidField(field, "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
    }

    static func validateType(_ type: String, field: String) throws(ServerError) {
        if type.trimmingCharacters(in: .whitespaces).isEmpty || type.count > 64 {
            throw .invalidField(field, "must be 1-64 characters")
        }
    }
}
