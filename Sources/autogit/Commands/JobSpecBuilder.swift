import AutoGitCore
import Foundation

/// Turns `jobs submit`'s flags, job file and `-- command` into the ``JobSpec`` sent to the server.
///
/// Pure apart from `readFile`, so every rule is tested without a server. Bad input is a usage error naming the
/// flag; limits that depend on the server (longest timeout, most GPUs) are left for the server to enforce.
enum JobSpecBuilder {
    /// Reads a job file's bytes; `-` means standard input.
    typealias FileReader = (String) throws -> Data

    /// Builds the spec from `jobs submit`'s parsed arguments.
    ///
    /// Steps come from exactly one place: `--step NAME=COMMAND` (repeatable), the file's `steps`, or the words
    /// after `--` (one step named `main`). Flags override or extend what the file says: `--name`, `--gpus`,
    /// `--gpu-type`, `--timeout`, `--retries` and `--priority` replace, `--label` and `--env` add.
    static func jobSpec(from arguments: ParsedArguments, readFile: FileReader) throws(CLIError) -> JobSpec {
        var spec = JobSpec(name: "", steps: [])
        if let path = arguments.value("file") { spec = try decodeFile(path, readFile) }
        try applySteps(arguments, to: &spec)
        if let name = arguments.value("name") {
            spec.name = name
        } else if spec.name.isEmpty {
            spec.name = defaultName(for: spec.steps, passthrough: arguments.passthrough)
        }
        spec.environment.merge(try arguments.environment("env")) { _, new in new }
        for label in try arguments.commaSeparated("label") where !spec.requirements.labels.contains(label) {
            spec.requirements.labels.append(label)
        }
        try applyGPUs(arguments, to: &spec)
        if let timeout = try arguments.duration("timeout") {
            guard timeout > 0 else { throw .invalidValue("0", for: "--timeout", expected: "a duration above zero") }
            spec.timeout = timeout
        }
        if let retries = try arguments.integer("retries") {
            guard retries >= 0 else { throw .invalidValue(String(retries), for: "--retries", expected: "0 or more") }
            spec.retryCount = retries
        }
        if let priority = try arguments.integer("priority") { spec.priority = priority }
        try applyExperiment(arguments, to: &spec)
        do {
            // Structure only: the server applies its own limits.
            try spec.validate(limits: JobLimits(maxTimeout: .max, maxRetryCount: .max, maxSteps: .max, maxGPUCount: .max))
        } catch {
            throw .usage("invalid job: \(error.message)")
        }
        return spec
    }

    /// `--experiment PROJECT[/NAME]`, `--run ID` and `--param KEY=VALUE` attach the job to an experiment run: a new
    /// run in the project (named, when a name follows the slash) or an existing run; params add to the file's.
    private static func applyExperiment(_ arguments: ParsedArguments, to spec: inout JobSpec) throws(CLIError) {
        let project = arguments.value("experiment")
        let runID = arguments.value("run")
        let params = try arguments.environment("param")
        guard project != nil || runID != nil || !params.isEmpty else { return }
        if project != nil && runID != nil {
            throw .usage("give either --experiment (a new run) or --run (an existing one), not both")
        }
        var experiment = spec.experiment ?? JobExperiment()
        if let project {
            let parts = project.split(separator: "/", maxSplits: 1).map(String.init)
            guard let first = parts.first, !first.isEmpty else {
                throw .invalidValue(project, for: "--experiment", expected: "a project name, optionally /run-name")
            }
            experiment.project = first
            experiment.runID = nil
            if parts.count == 2 { experiment.name = parts[1] }
        }
        if let runID { experiment.runID = runID }
        guard experiment.project != nil || experiment.runID != nil else {
            throw .usage("--param needs a run: give --experiment PROJECT or --run ID")
        }
        experiment.params.merge(params.mapValues { ConfigurationKey.parseValue($0) }) { _, new in new }
        spec.experiment = experiment
    }

    private static func decodeFile(_ path: String, _ readFile: FileReader) throws(CLIError) -> JobSpec {
        let data: Data
        do {
            data = try readFile(path)
        } catch {
            throw .usage("cannot read job file '\(path)': \((error as NSError).localizedDescription)")
        }
        do {
            return try AutoGitJSON.decode(JobSpec.self, from: data)
        } catch {
            throw .usage("job file '\(path)' is not a JSON job spec: \(CLIError(error).message)")
        }
    }

    private static func applySteps(_ arguments: ParsedArguments, to spec: inout JobSpec) throws(CLIError) {
        var flagSteps: [JobStep] = []
        for text in arguments.values("step") {
            let (name, command) = try split(text, option: "--step", expected: "NAME=COMMAND")
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, !command.trimmingCharacters(in: .whitespaces).isEmpty
            else { throw .invalidValue(text, for: "--step", expected: "NAME=COMMAND with both parts non-empty") }
            flagSteps.append(JobStep(name: name, run: command))
        }
        let passthrough = arguments.passthrough
        let sources = [!spec.steps.isEmpty, !flagSteps.isEmpty, !passthrough.isEmpty].filter { $0 }.count
        if sources > 1 {
            throw .usage("give the job's steps one way: --step, a job file (-f) or a command after --")
        }
        if !flagSteps.isEmpty {
            spec.steps = flagSteps
        } else if !passthrough.isEmpty {
            spec.steps = [JobStep(name: "main", run: shellCommand(passthrough))]
        } else if spec.steps.isEmpty {
            throw .usage("a job needs at least one step: --step NAME=COMMAND, -f FILE or -- COMMAND")
        }
    }

    private static func applyGPUs(_ arguments: ParsedArguments, to spec: inout JobSpec) throws(CLIError) {
        let count = try arguments.integer("gpus")
        if let count, count < 0 { throw .invalidValue(String(count), for: "--gpus", expected: "0 or more") }
        let type = arguments.value("gpu-type")
        if let type, type.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .invalidValue(type, for: "--gpu-type", expected: "a GPU family or model such as a100")
        }
        guard count != nil || type != nil else { return }
        var gpu = spec.requirements.gpu ?? GPURequirement(count: 1)
        if let count { gpu.count = count }
        if let type { gpu.type = type }
        if gpu.count == 0 {
            if type != nil { throw .usage("--gpu-type needs at least one GPU; drop --gpus 0 or --gpu-type") }
            spec.requirements.gpu = nil
        } else {
            spec.requirements.gpu = gpu
        }
    }

    /// Splits `KEY=VALUE` at the first `=`; a usage error naming `option` when there is none.
    private static func split(_ text: String, option: String, expected: String) throws(CLIError) -> (String, String) {
        guard let equals = text.firstIndex(of: "=") else { throw .invalidValue(text, for: option, expected: expected) }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// A readable default name: the command of a one-step job, else the step names, cut to 64 characters.
    static func defaultName(for steps: [JobStep], passthrough: [String]) -> String {
        let name = passthrough.isEmpty ? steps.map(\.name).joined(separator: ", ") : passthrough.joined(separator: " ")
        return name.count > 64 ? String(name.prefix(63)) + "…" : name
    }

    /// The `/bin/sh -c` command for the words after `--`.
    ///
    /// One word is taken as a shell command as it stands (`-- 'make && make test'`); several words are a program
    /// and its arguments, each quoted where the shell would otherwise split or expand it.
    static func shellCommand(_ words: [String]) -> String {
        if words.count == 1 { return words[0] }
        return words.map(shellQuote).joined(separator: " ")
    }

    static func shellQuote(_ word: String) -> String {
        let safe = word.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "@%+=:,./_-".unicodeScalars.contains(scalar))
        }
        if safe, !word.isEmpty { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
