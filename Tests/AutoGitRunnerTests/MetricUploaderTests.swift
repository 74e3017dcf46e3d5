import AutoGitClient
import AutoGitCore
import Foundation
import Synchronization
import Testing

@testable import AutoGitRunner

@Suite("::metric lines become run metric points")
struct MetricUploaderTests {
    final class Received: Sendable {
        let batches = Mutex<[[MetricPoint]]>([])
        let failuresLeft: Atomic<Int>
        let refuses: Bool

        init(failures: Int = 0, refuses: Bool = false) {
            failuresLeft = Atomic(failures)
            self.refuses = refuses
        }

        var points: [MetricPoint] { batches.withLock { $0.flatMap { $0 } } }

        func send(_ points: [MetricPoint]) throws {
            if refuses { throw AutoGitError(kind: .server, code: .authorizationFailed, message: "not yours", status: 403) }
            if failuresLeft.subtract(1, ordering: .relaxed).newValue >= 0 {
                throw AutoGitError(kind: .transport, code: .connectionLost, message: "dropped")
            }
            batches.withLock { $0.append(points) }
        }
    }

    func uploader(_ received: Received) -> MetricUploader {
        var configuration = MetricUploader.Configuration()
        configuration.initialBackoff = .milliseconds(5)
        return MetricUploader(runID: "run-1", configuration: configuration) { points in try received.send(points) }
    }

    @Test("explicit steps are kept; lines without one number each key's points on from its last step")
    func stepNumbering() async {
        let received = Received()
        let metrics = uploader(received)
        metrics.start()
        #expect(metrics.record("::metric loss=0.9 acc=0.1"))
        #expect(metrics.record("::metric loss=0.5 step=10"))
        #expect(metrics.record("  ::metric loss=0.4 lr=1e-3\r"))
        #expect(!metrics.record("epoch 1 done: loss=0.4"))
        #expect(!metrics.record("::metric loss=abc"))
        let summary = await metrics.finish(within: .seconds(60))
        #expect(summary == .init(recorded: 5, sent: 5, lost: 0))
        let points = received.points.map { "\($0.key)@\($0.step)=\($0.value)" }
        #expect(points == ["loss@0=0.9", "acc@0=0.1", "loss@10=0.5", "loss@11=0.4", "lr@0=0.001"])
        #expect(received.points.allSatisfy { $0.timestamp != nil })
    }

    @Test("a failed upload is retried with the same points; a refused run stops the uploads")
    func retries() async {
        let flaky = Received(failures: 2)
        let metrics = uploader(flaky)
        metrics.start()
        for step in 0..<100 { metrics.record("::metric loss=\(Double(step)) step=\(step)") }
        #expect(await metrics.finish(within: .seconds(60)).sent == 100)
        #expect(flaky.points.map(\.step) == Array(0..<100))

        let refused = Received(refuses: true)
        let stopped = uploader(refused)
        stopped.start()
        stopped.record("::metric loss=1 step=0")
        let summary = await stopped.finish(within: .seconds(60))
        #expect(summary.sent == 0 && summary.lost == 1)
    }
}
