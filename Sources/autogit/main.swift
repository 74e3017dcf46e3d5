import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let environment = ProcessInfo.processInfo.environment
let status = await runCLI(
    arguments: Array(CommandLine.arguments.dropFirst()), environment: environment,
    console: .standard(environment: environment))
exit(status)
