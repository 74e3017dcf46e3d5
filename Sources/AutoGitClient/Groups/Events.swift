import AutoGitCore

extension AutoGitClient {
    /// The fleet's events as a Server-Sent Events stream.
    public struct Events: Sendable {
        let client: AutoGitClient

        /// `GET /v1/events`: every event of the chosen `types` (all when empty), as it happens, until the task
        /// reading the stream is cancelled.
        ///
        /// After a dropped connection the stream reconnects, waiting as the server's `retry:` asks and backing off
        /// on repeated failures, and sends `Last-Event-ID` so the server replays what was missed. Pass
        /// `lastEventID` to resume from an event seen earlier.
        ///
        /// ```swift
        /// for try await event in client.events.stream(types: [.jobStatusChanged]) {
        ///     print(event.type, event.payload)
        /// }
        /// ```
        public func stream(types: [EventType] = [], lastEventID: String? = nil) -> AsyncThrowingStream<Event, any Error> {
            var query = Query()
            query.add("types", types)
            return client.eventStream(resumingAfter: lastEventID) { [query] _ throws(AutoGitError) in
                APIRequest("GET", Path("v1", "events"), query: query)
            } handle: { event throws(AutoGitError) in
                .yield(try Event.decodeEvent(event))
            }
        }
    }
}
