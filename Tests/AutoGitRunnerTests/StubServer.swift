import AutoGitClient
import AutoGitCore
import Foundation

/// A small in-process stand-in for the server's runner-agent endpoints, reached through the SDK's
/// `InProcessTransport`: registration, heartbeats (with cancels and a server-held status), the job long poll, job
/// reports and idempotent, ordered log uploads. It records what the agent sent so tests can check it.
actor StubServer {
    /// What happens to one log upload.
    enum LogFault: Sendable {
        case none
        /// 503 before anything is stored.
        case failBeforeStoring
        /// The lines are stored, then the answer is lost (503).
        case failAfterStoring
    }

    let runnerID = "runner-stub"
    let runnerToken = "runner-token"
    /// The only registration token the stub accepts.
    let registrationToken = "registration-token"
    var registrations: [RunnerRegistration] = []
    var heartbeats: [Heartbeat] = []
    var queue: [Job] = []
    var jobs: [String: Job] = [:]
    var updates: [String: [JobUpdate]] = [:]
    var logs: [String: [LogEntry]] = [:]
    var logRequests = 0
    var cancelJobIDs: Set<String> = []
    /// Jobs whose log uploads are answered 404, as for a job the server no longer gives this runner.
    var refusedJobIDs: Set<String> = []
    var status: RunnerStatus = .active
    var heartbeatInterval = 0.05
    var jobRequests = 0
    var deleteRequests = 0
    /// Decides the fate of the n-th log upload (from 1).
    var logFault: @Sendable (Int) -> LogFault = { _ in .none }
    /// Credentials seen, by endpoint kind, to check the agent switched to its runner token.
    var authorizations: [String: Set<String>] = [:]

    var transport: InProcessTransport {
        InProcessTransport { request in await self.handle(request) }
    }

    func client(retries: Bool = true) -> AutoGitClient {
        let client = AutoGitClient(baseURL: URL(string: "http://stub.invalid")!, credentials: .bearer(runnerToken), transport: transport)
        return retries ? client : client.with { $0.retry = .disabled }
    }

    // MARK: - Test controls

    func enqueue(_ spec: JobSpec, id: String, gpus: [Int] = [], attempt: Int = 1) {
        var job = Job(id: id, spec: spec, attempt: attempt, createdAt: Date())
        job.gpuIndices = gpus
        jobs[id] = job
        queue.append(job)
    }

    func cancel(_ id: String) {
        cancelJobIDs.insert(id)
        jobs[id]?.cancelRequested = true
    }

    func setStatus(_ status: RunnerStatus) { self.status = status }

    func refuse(_ id: String) { refusedJobIDs.insert(id) }

    func setLogFault(_ fault: @escaping @Sendable (Int) -> LogFault) { logFault = fault }

    func seed(logs entries: [LogEntry], for id: String) { logs[id] = entries }

    func messages(of id: String, stream: LogStream? = nil) -> [String] {
        (logs[id] ?? []).filter { stream == nil || $0.stream == stream }.map(\.message)
    }

    func finalUpdate(of id: String) -> JobUpdate? {
        updates[id]?.last { $0.status?.isFinal == true }
    }

    /// The same routes for a request that arrived over a socket (``LoopbackStub``).
    func handle(method: String, target: String, authorization: String?, body: [UInt8]) async -> (status: Int, body: [UInt8]) {
        var headers = HTTPHeaders()
        if let authorization { headers["Authorization"] = authorization }
        let request = HTTPRequestData(
            method: method, url: URL(string: "http://stub.invalid" + target)!, headers: headers, body: body.isEmpty ? nil : Data(body))
        let response = await handle(request)
        let data = (try? await response.body.collect()) ?? Data()
        return (response.status, Array(data))
    }

    // MARK: - Routing

    func handle(_ request: HTTPRequestData) async -> HTTPResponseData {
        let parts = Array(request.url.path.split(separator: "/").map(String.init).dropFirst())
        let authorization = request.headers["Authorization"] ?? ""
        // Job routes carry the job's id in the second place: route on a pattern with it blanked out.
        let id = parts.count >= 2 && parts[0] == "jobs" ? parts[1] : ""
        let route = parts.enumerated().map { $0.offset == 1 && parts[0] == "jobs" ? "*" : $0.element }
        switch (request.method, route) {
        case ("POST", ["runners", "register"]):
            authorizations["register", default: []].insert(authorization)
            guard authorization == "Bearer \(registrationToken)" else { return error(401, "AUTHENTICATION_REQUIRED") }
            guard let registration = decode(RunnerRegistration.self, request) else { return error(400, "BAD_REQUEST") }
            registrations.append(registration)
            return json(201, RunnerRegistrationResult(runnerID: runnerID, token: runnerToken))
        case ("POST", ["runners", runnerID, "heartbeat"]):
            authorizations["agent", default: []].insert(authorization)
            guard let heartbeat = decode(Heartbeat.self, request) else { return error(400, "BAD_REQUEST") }
            heartbeats.append(heartbeat)
            let cancels = cancelJobIDs.filter { heartbeat.runningJobIDs.contains($0) }.sorted()
            return json(200, HeartbeatAcknowledgement(status: status, cancelJobIDs: cancels, nextHeartbeatIn: heartbeatInterval))
        case ("POST", ["runners", runnerID, "jobs", "request"]):
            authorizations["agent", default: []].insert(authorization)
            jobRequests += 1
            let wait = Double(request.url.query?.split(separator: "=").last.flatMap { Int($0) } ?? 0)
            let deadline = Date().addingTimeInterval(min(wait, 0.2))
            while true {
                if status.acceptsJobs, !queue.isEmpty {
                    var job = queue.removeFirst()
                    job.status = .assigned
                    job.runnerID = runnerID
                    jobs[job.id] = job
                    return json(200, job)
                }
                if Date() >= deadline || Task.isCancelled { return HTTPResponseData(status: 204) }
                try? await Task.sleep(for: .milliseconds(10))
            }
        case ("PATCH", ["jobs", "*"]):
            guard var job = jobs[id], let update = decode(JobUpdate.self, request) else { return error(404, "JOB_NOT_FOUND") }
            updates[id, default: []].append(update)
            if job.status == .cancelled, update.status != nil, update.status != .cancelled {
                return error(409, "INVALID_STATE_TRANSITION")
            }
            if let status = update.status { job.status = status }
            if let results = update.stepResults { job.stepResults = results }
            if let code = update.exitCode { job.exitCode = code }
            jobs[id] = job
            return json(200, job)
        case ("POST", ["jobs", "*", "logs"]):
            logRequests += 1
            if refusedJobIDs.contains(id) { return error(404, "JOB_NOT_FOUND") }
            let fault = logFault(logRequests)
            if case .failBeforeStoring = fault { return error(503, "SERVICE_UNAVAILABLE") }
            guard let batch = decode(LogBatch.self, request) else { return error(400, "BAD_REQUEST") }
            var stored = logs[id] ?? []
            let last = stored.last?.sequence ?? 0
            if let first = batch.entries.first?.sequence, first > last + 1 {
                return error(409, "CONFLICT", details: ["last_sequence": .number(Double(last))])
            }
            var accepted = 0
            for entry in batch.entries where (entry.sequence ?? 0) == (stored.last?.sequence ?? 0) + 1 {
                stored.append(entry)
                accepted += 1
            }
            logs[id] = stored
            if case .failAfterStoring = fault { return error(503, "SERVICE_UNAVAILABLE") }
            return json(200, LogBatchResult(accepted: accepted, lastSequence: stored.last?.sequence ?? 0))
        case ("GET", ["jobs", "*", "logs"]):
            return json(200, Page(items: Array((logs[id] ?? []).suffix(1)), totalCount: logs[id]?.count ?? 0))
        case ("DELETE", ["runners", runnerID]):
            deleteRequests += 1
            return error(403, "AUTHORIZATION_FAILED")
        default:
            return error(404, "NOT_FOUND")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ request: HTTPRequestData) -> T? {
        guard let body = request.body else { return nil }
        return try? AutoGitJSON.decoder().decode(T.self, from: body)
    }

    private func json(_ status: Int, _ value: some Encodable) -> HTTPResponseData {
        var headers = HTTPHeaders()
        headers["Content-Type"] = "application/json"
        return HTTPResponseData(status: status, headers: headers, body: HTTPBody((try? AutoGitJSON.encode(value)) ?? Data()))
    }

    private func error(_ status: Int, _ code: String, details: [String: JSONValue]? = nil) -> HTTPResponseData {
        var body: [String: JSONValue] = ["code": .string(code), "message": .string(code.lowercased())]
        if let details { body["details"] = .object(details) }
        return json(status, ["error": JSONValue.object(body)])
    }
}
