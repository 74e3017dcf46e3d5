extension CommandSpec {
    /// The handler of a command whose backing code does not exist yet: it exits 1 naming what it waits for, and
    /// never prints made-up results.
    static func notImplemented(needs: String = "the SDK client, issue 5") -> Handler {
        { _, context in throw context.notImplemented(needs: needs) }
    }
}
