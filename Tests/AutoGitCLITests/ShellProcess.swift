import Foundation

/// Runs a program to its end and returns its status and output; for tests that check generated shell scripts and
/// run the built `autogit` binary.
struct ShellProcess {
    var status: Int32
    var output: String
    var error: String

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> ShellProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while the child runs, so a full pipe cannot block it.
        let errorReader = errorPipe.fileHandleForReading
        let errorTask = Task.detached { errorReader.readDataToEndOfFile() }
        let outputData = outputPipe.fileHandleForReading.readDataToEndOfFile()
        let errorData = await errorTask.value
        process.waitUntilExit()
        return ShellProcess(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            error: String(decoding: errorData, as: UTF8.self))
    }

    static func exists(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }
}
