import Testing

@testable import AutoGitServer

@Suite("Journal records")
struct JournalRecordTests {
    @Test("CRC-32 matches the IEEE check value for \"123456789\"")
    func crcCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test("puts and deletes survive encoding and reading back")
    func roundTrip() {
        let records = [
            JournalRecord(sequence: 1, collection: "runners", key: "r1", value: Array(#"{"name":"a"}"#.utf8)),
            JournalRecord(sequence: 2, collection: "jobs", key: "ключ-✓", value: []),
            JournalRecord(sequence: 3, collection: "runners", key: "r1", value: nil),
        ]
        var bytes: [UInt8] = []
        for record in records { record.encode(into: &bytes) }
        let result = JournalRecord.readAll(from: bytes)
        #expect(result.records == records)
        #expect(result.validLength == bytes.count)
        #expect(result.problem == nil)
    }

    @Test("a record cut anywhere is reported as torn, keeping the records before it")
    func tornAtEveryOffset() {
        var bytes: [UInt8] = []
        JournalRecord(sequence: 1, collection: "c", key: "a", value: Array("first".utf8)).encode(into: &bytes)
        let firstLength = bytes.count
        JournalRecord(sequence: 2, collection: "c", key: "b", value: Array("second".utf8)).encode(into: &bytes)
        for cut in firstLength + 1..<bytes.count {
            let result = JournalRecord.readAll(from: Array(bytes[..<cut]))
            #expect(result.records.count == 1)
            #expect(result.validLength == firstLength)
            #expect(result.problem != nil)
        }
    }

    @Test("a flipped bit fails the checksum")
    func flippedBit() {
        var bytes: [UInt8] = []
        JournalRecord(sequence: 7, collection: "c", key: "k", value: Array("value".utf8)).encode(into: &bytes)
        bytes[bytes.count - 2] ^= 0x10
        let result = JournalRecord.readAll(from: bytes)
        #expect(result.records.isEmpty)
        #expect(result.problem?.contains("checksum") == true)
    }

    @Test("an absurd length is corruption, not an allocation")
    func absurdLength() {
        let bytes: [UInt8] = [0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0, 1, 2, 3]
        let result = JournalRecord.readAll(from: bytes)
        #expect(result.records.isEmpty)
        #expect(result.validLength == 0)
    }
}
