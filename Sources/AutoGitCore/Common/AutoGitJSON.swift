import Foundation

/// JSON coders configured for AutoGit's wire format.
///
/// The models carry their own snake_case coding keys, so any coder reads their keys; these coders add the date
/// convention: RFC 3339 strings out, RFC 3339 strings (with or without fractional seconds) or Unix seconds in.
public enum AutoGitJSON {
    /// An encoder writing RFC 3339 dates, with sorted keys so output is stable from run to run.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        return encoder
    }

    /// A decoder reading RFC 3339 dates (fractional seconds accepted) and numeric Unix timestamps.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let seconds = try? container.decode(Double.self) {
                return Date(timeIntervalSince1970: seconds)
            }
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "Expected an RFC 3339 timestamp, found \"\(text.prefix(40))\"")
            }
            return date
        }
        return decoder
    }

    /// Encodes `value` with ``encoder(pretty:)``.
    public static func encode(_ value: some Encodable, pretty: Bool = false) throws -> Data {
        try encoder(pretty: pretty).encode(value)
    }

    /// Decodes a `T` from `data` with ``decoder()``.
    public static func decode<T: Decodable>(_ type: T.Type = T.self, from data: Data) throws -> T {
        try decoder().decode(type, from: data)
    }
}
