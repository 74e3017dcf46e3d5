import AutoGitCore
import Foundation

/// Job output as append-only files, one per job (`logs/<job id>.jsonl`, one JSON ``LogEntry`` per line), synced
/// before an upload is answered.
///
/// Uploads are idempotent: each line carries the agent's sequence number and a line whose sequence the store
/// already holds is skipped, so a batch retried after a dropped connection neither loses nor duplicates output. A
/// line that would leave a gap is refused (409 `CONFLICT` with `details.last_sequence`), so no hole is ever stored.
/// Lines without a sequence are numbered after the last one. Followers (`logs?follow=true`) get the lines after
/// the sequence they resume from, then each new line as it is appended.
///
/// A retried job keeps one log: sequences grow across its attempts. The first upload of a later attempt writes a
/// `system` line ("Attempt 2 of 3 on runner …", with `attempt` and `sequence_offset` in its context) and fixes
/// where that attempt's lines go: right after the marker, whatever number the agent starts from (it asks for the
/// last stored sequence, but may not have got an answer). The agent's numbers keep their role within the attempt
/// (order, and idempotency of retried uploads), and answers give `last_sequence` in the agent's numbering. The
/// marker is in the file, so the numbering survives a restart.
///
/// Lines are numbered and written in this actor, in order; the fdatasync that an upload's answer waits for runs on
/// a dedicated thread (one of a few lanes, a job always on the same one), so syncs of different jobs proceed in
/// parallel, no thread of Swift's cooperative pool blocks in the kernel, and a job's next upload can be written
/// while the last one syncs. Followers get lines once they are synced, in order. Agents batch lines, so the cost is
/// per batch, not per line.
public actor JobLogStore {
    public let directory: String
    private var lastSequences: [String: Int] = [:]
    /// Per job, the highest stored sequence known to be on stable storage. Below ``lastSequences``, an upload of
    /// nothing new still syncs before it is answered (the sync of the first try failed or is still running).
    private var syncedSequences: [String: Int] = [:]
    /// Per job, lines written but not yet synced, in order: handed to followers once a sync covers them.
    private var unsynced: [String: [LogEntry]] = [:]
    /// Jobs whose log file was created and whose directory entry is not yet synced.
    private var newFiles: Set<String> = []
    private let io = BlockingIO(name: "autogit-job-logs", laneCount: 4)
    /// Reads of whole logs (a page, a tail, a follower's backlog), apart from the syncs so a large read holds up
    /// no upload.
    private let reader = BlockingIO(name: "autogit-job-log-reads", laneCount: 2)
    /// Per job, the attempt whose lines are being stored and how far the store's sequence is ahead of its agent's.
    private var numberings: [String: AttemptNumbering] = [:]
    private var openFiles: [String: DurableFile] = [:]
    private var fileUse: [String] = []
    private var followers: [String: [UUID: Follower]] = [:]
    /// Followers of a finished job still reading their backlog: they end once it is sent.
    private var finishing: [UUID: Follower] = [:]
    private let maximumOpenFiles = 128

    public init(directory: String) throws(ServerError) {
        self.directory = directory
        try FileManager.default.createPrivateDirectory(atPath: directory)
    }

    private nonisolated func path(of jobID: String) -> String {
        // Job ids are server-made (`job-<hex>`), but never let one name a path outside the directory.
        let safe = jobID.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return directory + "/" + String(safe) + ".jsonl"
    }

    /// Appends the new lines of `entries` and returns how many were new and the last sequence held.
    public func append(_ entries: [LogEntry], to jobID: String, attempt: Int = 1) async throws(ServerError) -> LogBatchResult {
        try await appendEntries(entries, to: jobID, attempt: attempt).result
    }

    /// Appends the new lines of `entries`, uploaded by the agent running `attempt` of the job; returns the result (in
    /// the agent's numbering) and the lines that were new, numbered as stored and stamped with the job. `marker` is
    /// the text of the line that opens a later attempt.
    func appendEntries(
        _ entries: [LogEntry], to jobID: String, attempt: Int = 1, marker: @autoclosure () -> String = ""
    ) async throws(ServerError) -> (result: LogBatchResult, accepted: [LogEntry]) {
        let held = try lastSequence(of: jobID)
        var numbering = try self.numbering(of: jobID)
        var last = held
        var accepted: [LogEntry] = []
        let encoder = AutoGitJSON.encoder()
        var bytes: [UInt8] = []
        func add(_ entry: LogEntry) {
            guard let line = try? encoder.encode(entry) else { return }
            bytes.append(contentsOf: line)
            bytes.append(UInt8(ascii: "\n"))
            accepted.append(entry)
        }
        if attempt > numbering.attempt {
            last += 1
            // The agent's first line goes right after the marker.
            let first = entries.compactMap(\.sequence).min() ?? 1
            numbering = AttemptNumbering(attempt: attempt, offset: last + 1 - first)
            let text = marker()
            add(
                LogEntry(
                    sequence: last, timestamp: Date(), message: text.isEmpty ? "Attempt \(attempt)" : text, stream: .system,
                    jobID: jobID,
                    context: ["attempt": .number(Double(attempt)), "sequence_offset": .number(Double(numbering.offset))]))
        }
        let offset = numbering.offset
        let heldByAgent = max(0, held - offset)
        for var entry in entries.sorted(by: { ($0.sequence ?? Int.max) < ($1.sequence ?? Int.max) }) {
            if let sequence = entry.sequence {
                let stored = sequence + offset
                guard stored > last else { continue }
                // A hole would be permanent: the agent resends from what the store holds.
                guard stored == last + 1 else {
                    throw ServerError(
                        .conflict, status: 409,
                        "Line \(sequence) would leave a gap after line \(max(0, last - offset)) of job '\(jobID)'; nothing was stored, resend from \(heldByAgent + 1)",
                        details: ["job_id": .string(jobID), "last_sequence": .number(Double(heldByAgent))])
                }
                last = stored
                entry.sequence = stored
            } else {
                last += 1
                entry.sequence = last
            }
            entry.jobID = jobID
            add(entry)
        }
        if !bytes.isEmpty {
            let file = try file(for: jobID)
            try file.write(bytes)
            lastSequences[jobID] = last
            numberings[jobID] = numbering
            unsynced[jobID, default: []] += accepted
        }
        // Whatever this upload covers (new lines, or lines an earlier try wrote) is on stable storage before it is
        // answered.
        if syncedSequences[jobID] ?? 0 < last { try await sync(jobID, upTo: last) }
        return (LogBatchResult(accepted: accepted.count, lastSequence: max(0, last - offset)), accepted)
    }

    /// Syncs the job's file off the cooperative pool (everything written before the sync starts is covered), then
    /// hands the lines it covered to followers, in order, whichever of several overlapping syncs ends first.
    private func sync(_ jobID: String, upTo target: Int) async throws(ServerError) {
        let file = try file(for: jobID)
        let directory = newFiles.remove(jobID) != nil ? self.directory : nil
        do {
            try await io.run(key: jobID) { () throws(ServerError) in
                try file.sync()
                if let directory { DurableFile.syncDirectory(directory) }
            }
        } catch {
            if directory != nil { newFiles.insert(jobID) }
            throw error
        }
        guard target > syncedSequences[jobID] ?? 0 else { return }
        syncedSequences[jobID] = target
        let pending = unsynced[jobID] ?? []
        let covered = pending.prefix { ($0.sequence ?? 0) <= target }
        guard !covered.isEmpty else { return }
        unsynced[jobID] = pending.count == covered.count ? nil : Array(pending.dropFirst(covered.count))
        for id in followers[jobID].map({ Array($0.keys) }) ?? [] {
            followers[jobID]?[id]?.deliver(covered)
        }
    }

    /// The stored lines of a job after sequence `after`, the last `lines` of them when given. The file is read off
    /// the actor, so a long log holds up nobody's uploads.
    public func entries(of jobID: String, after: Int = 0, lines: Int? = nil) async throws(ServerError) -> [LogEntry] {
        let all = try await readOffActor(jobID).filter { ($0.sequence ?? 0) > after }
        guard let lines, lines >= 0 else { return all }
        return Array(all.suffix(lines))
    }

    /// The first `limit` stored lines after sequence `after`, as one page whose `has_more` says whether more follow
    /// (ask again after the page's last sequence).
    public func page(of jobID: String, after: Int, limit: Int) async throws(ServerError) -> Page<LogEntry> {
        let all = try await readOffActor(jobID).filter { ($0.sequence ?? 0) > after }
        let items = Array(all.prefix(max(1, limit)))
        return Page(items: items, totalCount: all.count, hasMore: items.count < all.count)
    }

    /// Lines after `after` (the last `lines` of them when given), then each new line, until ``finish(_:)`` is
    /// called for the job or the consumer stops.
    ///
    /// The follower is registered first and the backlog read off the actor: lines synced meanwhile wait in the
    /// follower, and go out after the backlog (which holds only lines synced before it registered), so none is
    /// lost or sent twice.
    public func follow(_ jobID: String, after: Int = 0, lines: Int? = nil) async throws(ServerError) -> AsyncStream<LogEntry> {
        let (stream, continuation) = AsyncStream.makeStream(of: LogEntry.self, bufferingPolicy: .bufferingNewest(100_000))
        _ = try lastSequence(of: jobID)
        let synced = syncedSequences[jobID] ?? 0
        let id = UUID()
        followers[jobID, default: [:]][id] = Follower(continuation: continuation, waiting: [])
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeFollower(id, of: jobID) }
        }
        let backlog: [LogEntry]
        do {
            backlog = try await readOffActor(jobID)
        } catch {
            removeFollower(id, of: jobID)
            throw error
        }
        var stored = backlog.filter { ($0.sequence ?? 0) > after && ($0.sequence ?? 0) <= synced }
        if let lines, lines >= 0 { stored = Array(stored.suffix(lines)) }
        for entry in stored { continuation.yield(entry) }
        if let waiting = followers[jobID]?[id]?.waiting {
            for entry in waiting { continuation.yield(entry) }
            followers[jobID]?[id]?.waiting = nil
        } else {
            // The job finished (or the consumer left) while the backlog was read: what came meanwhile, then the end.
            for entry in finishing.removeValue(forKey: id)?.waiting ?? [] { continuation.yield(entry) }
            continuation.finish()
        }
        return stream
    }

    /// Ends every follower of a job (it reached a final status).
    public func finish(_ jobID: String) {
        for (id, follower) in followers.removeValue(forKey: jobID) ?? [:] {
            if follower.waiting != nil {
                finishing[id] = follower  // Its backlog is still being read: it ends after sending it.
            } else {
                follower.continuation.finish()
            }
        }
        guard unsynced[jobID] == nil else { return }  // A sync in flight still needs the file.
        openFiles[jobID] = nil
        fileUse.removeAll { $0 == jobID }
    }

    /// How many followers the job has, counting those still reading their backlog (for tests).
    func followerCount(of jobID: String) -> Int {
        followers[jobID]?.count ?? 0
    }

    /// Ends every follower (shutdown).
    public func finishAll() {
        for jobID in followers.keys { finish(jobID) }
    }

    /// The highest sequence stored for the job (0 when none).
    public func lastSequence(of jobID: String) throws(ServerError) -> Int {
        if let known = lastSequences[jobID] { return known }
        try load(jobID)
        return lastSequences[jobID] ?? 0
    }

    /// The attempt whose lines are stored now and its offset (attempt 1, no offset, for a job without a marker).
    private func numbering(of jobID: String) throws(ServerError) -> AttemptNumbering {
        if let known = numberings[jobID] { return known }
        try load(jobID)
        return numberings[jobID] ?? AttemptNumbering(attempt: 1, offset: 0)
    }

    /// Reads what a job's file says about its numbering: the last sequence and the last attempt marker.
    private func load(_ jobID: String) throws(ServerError) {
        let entries = try readAll(jobID)
        lastSequences[jobID] = entries.last?.sequence ?? 0
        // What a previous run of the server left in the file counts as stored.
        syncedSequences[jobID] = entries.last?.sequence ?? 0
        let marker = entries.last { $0.stream == .system && $0.context?["sequence_offset"] != nil }
        if let marker, let attempt = marker.context?["attempt"]?.intValue, let offset = marker.context?["sequence_offset"]?.intValue {
            numberings[jobID] = AttemptNumbering(attempt: attempt, offset: offset)
        } else {
            numberings[jobID] = AttemptNumbering(attempt: 1, offset: 0)
        }
    }

    private func removeFollower(_ id: UUID, of jobID: String) {
        finishing[id] = nil
        followers[jobID]?[id] = nil
        if followers[jobID]?.isEmpty == true { followers[jobID] = nil }
    }

    private func readAll(_ jobID: String) throws(ServerError) -> [LogEntry] {
        Self.read(path(of: jobID))
    }

    private func readOffActor(_ jobID: String) async throws(ServerError) -> [LogEntry] {
        let path = path(of: jobID)
        return try await reader.run(key: jobID) { () throws(ServerError) in Self.read(path) }
    }

    private static func read(_ path: String) -> [LogEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = AutoGitJSON.decoder()
        var entries: [LogEntry] = []
        // A torn last line (a crash mid-write, never acknowledged) does not decode and is skipped.
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let entry = try? decoder.decode(LogEntry.self, from: line) { entries.append(entry) }
        }
        return entries
    }

    private func file(for jobID: String) throws(ServerError) -> DurableFile {
        if let file = openFiles[jobID] {
            fileUse.removeAll { $0 == jobID }
            fileUse.append(jobID)
            return file
        }
        if openFiles.count >= maximumOpenFiles, let oldest = fileUse.first {
            fileUse.removeFirst()
            openFiles[oldest] = nil
        }
        let path = path(of: jobID)
        if !FileManager.default.fileExists(atPath: path) { newFiles.insert(jobID) }
        // A torn last line must not glue itself to the next one: end it first.
        if let data = FileManager.default.contents(atPath: path), let last = data.last, last != UInt8(ascii: "\n") {
            let file = try DurableFile(appendingTo: path)
            try file.write([UInt8(ascii: "\n")])
        }
        let file = try DurableFile(appendingTo: path)
        openFiles[jobID] = file
        fileUse.append(jobID)
        return file
    }
}

/// A follower of a job's log. `waiting` holds the lines synced while its backlog is read (nil once it is live).
private struct Follower {
    let continuation: AsyncStream<LogEntry>.Continuation
    var waiting: [LogEntry]?

    mutating func deliver(_ entries: some Collection<LogEntry>) {
        if waiting != nil {
            waiting?.append(contentsOf: entries)
        } else {
            for entry in entries { continuation.yield(entry) }
        }
    }
}

/// How the lines of a job's current attempt are numbered in its log: the agent's sequence plus `offset`.
private struct AttemptNumbering {
    var attempt: Int
    var offset: Int
}
