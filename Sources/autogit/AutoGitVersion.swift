/// The version `autogit --version` prints.
enum AutoGitVersion {
    static let current = "0.1.0"
}
