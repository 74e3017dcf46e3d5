import AutoGitCore
import Foundation

/// The command line an instance runs.
///
/// - `llama-server`: `llama-server --model <model_path> --host 127.0.0.1 --port <port>` plus `--threads`,
///   `--ctx-size` and `--n-gpu-layers` from the options, then `extra_args`.
/// - `vllm`: `vllm serve <model_path> --host 127.0.0.1 --port <port>` plus `--max-model-len` from `context_size`,
///   then `extra_args`.
/// - `custom`: the `command` template run by `/bin/sh`, with `{port}`, `{host}`, `{model}` (or `{model_path}`),
///   `{name}`, `{threads}`, `{context_size}` and `{gpu_layers}` replaced (values shell-quoted), then `extra_args`.
///   Other braces are left alone, so shell syntax such as `${HOME}` still works.
///
/// Every instance starts through `/bin/sh` in its working directory; the backends' programs replace the shell
/// (`exec`), so the pid is the model server's own.
enum InstanceCommandLine {
    static let host = "127.0.0.1"
    static let placeholders = ["port", "host", "model", "model_path", "name", "threads", "context_size", "gpu_layers"]

    /// The arguments to spawn: `/bin/sh -c <script> <working directory> [program arguments…]`.
    static func arguments(
        for instance: Instance, port: Int, workingDirectory: String, llamaServer: String = "llama-server", vllm: String = "vllm"
    ) -> [String] {
        let enter = "cd -- \"$0\" || exit 126\n"
        switch instance.backend {
        case .custom, .unknown:
            var command = substitute(instance.command ?? "", instance: instance, port: port)
            if !instance.options.extraArgs.isEmpty {
                command += " " + instance.options.extraArgs.map(shellQuoted).joined(separator: " ")
            }
            return ["/bin/sh", "-c", enter + command, workingDirectory]
        case .llamaServer, .vllm:
            return ["/bin/sh", "-c", enter + "exec \"$@\"", workingDirectory]
                + programArguments(for: instance, port: port, llamaServer: llamaServer, vllm: vllm)
        }
    }

    /// The program and its arguments for the `llama-server` and `vllm` backends.
    static func programArguments(for instance: Instance, port: Int, llamaServer: String, vllm: String) -> [String] {
        let options = instance.options
        let model = instance.modelPath ?? ""
        var arguments: [String]
        switch instance.backend {
        case .vllm:
            arguments = [vllm, "serve", model, "--host", host, "--port", String(port)]
            if let context = options.contextSize { arguments += ["--max-model-len", String(context)] }
        default:
            arguments = [llamaServer, "--model", model, "--host", host, "--port", String(port)]
            if let threads = options.threads { arguments += ["--threads", String(threads)] }
            if let context = options.contextSize { arguments += ["--ctx-size", String(context)] }
            if let layers = options.gpuLayers { arguments += ["--n-gpu-layers", String(layers)] }
        }
        return arguments + options.extraArgs
    }

    /// `template` with its placeholders replaced by shell-quoted values; unknown or unset ones stay as they are.
    static func substitute(_ template: String, instance: Instance, port: Int) -> String {
        var values: [String: String] = ["port": String(port), "host": host, "name": instance.name]
        if let model = instance.modelPath {
            values["model"] = model
            values["model_path"] = model
        }
        if let threads = instance.options.threads { values["threads"] = String(threads) }
        if let context = instance.options.contextSize { values["context_size"] = String(context) }
        if let layers = instance.options.gpuLayers { values["gpu_layers"] = String(layers) }
        var result = template
        for (name, value) in values {
            result = result.replacingOccurrences(of: "{\(name)}", with: shellQuoted(value))
        }
        return result
    }

    /// The placeholders `template` uses.
    static func placeholders(in template: String) -> [String] {
        placeholders.filter { template.contains("{\($0)}") }
    }

    /// `value` as one shell word: unchanged when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ value: String) -> String {
        let safe = value.unicodeScalars.allSatisfy { scalar in
            (scalar.value < 128 && (CharacterSetASCII.isAlphanumeric(scalar) || "-_./:=@%+,".unicodeScalars.contains(scalar)))
        }
        if safe && !value.isEmpty { return value }
        return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private enum CharacterSetASCII {
        static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            (48...57).contains(scalar.value) || (65...90).contains(scalar.value) || (97...122).contains(scalar.value)
        }
    }
}
