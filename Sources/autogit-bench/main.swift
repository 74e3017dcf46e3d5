// autogit-bench: release-mode benchmarks. Each benchmark lives in its own file and registers in `benchmarks`.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let benchmark = benchmarks[name] else {
    let names = benchmarks.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: autogit-bench <\(names)> [options]\n".utf8))
    exit(2)
}
exit(await benchmark(Array(arguments.dropFirst())))
