import AutoGitCore
import AutoGitHTTP
import Foundation
import Testing

@testable import AutoGitServer

@Suite("Instances: log files, command lines, validation and wire parsing")
struct InstancePartsTests {
    // MARK: Logs

    @Test("the log rotates at its size cap, keeps its file count, and tails in order across files")
    func logRotation() throws {
        let directory = TemporaryDirectory("autogit-instance-log")
        let log = InstanceLog(directory: directory.path, maxFileBytes: 4096, filesKept: 3)
        for index in 1...400 { log.append("line \(index) " + String(repeating: "x", count: 40), stream: .stdout) }
        let files = directory.files()
        #expect(files == ["output.log", "output.log.1", "output.log.2"])
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: directory.path + "/" + file)[.size] as? Int ?? 0
            #expect(size <= 4096)
        }
        let tail = log.tail(lines: 50)
        #expect(tail.count == 50)
        #expect(tail.first?.message.hasPrefix("line 351 ") == true)
        #expect(tail.last?.message.hasPrefix("line 400 ") == true)
        #expect(tail.map { $0.sequence ?? 0 } == Array(351...400))
        log.close()

        // Reopened (a server restart), the sequence carries on.
        let reopened = InstanceLog(directory: directory.path, maxFileBytes: 4096, filesKept: 3)
        reopened.append("after restart", stream: .system)
        #expect(reopened.tail(lines: 1).first?.sequence == 401)
    }

    @Test("levels are read from the line's first words; stderr alone is not an error")
    func levels() {
        #expect(InstanceLog.guessLevel("ERROR: model file not found") == .error)
        #expect(InstanceLog.guessLevel("[warn] slow tokenizer") == .warn)
        #expect(InstanceLog.guessLevel("2024-01-15 INFO loaded 32 layers") == .info)
        #expect(InstanceLog.guessLevel("level=debug msg=tick") == .debug)
        #expect(InstanceLog.guessLevel("Traceback (most recent call last):") == .error)
        #expect(InstanceLog.guessLevel("127.0.0.1 - - \"GET / HTTP/1.1\" 200 -") == .info)
        #expect(InstanceLog.guessLevel("errors=0 warnings=0") == .info)
    }

    @Test("a level filter keeps that level and above")
    func levelFilter() {
        let directory = TemporaryDirectory("autogit-instance-log")
        let log = InstanceLog(directory: directory.path)
        log.append("debug detail", stream: .stdout, level: .debug)
        log.append("ready", stream: .stdout, level: .info)
        log.append("slow", stream: .stderr, level: .warn)
        log.append("broken", stream: .stderr, level: .error)
        #expect(log.tail(lines: 10, minimumLevel: .warn).map(\.message) == ["slow", "broken"])
        #expect(log.tail(lines: 10, after: 2).map(\.message) == ["slow", "broken"])
    }

    @Test("a follower gets the backlog, then new lines, and ends when the log closes")
    func follow() async {
        let directory = TemporaryDirectory("autogit-instance-log")
        let log = InstanceLog(directory: directory.path)
        log.append("one", stream: .stdout)
        log.append("two", stream: .stdout)
        let stream = log.follow(lines: 1)
        log.append("three", stream: .stdout)
        log.close()
        var received: [String] = []
        for await entry in stream { received.append(entry.message) }
        #expect(received == ["two", "three"])
        #expect(log.followerCount == 0)
    }

    // MARK: Command lines

    @Test("custom templates substitute placeholders, shell-quoted, and leave other braces alone")
    func templates() {
        var instance = Instance(
            name: "m", backend: .custom, modelPath: "/models/my model.gguf",
            command: "serve --port {port} --host {host} --model {model} --env ${HOME} {unknown}")
        instance.options.extraArgs = ["--flag", "two words"]
        let arguments = InstanceCommandLine.arguments(for: instance, port: 9100, workingDirectory: "/data/m/work")
        #expect(arguments.count == 4)
        #expect(arguments[0] == "/bin/sh" && arguments[1] == "-c" && arguments[3] == "/data/m/work")
        #expect(
            arguments[2]
                == "cd -- \"$0\" || exit 126\nserve --port 9100 --host 127.0.0.1 --model '/models/my model.gguf' --env ${HOME} {unknown} --flag 'two words'"
        )
        #expect(InstanceCommandLine.shellQuoted("it's") == "'it'\\''s'")
    }

    @Test("llama-server and vllm get their flags from the options")
    func backendArguments() {
        var llama = Instance(name: "l", backend: .llamaServer, modelPath: "/m.gguf")
        llama.options = InstanceOptions(threads: 8, contextSize: 4096, gpuLayers: 99, extraArgs: ["--flash-attn"])
        #expect(
            InstanceCommandLine.programArguments(for: llama, port: 9001, llamaServer: "llama-server", vllm: "vllm") == [
                "llama-server", "--model", "/m.gguf", "--host", "127.0.0.1", "--port", "9001", "--threads", "8", "--ctx-size", "4096",
                "--n-gpu-layers", "99", "--flash-attn",
            ])
        var vllm = Instance(name: "v", backend: .vllm, modelPath: "meta-llama/Llama-3-8B")
        vllm.options.contextSize = 8192
        #expect(
            InstanceCommandLine.programArguments(for: vllm, port: 9002, llamaServer: "llama-server", vllm: "vllm") == [
                "vllm", "serve", "meta-llama/Llama-3-8B", "--host", "127.0.0.1", "--port", "9002", "--max-model-len", "8192",
            ])
        let wrapped = InstanceCommandLine.arguments(for: vllm, port: 9002, workingDirectory: "/w")
        #expect(Array(wrapped.prefix(4)) == ["/bin/sh", "-c", "cd -- \"$0\" || exit 126\nexec \"$@\"", "/w"])
        #expect(wrapped[4] == "vllm")
    }

    // MARK: Validation

    static let invalidSpecs: [(Instance, String)] = [
        (Instance(name: "bad name!", backend: .custom, command: "x"), "name"),
        (Instance(name: "-dash", backend: .custom, command: "x"), "name"),
        (Instance(name: "b", backend: .unknown("tgi")), "backend"),
        (Instance(name: "c", backend: .custom), "command"),
        (Instance(name: "d", backend: .llamaServer), "model_path"),
        (Instance(name: "e", backend: .custom, command: "serve {model}"), "model_path"),
        (Instance(name: "f", backend: .custom, command: "x", port: 70_000), "port"),
        (Instance(name: "g", backend: .custom, command: "x", options: InstanceOptions(threads: 0)), "options.threads"),
        (Instance(name: "h", backend: .custom, command: "x", environment: ["1BAD": "v"]), "environment.1BAD"),
        (
            Instance(name: "i", backend: .custom, command: "x", restartPolicy: RestartPolicy(mode: .unknown("sometimes"))),
            "restart_policy.policy"
        ),
        (
            Instance(name: "j", backend: .custom, command: "x", restartPolicy: RestartPolicy(backoffSeconds: -1)),
            "restart_policy.backoff_seconds"
        ),
        (Instance(name: "k", backend: .custom, command: "x", idleTimeout: 0), "idle_timeout"),
        (Instance(name: "l", backend: .custom, command: "x", healthPath: "health"), "health_path"),
        (Instance(name: "m", backend: .custom, command: "x", gpu: GPURequirement(count: -1)), "gpu.count"),
    ]

    @Test("an invalid definition is refused with 422 naming the field", arguments: invalidSpecs)
    func validation(spec: Instance, field: String) {
        do {
            try InstanceManager.validate(spec)
            Issue.record("\(spec.name) should be refused")
        } catch {
            #expect(error.status == 422)
            #expect(error.code == .validationFailed)
            #expect(error.details?["field"]?.stringValue == field)
            #expect(error.message.hasPrefix("\(field): "))
        }
    }

    // MARK: Ports

    @Test("ports are handed out once each, skipping held and busy ones, resuming after the last")
    func ports() {
        var allocator = InstancePortAllocator(range: 9000...9004)
        #expect(allocator.allocate(excluding: [], isFree: { _ in true }) == 9000)
        #expect(allocator.allocate(excluding: [9000, 9001], isFree: { _ in true }) == 9002)
        #expect(allocator.allocate(excluding: [9000, 9002], isFree: { $0 != 9003 }) == 9004)
        #expect(allocator.allocate(excluding: [9002, 9004], isFree: { _ in true }) == 9000)
        #expect(allocator.allocate(excluding: Set(9000...9004), isFree: { _ in true }) == nil)
    }

    @Test("restart backoff doubles per restart and stops at the maximum")
    func backoff() {
        let policy = RestartPolicy(mode: .always, backoffSeconds: 1.5)
        #expect(InstanceManager.backoff(policy, level: 0, maximum: .seconds(60)) == .milliseconds(1500))
        #expect(InstanceManager.backoff(policy, level: 2, maximum: .seconds(60)) == .seconds(6))
        #expect(InstanceManager.backoff(policy, level: 10, maximum: .seconds(60)) == .seconds(60))
        #expect(InstanceManager.backoff(RestartPolicy(backoffSeconds: 0), level: 5, maximum: .seconds(60)) == .zero)
    }

    // MARK: /proc and the wire

    @Test("/proc stat lines are read past a command name holding spaces and parentheses")
    func procStat() throws {
        let line =
            "4242 (my (odd) server) S 1 4242 4242 0 -1 4194560 500 0 0 0 120 30 0 0 20 0 3 0 987654 123456789 2048 18446744073709551615"
        let stat = try #require(ProcFS.parseStat(line))
        #expect(stat.pid == 4242)
        #expect(stat.state == "S")
        #expect(stat.processGroup == 4242)
        #expect(stat.cpuTicks == 150)
        #expect(stat.startTicks == 987_654)
        #expect(stat.residentPages == 2048)
        let own = try #require(ProcFS.stat(getpid()))
        #expect(own.pid == getpid())
        #expect(!ProcFS.isGone(getpid()))
    }

    @Test("chunked bodies decode across arbitrary splits, extensions and trailers")
    func chunked() throws {
        let wire = Array("5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nignored".utf8)
        for split in [1, 2, 3, 7, wire.count] {
            var decoder = ChunkedBodyDecoder()
            var output: [UInt8] = []
            var index = 0
            while index < wire.count {
                let end = min(wire.count, index + split)
                output += try decoder.decode(wire[index..<end])
                index = end
            }
            #expect(String(decoding: output, as: UTF8.self) == "hello, world")
            #expect(decoder.isDone)
        }
        var broken = ChunkedBodyDecoder()
        #expect(throws: ChunkedBodyDecoder.MalformedChunk.self) { _ = try broken.decode(Array("zz\r\n".utf8)[...]) }
    }

    @Test("an answer head is parsed with its status, reason and repeated headers, and framing follows from it")
    func answerHead() throws {
        let wire = Array("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nabc".utf8)
        let (head, start) = try #require(InstanceProxyClient.parseHead(wire))
        #expect(head.status == 404)
        #expect(head.reason == "Not Found")
        #expect(head.headers.values(for: "Set-Cookie") == ["a=1", "b=2"])
        #expect(start == wire.count - 3)
        #expect(InstanceProxyClient.framing(of: head, method: .get) == .length(3))
        #expect(InstanceProxyClient.framing(of: head, method: .head) == .none)
        var chunked = head
        chunked.headers = ["Transfer-Encoding": "chunked"]
        #expect(InstanceProxyClient.framing(of: chunked, method: .get) == .chunked)
        chunked.headers = [:]
        #expect(InstanceProxyClient.framing(of: chunked, method: .get) == .untilClose)
        #expect(InstanceProxyClient.parseHead(Array("HTTP/1.1 200 OK\r\n".utf8)) == nil)
    }

    @Test("forwarded requests drop hop-by-hop headers and AutoGit's credentials, and add X-Forwarded-*")
    func forwardedHead() {
        var request = HTTPRequest(
            method: .post, target: "/v1/instances/m/proxy/v1/chat?stream=true",
            headers: [
                "Host": "autogit.local:8080", "Authorization": "Bearer agt_secret", "Connection": "keep-alive, X-Hop",
                "X-Hop": "1", "Keep-Alive": "timeout=5", "Content-Type": "application/json", "Content-Length": "2",
            ], body: Array("{}".utf8), remoteAddress: "10.0.0.7:51234")
        var text = String(decoding: InstanceProxyClient.requestHead(request, path: "v1/chat", port: 9000), as: UTF8.self)
        #expect(text.hasPrefix("POST /v1/chat?stream=true HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n"))
        #expect(text.contains("Content-Type: application/json\r\n"))
        #expect(text.contains("Content-Length: 2\r\n"))
        #expect(text.contains("X-Forwarded-For: 10.0.0.7\r\n"))
        #expect(text.contains("X-Forwarded-Host: autogit.local:8080\r\n"))
        #expect(text.hasSuffix("Connection: close\r\n\r\n"))
        for dropped in ["agt_secret", "X-Hop", "Keep-Alive", "keep-alive"] { #expect(!text.contains(dropped)) }

        // With X-API-Key carrying AutoGit's credential, Authorization belongs to the model server.
        request.headers["X-API-Key"] = "agt_secret"
        request.headers["Authorization"] = "Bearer model-key"
        text = String(decoding: InstanceProxyClient.requestHead(request, path: "v1/chat", port: 9000), as: UTF8.self)
        #expect(text.contains("Authorization: Bearer model-key\r\n"))
        #expect(!text.contains("agt_secret"))
    }
}
