import AutoGitHTTP
import Foundation
import Testing

/// A small deterministic generator (SplitMix64), so a failing run can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

@Suite("fuzz-ish input")
struct FuzzTests {
    static let seeds: [String] = [
        "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "GET /query?a=%20&b=+ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "HEAD /v1/runners/1/status HTTP/1.0\r\n\r\n",
    ]

    static func mutate(_ input: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        let interesting: [UInt8] = [0, 9, 10, 13, 32, 37, 43, 58, 59, 0x7F, 0x80, 0xFF] + Array("0123456789abcdefxX-".utf8)
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 1:
                bytes.insert(interesting.randomElement(using: &random)!, at: Int.random(in: 0...bytes.count, using: &random))
            case 2 where !bytes.isEmpty:
                bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random))
            case 3:
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            case 4:
                let at = Int.random(in: 0...bytes.count, using: &random)
                bytes.insert(
                    contentsOf: Array(repeating: bytes.randomElement(using: &random) ?? 65, count: Int.random(in: 1...300, using: &random)),
                    at: at)
            default:
                bytes += input
            }
        }
        return bytes
    }

    @Test("thousands of mutated requests never crash or hang the server")
    func mutatedRequests() async throws {
        try await withServer(configure: { $0.maxHeaderBytes = 2048 }) { server in
            let port = server.port
            try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var random = SeededGenerator(state: 0xA070_617 &+ UInt64(worker))
                        var answered = 0
                        for _ in 0..<250 {
                            let seed = Array(Self.seeds.randomElement(using: &random)!.utf8)
                            let input = Self.mutate(seed, &random)
                            let client = try RawClient(port: port, timeout: 3)
                            try? await client.send(input)
                            client.shutdownWrite()
                            let outcome = try await client.waitForClose()
                            #expect(outcome.closed, "server did not close after input \(input)")
                            if outcome.bytes.starts(with: Array("HTTP/1.1 ".utf8)) { answered += 1 }
                            #expect(!String(decoding: outcome.bytes, as: UTF8.self).contains("HTTP/1.1 500"))
                        }
                        return answered
                    }
                }
                var answered = 0
                for try await count in group { answered += count }
                #expect(answered > 500)
            }
            let client = try RawClient(port: port)
            try await client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "hello")
            #expect(server.connectionCount <= 1)
        }
    }
}
