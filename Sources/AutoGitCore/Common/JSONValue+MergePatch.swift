extension JSONValue {
    /// This value with an RFC 7396 JSON merge patch applied: objects merge member by member, `null` removes a
    /// member, anything else replaces the target.
    public func applyingMergePatch(_ patch: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var members = objectValue ?? [:]
        for (name, value) in patchMembers {
            if value.isNull {
                members.removeValue(forKey: name)
            } else {
                members[name] = (members[name] ?? .null).applyingMergePatch(value)
            }
        }
        return .object(members)
    }
}
