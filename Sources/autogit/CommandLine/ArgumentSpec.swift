/// A declared positional argument, such as the `<id>` of `autogit runners get <id>`.
///
/// Positionals are filled in declaration order, so optional ones come after required ones and a variadic one
/// comes last.
struct ArgumentSpec: Sendable, Hashable {
    var name: String
    var help: String
    var isOptional: Bool
    /// Takes every remaining word.
    var isVariadic: Bool
    /// When non-empty, any other value is a usage error; completion scripts offer these.
    var allowedValues: [String]

    init(_ name: String, help: String, isOptional: Bool = false, isVariadic: Bool = false, allowedValues: [String] = []) {
        self.name = name
        self.help = help
        self.isOptional = isOptional
        self.isVariadic = isVariadic
        self.allowedValues = allowedValues
    }

    /// How usage lines show the argument: `<id>`, `[<id>]`, `<id>...`, `[<id>...]`.
    var synopsis: String {
        let core = "<\(name)>" + (isVariadic ? "..." : "")
        return isOptional ? "[\(core)]" : core
    }
}
