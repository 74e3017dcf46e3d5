import AutoGitCore
import Foundation
import Testing

@testable import autogit

@Suite("Building a job spec from 'jobs submit'")
struct JobSpecBuilderTests {
    /// Parses a `jobs submit` command line the way the CLI does.
    private func build(_ words: [String], files: [String: String] = [:]) throws -> JobSpec {
        let invocation = try CommandParser(root: AutoGitCommands.root).parse(["jobs", "submit"] + words)
        return try JobSpecBuilder.jobSpec(from: invocation.arguments) { path in
            guard let text = files[path] else { throw CocoaError(.fileReadNoSuchFile) }
            return Data(text.utf8)
        }
    }

    private func buildError(_ words: [String], files: [String: String] = [:]) -> CLIError? {
        do {
            _ = try build(words, files: files)
            return nil
        } catch {
            return error as? CLIError
        }
    }

    @Test("the words after -- become one step named main, quoted for the shell")
    func passthrough() throws {
        let spec = try build(["--", "python", "train.py", "--data", "my file.csv", "it's"])
        #expect(spec.steps == [JobStep(name: "main", run: "python train.py --data 'my file.csv' 'it'\\''s'")])
        #expect(spec.name == "python train.py --data my file.csv it's")
    }

    @Test("a single word after -- is run as a shell command as it stands")
    func singleWordPassthrough() throws {
        let spec = try build(["--", "make && make test"])
        #expect(spec.steps == [JobStep(name: "main", run: "make && make test")])
    }

    @Test("repeated --step flags become steps in order, split at the first '='")
    func steps() throws {
        let spec = try build(["--step", "build=make CFLAGS=-O2", "--step", "test=make test", "--name", "ci"])
        #expect(spec.steps == [JobStep(name: "build", run: "make CFLAGS=-O2"), JobStep(name: "test", run: "make test")])
        #expect(spec.name == "ci")
    }

    @Test("resource, label, environment and scheduling flags fill the requirements")
    func flags() throws {
        let spec = try build([
            "--gpus", "2", "--gpu-type", "a100", "-l", "cuda,linux", "--label", "cuda", "--env", "A=1", "-e", "B=x=y",
            "--env", "EMPTY=", "--timeout", "1h30m", "--retries", "3", "--priority", "-5", "--", "true",
        ])
        #expect(spec.requirements.gpu == GPURequirement(count: 2, type: "a100"))
        #expect(spec.requirements.labels == ["cuda", "linux"])
        #expect(spec.environment == ["A": "1", "B": "x=y", "EMPTY": ""])
        #expect(spec.timeout == 5400)
        #expect(spec.retryCount == 3)
        #expect(spec.priority == -5)
    }

    @Test("--gpu-type alone asks for one GPU, and --gpus 0 asks for none")
    func gpuDefaults() throws {
        #expect(try build(["--gpu-type", "h100", "--", "x"]).requirements.gpu == GPURequirement(count: 1, type: "h100"))
        #expect(try build(["--gpus", "0", "--", "x"]).requirements.gpu == nil)
    }

    @Test("a job file is the base and flags override or extend it")
    func file() throws {
        let json = """
            {"name": "train", "steps": [{"name": "fit", "run": "python fit.py"}], "environment": {"A": "file"},
             "requirements": {"labels": ["gpu"], "gpu": {"count": 4}}, "priority": 1}
            """
        let spec = try build(["-f", "job.json", "--env", "B=flag", "--label", "a100", "--priority", "9"], files: ["job.json": json])
        #expect(spec.name == "train")
        #expect(spec.steps == [JobStep(name: "fit", run: "python fit.py")])
        #expect(spec.environment == ["A": "file", "B": "flag"])
        #expect(spec.requirements.labels == ["gpu", "a100"])
        #expect(spec.requirements.gpu?.count == 4)
        #expect(spec.priority == 9)
    }

