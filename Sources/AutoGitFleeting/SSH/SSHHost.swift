/// One machine of the `ssh` plugin's pool.
struct SSHHost: Sendable, Hashable {
    /// Unique in the pool; the first half of instance ids (`gpu1:4242`). The address unless configured.
    var name: String
    var address: String
    var port: Int
    var user: String
    var maxInstances: Int
}
