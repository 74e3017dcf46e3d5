/// One change in the journal: `value` stored under `key` in `collection`, or the key removed when `value` is nil.
///
/// On disk a record is framed as `length (u32 LE) | crc32 (u32 LE) | payload`, and the payload is
/// `sequence (u64 LE) | kind (u8: 1 put, 2 delete) | collection length (u16 LE) | collection | key length (u32 LE)
/// | key | value bytes`. Snapshots are files of such records too, one put per live key.
struct JournalRecord: Sendable, Equatable {
    var sequence: UInt64
    var collection: String
    var key: String
    var value: [UInt8]?

    static let frameHeaderSize = 8
    /// A record longer than this is treated as corruption rather than allocated.
    static let maximumPayloadSize = 256 * 1024 * 1024

    /// Appends the framed record to `buffer`.
    func encode(into buffer: inout [UInt8]) {
        var payload: [UInt8] = []
        let collectionBytes = Array(collection.utf8)
        let keyBytes = Array(key.utf8)
        payload.reserveCapacity(8 + 1 + 2 + collectionBytes.count + 4 + keyBytes.count + (value?.count ?? 0))
        payload.appendLittleEndian(sequence)
        payload.append(value == nil ? 2 : 1)
        payload.appendLittleEndian(UInt16(truncatingIfNeeded: collectionBytes.count))
        payload.append(contentsOf: collectionBytes)
        payload.appendLittleEndian(UInt32(truncatingIfNeeded: keyBytes.count))
        payload.append(contentsOf: keyBytes)
        if let value { payload.append(contentsOf: value) }
        buffer.appendLittleEndian(UInt32(payload.count))
        buffer.appendLittleEndian(CRC32.checksum(payload))
        buffer.append(contentsOf: payload)
    }

    /// The result of reading records from the bytes of one file.
    struct ReadResult {
        var records: [JournalRecord]
        /// Bytes of well-formed records from the start of the file; what follows is torn or corrupt.
        var validLength: Int
        /// Why reading stopped before the end, if it did.
        var problem: String?
    }

    /// Reads framed records from `bytes` until the end or the first record that is incomplete or fails its check.
    static func readAll(from bytes: [UInt8]) -> ReadResult {
        var records: [JournalRecord] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= frameHeaderSize else {
                return ReadResult(records: records, validLength: offset, problem: "incomplete record header at byte \(offset)")
            }
            let length = Int(bytes.readLittleEndian(UInt32.self, at: offset))
            let checksum = bytes.readLittleEndian(UInt32.self, at: offset + 4)
            let start = offset + frameHeaderSize
            guard length <= maximumPayloadSize, length <= bytes.count - start else {
                return ReadResult(records: records, validLength: offset, problem: "incomplete record at byte \(offset)")
            }
            let payload = bytes[start..<start + length]
            guard CRC32.checksum(payload) == checksum, let record = decodePayload(payload) else {
                return ReadResult(records: records, validLength: offset, problem: "checksum mismatch at byte \(offset)")
            }
            records.append(record)
            offset = start + length
        }
        return ReadResult(records: records, validLength: offset, problem: nil)
    }

    private static func decodePayload(_ payload: ArraySlice<UInt8>) -> JournalRecord? {
        var cursor = payload.startIndex
        func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard payload.endIndex - cursor >= count else { return nil }
            defer { cursor += count }
            return payload[cursor..<cursor + count]
        }
        guard let sequenceBytes = take(8), let kind = take(1)?.first, kind == 1 || kind == 2,
            let collectionLengthBytes = take(2)
        else { return nil }
        let sequence = Array(sequenceBytes).readLittleEndian(UInt64.self, at: 0)
        let collectionLength = Int(Array(collectionLengthBytes).readLittleEndian(UInt16.self, at: 0))
        guard let collection = take(collectionLength), let keyLengthBytes = take(4) else { return nil }
        let keyLength = Int(Array(keyLengthBytes).readLittleEndian(UInt32.self, at: 0))
        guard let key = take(keyLength) else { return nil }
        let rest = Array(payload[cursor...])
        return JournalRecord(
            sequence: sequence, collection: String(decoding: collection, as: UTF8.self),
            key: String(decoding: key, as: UTF8.self), value: kind == 1 ? rest : nil)
    }
}

extension [UInt8] {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    func readLittleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        var value: T = 0
        for index in 0..<MemoryLayout<T>.size {
            value |= T(self[offset + index]) << (8 * index)
        }
        return value
    }
}
