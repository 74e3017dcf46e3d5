/// A benchmark takes its own arguments and returns the process exit status.
typealias Benchmark = @Sendable ([String]) async -> Int32

/// Every benchmark by name. Add an entry when you add a benchmark file.
let benchmarks: [String: Benchmark] = [
    "engine": engineBenchmark,
    "http": httpBenchmark,
    "logs": logStoreBenchmark,
    "scaleup": scaleUpBenchmark,
    "pickup": pickupBenchmark,
    "scheduler": schedulerBenchmark,
    "store": storeBenchmark,
]
