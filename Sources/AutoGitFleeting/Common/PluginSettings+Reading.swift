import AutoGitCore

/// Typed reads of a plugin's settings that fail with `PLUGIN_CONFIGURATION` naming the key, instead of silently
/// ignoring a value of the wrong type.
extension PluginSettings {
    func configurationError(_ key: String, _ message: String) -> CoreError {
        CoreError(.pluginConfiguration, "\(providerName): settings.\(key) \(message)", field: "settings.\(key)")
    }

    func optionalString(_ key: String) throws -> String? {
        guard let value = settings[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw configurationError(key, "must be a string") }
        return text
    }

    func optionalInt(_ key: String, minimum: Int? = nil) throws -> Int? {
        guard let value = settings[key], value != .null else { return nil }
        guard let number = value.intValue else { throw configurationError(key, "must be a whole number") }
        if let minimum, number < minimum { throw configurationError(key, "must be at least \(minimum)") }
        return number
    }

    /// A duration in seconds (fractions allowed).
    func optionalSeconds(_ key: String) throws -> Duration? {
        guard let value = settings[key], value != .null else { return nil }
        guard let seconds = value.doubleValue, seconds > 0, seconds < 1e9 else {
            throw configurationError(key, "must be a positive number of seconds")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let value = settings[key], value != .null else { return nil }
        guard let flag = value.boolValue else { throw configurationError(key, "must be true or false") }
        return flag
    }

    func optionalStrings(_ key: String) throws -> [String]? {
        guard let value = settings[key], value != .null else { return nil }
        guard let items = value.arrayValue else { throw configurationError(key, "must be an array of strings") }
        return try items.map { item in
            guard let text = item.stringValue else { throw configurationError(key, "must be an array of strings") }
            return text
        }
    }

    func optionalStringMap(_ key: String) throws -> [String: String]? {
        guard let value = settings[key], value != .null else { return nil }
        guard let members = value.objectValue else { throw configurationError(key, "must be an object of strings") }
        return try members.mapValues { member in
            guard let text = member.stringValue else { throw configurationError(key, "must be an object of strings") }
            return text
        }
    }

    /// The `offers` array, decoded as ``Offer`` values, or nil when absent.
    func optionalOffers() throws -> [Offer]? {
        guard let value = settings["offers"], value != .null else { return nil }
        do {
            return try value.decode(as: [Offer].self)
        } catch {
            throw configurationError("offers", "must be an array of offers ({\"id\", \"gpu_type\", \"gpu_count\", …}): \(error)")
        }
    }

    /// Checks the provider name can prefix runner names, Slurm job names and file names unquoted.
    func validatedProviderName() throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !providerName.isEmpty, providerName.count <= 64, providerName.allSatisfy({ allowed.contains($0) }) else {
            throw CoreError(
                .pluginConfiguration,
                "The provider name '\(providerName)' must be 1 to 64 letters, digits, '-', '_' or '.'", field: "name")
        }
        return providerName
    }
}
