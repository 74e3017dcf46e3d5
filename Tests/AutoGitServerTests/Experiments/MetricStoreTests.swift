import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

@Suite("Metric series files")
struct MetricStoreTests {
    func withStore(_ body: (MetricStore, TemporaryDirectory) async throws -> Void) async throws {
        let directory = TemporaryDirectory("autogit-metrics")
        let io = BlockingIO(name: "test-metrics", laneCount: 2)
        defer { io.shutdown() }
        try await body(try MetricStore(directory: directory.path + "/metrics", io: io), directory)
    }

    @Test("points come back per key in step order, the last value logged at a step winning")
    func replaceAndOrder() async throws {
        try await withStore { store, _ in
            let stamp = Date(timeIntervalSince1970: 1_700_000_000)
            try await store.append(
                [
                    MetricPoint(key: "loss", step: 5, value: 0.5), MetricPoint(key: "loss", step: 1, value: 0.9, timestamp: stamp),
                    MetricPoint(key: "eval/acc", step: 1, value: 0.1),
                ], to: "run-1")
            try await store.append([MetricPoint(key: "loss", step: 5, value: 0.4)], to: "run-1")
            let loss = try await store.points(of: "run-1", key: "loss")
            #expect(loss.map(\.step) == [1, 5] && loss.map(\.value) == [0.9, 0.4])
            #expect(loss.first?.timestamp == stamp)
            #expect(loss.last?.timestamp != nil, "points without a time are stamped on arrival")
            #expect(try await store.keys(of: "run-1") == ["eval/acc", "loss"])
            #expect(try await store.points(of: "run-2", key: "loss").isEmpty)
        }
    }

    @Test("a torn last record is ignored on read and cut off before the next append")
    func tornTail() async throws {
        try await withStore { store, directory in
            try await store.append([MetricPoint(key: "loss", step: 0, value: 1)], to: "run-1")
            let path = directory.path + "/metrics/run-1/" + MetricStore.fileName(for: "loss")
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data([1, 2, 3, 4, 5]))
            try handle.close()
            #expect(try await store.points(of: "run-1", key: "loss").map(\.value) == [1])
            try await store.append([MetricPoint(key: "loss", step: 1, value: 2)], to: "run-1")
            #expect(try await store.points(of: "run-1", key: "loss").map(\.value) == [1, 2])
        }
    }

    @Test("keys of any text get safe file names; removing a run removes its series")
    func namesAndRemoval() async throws {
        try await withStore { store, _ in
            let long = String(repeating: "é", count: 120)
            #expect(MetricStore.fileName(for: "eval/loss") == "eval%2Floss.agm")
            #expect(MetricStore.fileName(for: "../x") == "%2E%2E%2Fx.agm")
            #expect(MetricStore.fileName(for: long).hasPrefix("~"))
            try await store.append([MetricPoint(key: long, step: 0, value: 1), MetricPoint(key: "../x", step: 0, value: 2)], to: "r")
            #expect(try await store.keys(of: "r") == ["../x", long])
            try await store.removeAll(of: "r")
            #expect(try await store.keys(of: "r").isEmpty)
        }
    }

    @Test("a series longer than max_points is downsampled and says so")
    func downsampling() async throws {
        try await withStore { store, _ in
            try await store.append((0..<1000).map { MetricPoint(key: "x", step: $0, value: $0 == 500 ? 99 : 0) }, to: "r")
            let series = try await store.series(of: "r", key: "x", sinceStep: 100, maxPoints: 50)
            #expect(series.downsampled && series.totalPoints == 900 && series.points.count <= 50)
            #expect(series.points.first?.step == 100 && series.points.contains { $0.value == 99 })
        }
    }
}
