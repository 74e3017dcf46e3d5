/// One event of a Server-Sent Events stream.
public struct ServerSentEvent: Sendable, Hashable {
    /// The event's name (`event:`); `message` when the block named none.
    public var event: String
    /// The data lines joined with `\n`.
    public var data: String
    /// The stream's last event id when this event was dispatched (`id:` of this block or of an earlier one);
    /// empty when none was ever set.
    public var id: String

    /// An event with these fields.
    public init(event: String = "message", data: String, id: String = "") {
        self.event = event
        self.data = data
        self.id = id
    }
}
