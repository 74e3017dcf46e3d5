import AutoGitCore
import Foundation
import Synchronization
import Testing

@testable import AutoGitServer

@Suite("Durable store")
struct DurableStoreTests {
    private func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    @Test("committed puts and deletes are there after reopening")
    func reopen() async throws {
        let directory = TemporaryDirectory()
        do {
            let store = try DurableStore(directory: directory.path)
            try await store.commit(.put("runners", "r1", bytes: Array("one".utf8)))
            try await store.commit([.put("runners", "r2", bytes: Array("two".utf8)), .put("jobs", "j1", bytes: [1, 2])])
            try await store.commit(.delete("runners", "r1"))
            #expect(store.value(in: "runners", key: "r1") == nil)
            await store.close()
        }
        let reopened = try DurableStore(directory: directory.path)
        #expect(reopened.value(in: "runners", key: "r1") == nil)
        #expect(text(reopened.value(in: "runners", key: "r2")) == "two")
        #expect(reopened.value(in: "jobs", key: "j1") == [1, 2])
        #expect(reopened.values(in: "runners").count == 1)
        await reopened.close()
    }

    @Test("typed values round-trip as AutoGit JSON")
    func typedValues() async throws {
        let directory = TemporaryDirectory()
        let store = try DurableStore(directory: directory.path)
        let spec = JobSpec(name: "train", steps: [JobStep(name: "run", run: "python train.py")])
        try await store.commit(try .put("specs", "s1", spec))
        let decoded = store.decodedValues(in: "specs", as: JobSpec.self)
        #expect(decoded["s1"] == spec)
        await store.close()
    }

    @Test("a thousand concurrent commits are all durable, in fewer syncs than commits")
    func groupCommit() async throws {
        let directory = TemporaryDirectory()
        let store = try DurableStore(directory: directory.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<1000 {
                group.addTask { try await store.commit(.put("jobs", "j\(index)", bytes: Array("\(index)".utf8))) }
            }
            try await group.waitForAll()
        }
        let statistics = store.statistics
        #expect(statistics.commits == 1000)
        #expect(statistics.syncs <= 1000)
        await store.close()
        let reopened = try DurableStore(directory: directory.path)
        let values = reopened.values(in: "jobs")
        #expect(values.count == 1000)
        #expect(text(values["j999"]) == "999")
        await reopened.close()
    }

    @Test("a torn last record is dropped with a warning and the rest is kept")
    func tornTail() async throws {
        let directory = TemporaryDirectory()
        do {
            let store = try DurableStore(directory: directory.path)
            try await store.commit(.put("c", "kept", bytes: Array("yes".utf8)))
            await store.close()
        }
        let segment = try #require(directory.files().first { $0.hasPrefix("journal-") })
        var torn: [UInt8] = []
        JournalRecord(sequence: 2, collection: "c", key: "torn", value: Array("half-written".utf8)).encode(into: &torn)
        let handle = try #require(FileHandle(forWritingAtPath: directory.path + "/" + segment))
        handle.seekToEndOfFile()
        handle.write(Data(torn.prefix(torn.count - 5)))
        try handle.close()

        let warnings = Mutex<[String]>([])
        var options = DurableStore.Options()
        options.log = { message in warnings.withLock { $0.append(message) } }
        let reopened = try DurableStore(directory: directory.path, options: options)
        #expect(text(reopened.value(in: "c", key: "kept")) == "yes")
        #expect(reopened.value(in: "c", key: "torn") == nil)
        #expect(warnings.withLock { $0.contains { $0.contains("torn") } })
        // Writing goes on after the cut, and the next start sees no damage.
        try await reopened.commit(.put("c", "after", bytes: [9]))
        await reopened.close()
        warnings.withLock { $0.removeAll() }
        let again = try DurableStore(directory: directory.path, options: options)
        #expect(again.value(in: "c", key: "after") == [9])
        #expect(warnings.withLock { $0.isEmpty })
        await again.close()
    }

    @Test("damage before the last segment stops the start instead of losing data")
    func corruptionRefusesToStart() async throws {
        let directory = TemporaryDirectory()
        do {
            let store = try DurableStore(directory: directory.path)
            try await store.commit(.put("c", "a", bytes: Array("first segment".utf8)))
            await store.close()
        }
        do {
            let store = try DurableStore(directory: directory.path)
            try await store.commit(.put("c", "b", bytes: Array("second segment".utf8)))
            await store.close()
        }
        let segments = directory.files().filter { $0.hasPrefix("journal-") }
        #expect(segments.count == 2)
        let first = directory.path + "/" + segments[0]
        var bytes = try #require(FileManager.default.contents(atPath: first))
        bytes[bytes.count - 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: first))
        #expect {
            _ = try DurableStore(directory: directory.path)
        } throws: { error in
            (error as? ServerError)?.code == .storeCorrupted
        }
    }

    @Test("compaction writes a snapshot, removes covered segments and keeps every value")
    func compaction() async throws {
        let directory = TemporaryDirectory()
        var options = DurableStore.Options()
        options.compactionThreshold = 4096
        do {
            let store = try DurableStore(directory: directory.path, options: options)
            for round in 0..<5 {
                for index in 0..<100 {
                    try await store.commit(.put("jobs", "j\(index)", bytes: Array("round \(round)".utf8)))
                }
                try await store.commit(.delete("jobs", "j\(round)"))
            }
            // The snapshot thread runs beside the writer; wait for it before looking at the files.
            for _ in 0..<200 where store.statistics.snapshots == 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(store.statistics.snapshots >= 1)
            await store.close()
        }
        let files = directory.files()
        #expect(files.filter { $0.hasPrefix("snapshot-") }.count == 1)
        #expect(files.filter { $0.hasPrefix("journal-") }.count <= 2)
        let reopened = try DurableStore(directory: directory.path, options: options)
        let values = reopened.values(in: "jobs")
        // Each round rewrote every key and then deleted one; only the last round's deletion stands.
        #expect(values.count == 99)
        #expect(text(values["j0"]) == "round 4")
        #expect(values["j4"] == nil)
        await reopened.close()
    }

    @Test("a closed store refuses commits with STORE_UNAVAILABLE")
    func closedRefuses() async throws {
        let directory = TemporaryDirectory()
        let store = try DurableStore(directory: directory.path)
        await store.close()
        await #expect {
            try await store.commit(.put("c", "k", bytes: [1]))
        } throws: { error in
            (error as? ServerError)?.code == .storeUnavailable
        }
    }

    @Test("the data directory is private to its owner")
    func privateDirectory() throws {
        let parent = TemporaryDirectory()
        let path = parent.path + "/data/nested"
        _ = try DurableStore(directory: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
    }
}
