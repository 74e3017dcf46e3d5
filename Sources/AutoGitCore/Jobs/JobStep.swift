/// One step of a job: a shell command run with `/bin/sh -c` in the job's work directory.
public struct JobStep: Codable, Sendable, Hashable {
    public var name: String
    public var run: String

    public init(name: String, run: String) {
        self.name = name
        self.run = run
    }
}
