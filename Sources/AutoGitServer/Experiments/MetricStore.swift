import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs' metric series as append-only files, one per run and key: `metrics/<run id>/<key>.agm`.
///
/// A file starts with a header (`AGM1`, the key's UTF-8 length as a little-endian `UInt32`, the key) followed by
/// fixed 24-byte records: step (`Int64`), value (`Float64`), timestamp (`Float64` seconds since 1970, NaN for none),
/// all little-endian. An append writes the new records and syncs each file it touched before returning, so points
/// answered 2xx survive `kill -9`. A torn last record (a crash mid-write, never acknowledged) is ignored on read and
/// cut off before the next append. Logging a step again appends a record; reading keeps the last value per step,
/// which is how a retried batch or a corrected value replaces the old one without rewriting the file.
///
/// Every file operation runs on ``BlockingIO`` lanes keyed by run, never on the concurrency pool: appends to one
/// run are serialised, different runs proceed in parallel.
final class MetricStore: Sendable {
    let directory: String
    private let io: BlockingIO

    /// The longest metric key, in UTF-8 bytes.
    static let maximumKeyLength = 256
    static let recordSize = 24
    private static let magic: [UInt8] = Array("AGM1".utf8)

    init(directory: String, io: BlockingIO) throws(ServerError) {
        self.directory = directory
        self.io = io
        try FileManager.default.createPrivateDirectory(atPath: directory)
    }

    // MARK: Writing

