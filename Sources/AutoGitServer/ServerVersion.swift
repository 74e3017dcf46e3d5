/// The reference server's version, reported by `GET /v1/system/info` and in webhook `User-Agent`s.
public enum ServerVersion {
    public static let current = "0.1.0"
}
