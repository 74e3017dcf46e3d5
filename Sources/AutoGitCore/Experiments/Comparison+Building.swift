extension Comparison {
    /// Builds the comparison of `runs` (in the order given) from their metric series: final values, series aligned
    /// on the union of their steps, params side by side, the best run by `metric` and `mode`, and costs.
    ///
    /// The deciding value of a run is its metric's last logged value (by step), falling back to the run's summary.
    /// Runs without it cannot be best. Ties go to the earlier run in `runs`.
    public init(
        runs: [ExperimentRun], series: [String: [String: [MetricPoint]]], request: ComparisonRequest
    ) {
        let ids = runs.map(\.id)
        let keys =
            request.keys
            ?? Array(Set(series.values.flatMap(\.keys)).union(request.metric.map { [$0] } ?? [])).sorted()

        var finals: [String: [Double?]] = [:]
        var aligned: [String: AlignedSeries] = [:]
        for key in keys {
            let perRun = ids.map { (series[$0]?[key] ?? []).sorted { $0.step < $1.step } }
            finals[key] = zip(runs, perRun).map { run, points in
                points.last?.value ?? run.summary[key].flatMap(Self.number)
            }
            let steps = Array(Set(perRun.flatMap { $0.map(\.step) })).sorted()
            let values = perRun.map { points -> [Double?] in
                // The last value logged at each step wins.
                var byStep: [Int: Double] = [:]
                for point in points { byStep[point.step] = point.value }
                return steps.map { byStep[$0] }
            }
            aligned[key] = AlignedSeries(steps: steps, values: values)
        }

        let paramKeys = Set(runs.flatMap(\.params.keys)).sorted()
        var params: [String: [JSONValue?]] = [:]
        for key in paramKeys { params[key] = runs.map { $0.params[key] } }

        var best: String?
        if let metric = request.metric, let values = finals[metric] {
            var bestValue: Double?
            for (id, value) in zip(ids, values) {
                guard let value else { continue }
                let better: Bool =
                    switch request.mode {
                    case .max: bestValue.map { value > $0 } ?? true
                    default: bestValue.map { value < $0 } ?? true
                    }
                if better {
                    best = id
                    bestValue = value
                }
            }
        }

        var costs: CostAnalysis?
        if runs.contains(where: { $0.cost != nil }) {
            let deciding = request.metric.flatMap { finals[$0] } ?? Array(repeating: nil, count: runs.count)
            costs = CostAnalysis(
                totalCosts: runs.map(\.cost), currency: runs.compactMap(\.currency).first,
                costPerMetricUnit: zip(runs, deciding).map { run, value in
                    guard let cost = run.cost, let value, value != 0 else { return nil }
                    return cost / abs(value)
                })
        }

        self.init(
            runIDs: ids, metrics: finals, series: aligned, params: params, bestPerformer: best, metric: request.metric,
            mode: request.metric == nil ? nil : request.mode, costAnalysis: costs)
    }

    private static func number(_ value: JSONValue) -> Double? {
        if case .number(let number) = value { return number }
        return nil
    }
}