    /// Appends `points` to `runID`'s series; returns once they are synced to disk. Points without a timestamp are
    /// stamped `now`.
    func append(_ points: [MetricPoint], to runID: String, now: Date = Date()) async throws(ServerError) {
        guard !points.isEmpty else { return }
        var byKey: [String: [UInt8]] = [:]
        for point in points {
            Self.encode(point, stamp: now, into: &byKey[point.key, default: []])
        }
        let grouped = byKey
        let directory = runDirectory(runID)
        try await io.run(key: runID) { () throws(ServerError) in
            var created = false
            if !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createPrivateDirectory(atPath: directory)
                DurableFile.syncDirectory(self.directory)
                created = true
            }
            for (key, records) in grouped.sorted(by: { $0.key < $1.key }) {
                let path = directory + "/" + Self.fileName(for: key)
                if try Self.prepare(path, key: key) { created = true }
                let file = try DurableFile(appendingTo: path)
                try file.write(records)
                try file.sync()
            }
            if created { DurableFile.syncDirectory(directory) }
        }
    }

    /// Removes every series of `runID` (a run purged for good).
    func removeAll(of runID: String) async throws(ServerError) {
        let directory = runDirectory(runID)
        try await io.run(key: runID) { () throws(ServerError) in
            guard FileManager.default.fileExists(atPath: directory) else { return }
            do {
                try FileManager.default.removeItem(atPath: directory)
            } catch {
                throw .storeUnavailable("cannot remove \(directory): \(error.localizedDescription)")
            }
            DurableFile.syncDirectory(self.directory)
        }
    }

    // MARK: Reading

    /// One series of `runID`, in step order with the last value per step, from `sinceStep` on, downsampled to at
    /// most `maxPoints` with the extremes kept.
    func series(of runID: String, key: String, sinceStep: Int? = nil, maxPoints: Int? = nil) async throws(ServerError) -> RunMetricSeries {
        var points = try await points(of: runID, key: key)
        if let sinceStep { points.removeAll { $0.step < sinceStep } }
        let total = points.count
        guard let maxPoints, total > maxPoints else {
            return RunMetricSeries(runID: runID, key: key, points: points, totalPoints: total, downsampled: false)
        }
        let sampled = MetricDownsampler.downsample(points, maxPoints: maxPoints)
        return RunMetricSeries(runID: runID, key: key, points: sampled, totalPoints: total, downsampled: true)
    }

    /// Every stored point of one series, in step order, the last value per step.
    func points(of runID: String, key: String) async throws(ServerError) -> [MetricPoint] {
        let path = runDirectory(runID) + "/" + Self.fileName(for: key)
        return try await io.run(key: runID) { () throws(ServerError) in
            guard let data = FileManager.default.contents(atPath: path) else { return [] }
            return Self.decode(Array(data), key: key)
        }
    }

    /// The keys `runID` has series for, sorted.
    func keys(of runID: String) async throws(ServerError) -> [String] {
        let directory = runDirectory(runID)
        return try await io.run(key: runID) { () throws(ServerError) in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.filter { $0.hasSuffix(".agm") }.compactMap { Self.readKey(at: directory + "/" + $0) }.sorted()
        }
    }

    /// Every series of `runID` (or only `keys`), for comparisons.
    func allSeries(of runID: String, keys wanted: [String]? = nil) async throws(ServerError) -> [String: [MetricPoint]] {
        var keys = wanted ?? []
        if wanted == nil { keys = try await self.keys(of: runID) }
        var result: [String: [MetricPoint]] = [:]
        for key in keys {
            let points = try await points(of: runID, key: key)
            if !points.isEmpty { result[key] = points }
        }
        return result
    }

    // MARK: Files

    private func runDirectory(_ runID: String) -> String {
        let safe = runID.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" }
        return directory + "/" + (safe.isEmpty ? "_" : String(safe))
    }

    /// `<percent-encoded key>.agm`; keys whose encoding would be too long for a file name use their SHA-256.
    static func fileName(for key: String) -> String {
        var name = ""
        for byte in key.utf8 {
            let isPlain =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
                || byte == 0x2D
            name += isPlain ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }
        if name.utf8.count > 200 { name = "~" + SHA256.hash(Array(key.utf8)).map { String(format: "%02x", $0) }.joined() }
        return name + ".agm"
    }

    private static func header(for key: String) -> [UInt8] {
        let keyBytes = Array(key.utf8)
        let length = UInt32(keyBytes.count)
        return magic + [UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), UInt8((length >> 16) & 0xFF), UInt8(length >> 24)]
            + keyBytes
    }

    /// Makes `path` ready for appending: writes its header atomically when it does not exist, and cuts a torn tail
    /// back to the last whole record. Returns whether the file was created.
    private static func prepare(_ path: String, key: String) throws(ServerError) -> Bool {
        let header = header(for: key)
        var info = stat()
        guard stat(path, &info) == 0 else {
            try DurableFile.writeAtomically(header, to: path)
            return true
        }
        let size = Int(info.st_size)
        if size < header.count {
            // The header itself is torn (cannot happen with the atomic write, but never append after garbage).
            try DurableFile.writeAtomically(header, to: path)
            return true
        }
        let whole = header.count + (size - header.count) / recordSize * recordSize
        if whole != size { try DurableFile.truncate(path, to: whole) }
        return false
    }

    private static func readKey(at path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 8), head.count == 8, Array(head.prefix(4)) == magic else { return nil }
        let length = Int(head[4]) | Int(head[5]) << 8 | Int(head[6]) << 16 | Int(head[7]) << 24
        guard length <= 4096, let keyBytes = try? handle.read(upToCount: length), keyBytes.count == length else { return nil }
        return String(decoding: keyBytes, as: UTF8.self)
    }

    static func encode(_ point: MetricPoint, stamp: Date, into bytes: inout [UInt8]) {
        let timestamp = (point.timestamp ?? stamp).timeIntervalSince1970
        for word in [UInt64(bitPattern: Int64(point.step)), point.value.bitPattern, timestamp.bitPattern] {
            let little = word.littleEndian
            withUnsafeBytes(of: little) { bytes.append(contentsOf: $0) }
        }
    }

    /// The points of a file's bytes: the last value per step, in step order; a torn tail is ignored.
    static func decode(_ data: [UInt8], key: String) -> [MetricPoint] {
        guard data.count >= 8, Array(data.prefix(4)) == magic else { return [] }
        let length = Int(data[4]) | Int(data[5]) << 8 | Int(data[6]) << 16 | Int(data[7]) << 24
        let start = 8 + length
        guard data.count >= start else { return [] }
        let count = (data.count - start) / recordSize
        var latest: [Int: Int] = [:]
        latest.reserveCapacity(count)
        var points: [MetricPoint] = []
        points.reserveCapacity(count)
        data.withUnsafeBytes { raw in
            for index in 0..<count {
                let offset = start + index * recordSize
                let step = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
                let value = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
                let seconds = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)))
                let point = MetricPoint(
                    key: key, step: step, value: value, timestamp: seconds.isNaN ? nil : Date(timeIntervalSince1970: seconds))
                if let earlier = latest[step] {
                    points[earlier] = point
                } else {
                    latest[step] = points.count
                    points.append(point)
                }
            }
        }
        if !zip(points, points.dropFirst()).allSatisfy({ $0.step <= $1.step }) {
            points.sort { $0.step < $1.step }
        }
        return points
    }
}