    @Test(
        "bad input is a usage error that names the flag",
        arguments: [
            (["--step", "make", "--name", "x"], "invalid value 'make' for '--step': expected NAME=COMMAND"),
            (["--step", "=make"], "invalid value '=make' for '--step': expected NAME=COMMAND with both parts non-empty"),
            (["--env", "NOVALUE", "--", "x"], "invalid value 'NOVALUE' for '--env': expected KEY=VALUE"),
            (
                ["--env", "1A=b", "--", "x"],
                "invalid value '1A=b' for '--env': expected a variable name of letters, digits and _ before '='"
            ),
            (["--gpus", "-1", "--", "x"], "invalid value '-1' for '--gpus': expected 0 or more"),
            (["--gpus", "two", "--", "x"], "invalid value 'two' for '--gpus': expected an integer"),
            (["--retries", "-2", "--", "x"], "invalid value '-2' for '--retries': expected 0 or more"),
            (
                ["--timeout", "soon", "--", "x"],
                "invalid value 'soon' for '--timeout': expected a duration such as 300, 90s, 5m, 2h or 1h30m"
            ),
            (["--timeout", "0", "--", "x"], "invalid value '0' for '--timeout': expected a duration above zero"),
            (["--label", "a,,b", "--", "x"], "invalid value '' for '--label': expected a non-empty label"),
            (["--gpus", "0", "--gpu-type", "a100", "--", "x"], "--gpu-type needs at least one GPU; drop --gpus 0 or --gpu-type"),
            ([String](), "a job needs at least one step: --step NAME=COMMAND, -f FILE or -- COMMAND"),
            (["--step", "a=b", "--", "x"], "give the job's steps one way: --step, a job file (-f) or a command after --"),
            (["--name", " ", "--", "x"], "invalid job: name: must not be empty"),
        ])
    func badInput(words: [String], message: String) {
        let error = buildError(words)
        #expect(error?.message == message)
        #expect(error?.exitCode == .usage)
    }

    @Test("an unreadable or malformed job file is a usage error naming the file")
    func badFile() {
        #expect(buildError(["-f", "missing.json"])?.message.hasPrefix("cannot read job file 'missing.json'") == true)
        let malformed = buildError(["-f", "job.json"], files: ["job.json": "{\"steps\": 3}"])
        #expect(malformed?.message.hasPrefix("job file 'job.json' is not a JSON job spec") == true)
        #expect(
            buildError(["-f", "job.json", "--", "x"], files: ["job.json": #"{"name":"a","steps":[{"name":"s","run":"r"}]}"#])?.code
                == .invalidInput)
    }

    @Test("'jobs submit -f -' reads the spec from standard input")
    func standardInput() async {
        let result = await runAutoGit(
            ["jobs", "submit", "-f", "-", "--verbose", "--server", "http://127.0.0.1:\(closedLoopbackPort())"],
            input: #"{"name":"from-stdin","steps":[{"name":"s","run":"echo hi"}]}"#)
        #expect(result.error.contains("\"name\" : \"from-stdin\""))
        #expect(result.status == ExitCode.serverUnreachable.rawValue)
    }
}

@Suite("Small parsers")
struct SmallParserTests {
    @Test(
        "durations read as seconds",
        arguments: [("300", 300), ("90s", 90), ("5m", 300), ("2h", 7200), ("1d", 86_400), ("1h30m", 5400), ("0", 0)] as [(String, Int)])
    func durations(text: String, seconds: Int) {
        #expect(DurationArgument.seconds(in: text) == seconds)
    }

    @Test("things that are not durations are rejected", arguments: ["", "m", "5x", "-5", "5m3", "1.5h", "h5"])
    func notDurations(text: String) {
        #expect(DurationArgument.seconds(in: text) == nil)
    }

    @Test("spelling suggestions find near misses and unambiguous prefixes, not unrelated words")
    func suggestions() {
        let options = ["--status", "--label", "--limit", "--server", "--output"]
        #expect(SpellingSuggestion.closest(to: "--stauts", among: options) == "--status")
        #expect(SpellingSuggestion.closest(to: "--outptu", among: options) == "--output")
        #expect(SpellingSuggestion.closest(to: "--serv", among: options) == "--server")
        #expect(SpellingSuggestion.closest(to: "--colour", among: options) == nil)
        #expect(SpellingSuggestion.editDistance("kitten", "sitting") == 3)
        #expect(SpellingSuggestion.editDistance("ab", "ba") == 1)
    }
}

@Suite("Attaching 'jobs submit' to an experiment")
struct JobExperimentFlagTests {
    private func spec(_ words: [String]) throws -> JobSpec {
        let arguments = try CommandParser(root: AutoGitCommands.root).parse(["jobs", "submit"] + words, environment: [:]).arguments
        return try JobSpecBuilder.jobSpec(from: arguments) { _ in Data() }
    }

    @Test("--experiment names the project and run, --param records parameters, --run picks an existing run")
    func flags() throws {
        let tracked = try spec([
            "--experiment", "resnet/lr-3e-4", "--param", "lr=3e-4", "--param", "model=resnet50", "--", "python", "t.py",
        ])
        #expect(tracked.experiment?.project == "resnet")
        #expect(tracked.experiment?.name == "lr-3e-4")
        #expect(tracked.experiment?.params == ["lr": .number(3e-4), "model": .string("resnet50")])
        #expect(try spec(["--run", "run-7", "--", "true"]).experiment?.runID == "run-7")
        #expect(try spec(["--", "true"]).experiment == nil)
        #expect(throws: CLIError.self) { try spec(["--experiment", "a", "--run", "b", "--", "true"]) }
        #expect(throws: CLIError.self) { try spec(["--param", "lr=1", "--", "true"]) }
    }
}
