import Foundation
import Testing

@testable import AutoGitCore

@Suite("experiment logic: downsampling, metric lines, comparison")
struct ExperimentLogicTests {
    @Test("100,000 points downsample to at most max_points, in step order, keeping the ends and every spike")
    func downsampleKeepsExtremes() {
        var points = (0..<100_000).map { MetricPoint(key: "loss", step: $0, value: 2.0 / Double($0 + 1) + 0.01) }
        points[31_337].value = 50  // a spike
        points[77_777].value = -3  // a dip
        for maxPoints in [4, 100, 500, 2001] {
            let result = MetricDownsampler.downsample(points, maxPoints: maxPoints)
            #expect(result.count <= maxPoints)
            #expect(result.count >= maxPoints - 2)
            #expect(result.first == points.first && result.last == points.last)
            #expect(zip(result, result.dropFirst()).allSatisfy { $0.step < $1.step })
            #expect(result.contains { $0.step == 31_337 && $0.value == 50 })
            #expect(result.contains { $0.step == 77_777 && $0.value == -3 })
        }
    }

    @Test("a series that fits is returned as is; tiny limits and unsorted input are handled")
    func downsampleEdges() {
        let few = (0..<10).map { MetricPoint(key: "k", step: $0, value: Double($0)) }
        #expect(MetricDownsampler.downsample(few, maxPoints: 10) == few)
        #expect(MetricDownsampler.downsample(few, maxPoints: 0).isEmpty)
        #expect(MetricDownsampler.downsample(few, maxPoints: 1).count == 1)
        let three = MetricDownsampler.downsample(few.shuffled(), maxPoints: 3)
        #expect(three.map(\.step) == [0, 1, 9] || three.map(\.step) == [0, 8, 9])
        let two = [MetricPoint(key: "k", step: 1, value: 1), MetricPoint(key: "k", step: 0, value: 0)]
        #expect(MetricDownsampler.downsample(two, maxPoints: 1).count == 1)
        let shuffled = MetricDownsampler.downsample(
            (0..<1000).map { MetricPoint(key: "k", step: $0, value: sin(Double($0))) }.shuffled(), maxPoints: 50)
        #expect(zip(shuffled, shuffled.dropFirst()).allSatisfy { $0.step < $1.step })
    }

    @Test("metric lines: several pairs, an explicit step, and anything malformed is ordinary output")
    func metricLines() throws {
        let line = try #require(MetricLine(parsing: "::metric loss=0.52 acc=9.1e-1 step=10"))
        #expect(line.step == 10)
        #expect(line.values.map(\.key) == ["loss", "acc"])
        #expect(line.values.map(\.value) == [0.52, 0.91])
        #expect(line.points(defaultStep: 3).map(\.step) == [10, 10])
        let unstepped = try #require(MetricLine(parsing: "  ::metric eval/bleu=31.5\r"))
        #expect(unstepped.step == nil && unstepped.points(defaultStep: 7).first?.step == 7)
        for text in [
            "::metric", "::metric ", "::metricloss=1", "metric loss=1", "::metric loss", "::metric loss=abc",
            "::metric loss=nan", "::metric loss=inf", "::metric 1x=2", "::metric step=-1 loss=1", "::metric step=2",
            "::metric loss=", "echo ::metric loss=1",
        ] {
            #expect(MetricLine(parsing: text) == nil, "\(text) parsed")
        }
    }

    @Test("compare aligns series on the union of steps, sets params side by side and picks the best by mode")
    func compare() {
        let date = Date(timeIntervalSince1970: 0)
        let runs = [
            ExperimentRun(id: "a", project: "p", name: "a", params: ["lr": 0.1], cost: 4, currency: "USD", createdAt: date),
            ExperimentRun(id: "b", project: "p", name: "b", params: ["lr": 0.01, "warmup": 100], cost: 2, createdAt: date),
            ExperimentRun(id: "c", project: "p", name: "c", summary: ["loss": 0.2], createdAt: date),
        ]
        let series: [String: [String: [MetricPoint]]] = [
            "a": ["loss": [.init(key: "loss", step: 0, value: 1), .init(key: "loss", step: 10, value: 0.5)]],
            "b": [
                "loss": [.init(key: "loss", step: 5, value: 0.9), .init(key: "loss", step: 10, value: 0.3)],
                "acc": [.init(key: "acc", step: 10, value: 0.8)],
            ],
        ]
        let min = Comparison(runs: runs, series: series, request: ComparisonRequest(runIDs: ["a", "b", "c"], metric: "loss"))
        #expect(min.runIDs == ["a", "b", "c"])
        #expect(min.series["loss"]?.steps == [0, 5, 10])
        #expect(min.series["loss"]?.values == [[1, nil, 0.5], [nil, 0.9, 0.3], [nil, nil, nil]])
        #expect(min.metrics["loss"] == [0.5, 0.3, 0.2])  // c's from its summary
        #expect(min.bestPerformer == "c")
        #expect(min.params["warmup"] == [nil, 100, nil])
        #expect(min.costAnalysis?.totalCosts == [4, 2, nil])
        #expect(min.costAnalysis?.costPerMetricUnit == [8, 2 / 0.3, nil])
        #expect(min.costAnalysis?.currency == "USD")

        let max = Comparison(
            runs: runs, series: series, request: ComparisonRequest(runIDs: ["a", "b", "c"], metric: "acc", mode: .max))
        #expect(max.bestPerformer == "b")
        let none = Comparison(runs: runs, series: series, request: ComparisonRequest(runIDs: ["a", "b", "c"]))
        #expect(none.bestPerformer == nil && none.mode == nil)
        #expect(Set(none.metrics.keys) == ["loss", "acc"])
    }
}
