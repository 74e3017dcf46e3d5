import AutoGitClient
import AutoGitCore
import AutoGitServer
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Artifacts against a real server on loopback: versions, aliases, verified uploads (raw and multipart), and
/// downloads with `ETag`, `If-None-Match`, `Range` and `If-Range`.
@Suite("SDK end to end: artifacts", .timeLimit(.minutes(2)))
struct ArtifactsEndToEndTests {
    /// A server whose artifact limit is 64 KiB, so the limit is easy to pass.
    func withSmallLimitServer(_ body: (EmbeddedServer, URL) async throws -> Void) async throws {
        var options = ReferenceServer.Options.quiet(
            dataDirectory: NSTemporaryDirectory() + "/autogit-artifacts-\(UUID().uuidString)",
            configuration: EmbeddedServer.testConfiguration)
        options.maxArtifactBytes = 64 * 1024
        let server = try await EmbeddedServer.start(options: options)
        do {
            try await body(server, server.server.baseURL)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    static func content(_ count: Int) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    }

    @Test("uploads make v1, v2 …; latest follows, aliases are set and moved; versions list newest first")
    func versionsAndAliases() async throws {
        try await withSmallLimitServer { server, _ in
            let client = server.admin
            let run = try await client.experiments.createRun(RunCreateRequest(project: "models"))
            let first = try await client.experiments.uploadVersion(
                of: "lora", content: Self.content(1000), type: "adapter", aliases: ["best"], metadata: ["rank": 8], runID: run.id)
            #expect(first.version == 1 && first.aliases == ["best", "latest"] && first.type == "adapter")
            #expect(first.sha256 == SHA256.hash(Self.content(1000)).map { String(format: "%02x", $0) }.joined())
            #expect(first.runID == run.id && first.metadata == ["rank": 8] && first.sizeBytes == 1000)
            let second = try await client.experiments.uploadVersion(of: "lora", content: Self.content(2000))
            #expect(second.version == 2 && second.aliases == ["latest"])

            let artifact = try await client.experiments.artifact("lora")
            #expect(artifact.versionCount == 2 && artifact.latestVersion == 2 && artifact.aliases == ["latest": 2, "best": 1])
            #expect(try await client.experiments.versions(of: "lora").collect().map(\.version) == [2, 1])
            #expect(try await client.experiments.version("best", of: "lora").version == 1)
            #expect(try await client.experiments.version("v2", of: "lora").sizeBytes == 2000)

            let moved = try await client.experiments.setAlias("best", of: "lora", to: 2)
            #expect(moved.aliases == ["best", "latest"])
            await #expect {
                try await client.experiments.setAlias("latest", of: "lora", to: 1)
            } throws: { ($0 as? AutoGitError)?.code == .conflict }
            await #expect {
                try await client.experiments.setAlias("best", of: "lora", to: 9)
            } throws: { ($0 as? AutoGitError)?.status == 404 }
            _ = try await client.experiments.createArtifact(Artifact(name: "dataset", type: "dataset"))
            #expect(try await client.experiments.artifacts(type: "dataset").collect().map(\.name) == ["dataset"])
            await #expect {
                _ = try await client.experiments.createArtifact(Artifact(name: "dataset"))
            } throws: { ($0 as? AutoGitError)?.code == .conflict }
            await #expect {
                _ = try await client.experiments.artifact("missing")
            } throws: { ($0 as? AutoGitError)?.code == .artifactNotFound }
        }
    }

    @Test("downloads carry the ETag; If-None-Match answers 304; a Range answers 206, If-Range guards it, and 416 past the end")
    func downloads() async throws {
        try await withSmallLimitServer { server, _ in
            let client = server.admin
            let bytes = Self.content(10_000)
            let version = try await client.experiments.uploadVersion(of: "ckpt", content: bytes)
            let whole = try await client.experiments.download("ckpt")
            #expect(whole.status == 200 && whole.content == bytes && whole.etag == "\"\(version.sha256)\"")

            let cached = try await client.experiments.download("ckpt", ifNoneMatch: whole.etag)
            #expect(cached.isNotModified && cached.content.isEmpty)

            let head = try await client.experiments.download("ckpt", range: .bytes(0...999))
            #expect(head.isPartial && head.content == bytes.prefix(1000) && head.range == 0...999 && head.totalSize == 10_000)
            let rest = try await client.experiments.download("ckpt", range: .from(1000), ifRange: whole.etag)
            #expect(rest.isPartial && head.content + rest.content == bytes)
            let tail = try await client.experiments.download("ckpt", version: "v1", range: .last(10))
            #expect(tail.content == bytes.suffix(10))

            // The content changed since the tag was taken: If-Range sends it whole.
            let newer = try await client.experiments.uploadVersion(of: "ckpt", content: Self.content(500))
            let changed = try await client.experiments.download("ckpt", range: .from(100), ifRange: whole.etag)
            #expect(changed.status == 200 && changed.content == Self.content(500) && changed.etag == "\"\(newer.sha256)\"")

            await #expect {
                _ = try await client.experiments.download("ckpt", version: "1", range: .from(10_000))
            } throws: { error in
                let error = error as? AutoGitError
                return error?.status == 416 && error?.details?["size_bytes"] == 10_000
            }
        }
    }

    @Test("an upload whose sha256 does not match is refused naming sha256 and stores nothing; an oversized one is 413")
    func refusedUploads() async throws {
        try await withSmallLimitServer { server, baseURL in
            let client = server.admin
            let bytes = Self.content(4096)
            let wrong = String(repeating: "ab", count: 32)
            var request = URLRequest(url: baseURL.appendingPathComponent("v1/artifacts/model/versions"))
            request.url = URL(string: request.url!.absoluteString + "?sha256=\(wrong)")
            request.httpMethod = "POST"
            request.setValue("Bearer \(server.adminToken)", forHTTPHeaderField: "Authorization")
            request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
            request.httpBody = bytes
            let (data, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 422)
            let envelope = try AutoGitJSON.decode(JSONValue.self, from: data)
            #expect(envelope["error"]?["details"]?["field"] == "sha256")
            #expect(envelope["error"]?["details"]?["expected"]?.stringValue == wrong)
            await #expect {
                _ = try await client.experiments.artifact("model")
            } throws: { ($0 as? AutoGitError)?.code == .artifactNotFound }

            await #expect {
                _ = try await client.experiments.uploadVersion(of: "model", content: Self.content(64 * 1024 + 1))
            } throws: { error in
                let error = error as? AutoGitError
                return error?.status == 413 && error?.code == .payloadTooLarge && error?.details?["limit_bytes"] == 65_536
            }
            let fits = try await client.experiments.uploadVersion(of: "model", content: Self.content(64 * 1024))
            #expect(fits.version == 1, "the refused uploads took no version number")
        }
    }

    @Test("a multipart/form-data upload takes the file part and its form fields")
    func multipartUpload() async throws {
        try await withSmallLimitServer { server, baseURL in
            let bytes = Self.content(3000) + Data("\r\n--not-the-boundary\r\n".utf8)
            let digest = SHA256.hash(bytes).map { String(format: "%02x", $0) }.joined()
            let boundary = "----autogit-test-\(UUID().uuidString)"
            var body = Data("preamble to ignore\r\n".utf8)
            func field(_ name: String, _ value: String) {
                body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
            }
            field("sha256", digest)
            field("type", "checkpoint")
            field("aliases", "best, candidate")
            field("metadata", #"{"epoch": 3}"#)
            body += Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ckpt.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .utf8)
            body += bytes
            body += Data("\r\n--\(boundary)--\r\nepilogue".utf8)

            var request = URLRequest(url: baseURL.appendingPathComponent("v1/artifacts/form-upload/versions"))
            request.httpMethod = "POST"
            request.setValue("Bearer \(server.adminToken)", forHTTPHeaderField: "Authorization")
            request.setValue("multipart/form-data; boundary=\"\(boundary)\"", forHTTPHeaderField: "Content-Type")
            request.httpBody = body
            let (data, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 201, "\(String(decoding: data, as: UTF8.self))")
            let version = try AutoGitJSON.decode(ArtifactVersion.self, from: data)
            #expect(version.sha256 == digest && version.type == "checkpoint" && version.sizeBytes == Int64(bytes.count))
            #expect(version.aliases == ["best", "candidate", "latest"] && version.metadata == ["epoch": 3])
            let download = try await server.admin.experiments.download("form-upload", version: "candidate")
            #expect(download.content == bytes)

            request.httpBody = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--\(boundary)--".utf8)
            let (missing, missingResponse) = try await URLSession.shared.data(for: request)
            #expect((missingResponse as? HTTPURLResponse)?.statusCode == 422)
            #expect(try AutoGitJSON.decode(JSONValue.self, from: missing)["error"]?["details"]?["field"] == "file")
        }
    }
}
