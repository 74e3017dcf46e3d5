import Foundation

/// Reads `rocm-smi --showproductname --showmeminfo vram --json`: an object with one `cardN` member per GPU.
///
/// Key names changed between ROCm releases (`Card series` / `Card Series`, `VRAM Total Memory (B)`), so keys are
/// matched without regard to case or spacing.
public enum ROCmSMIParser {
    public static func parse(_ output: String) throws(CoreError) -> [GPU] {
        let trimmed = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.lowercased().contains("no amd gpus") { return [] }
        // Older releases print warnings before the JSON; start at the first brace.
        guard let start = trimmed.firstIndex(of: "{"),
            let value = try? JSONDecoder().decode(JSONValue.self, from: Data(trimmed[start...].utf8)),
            let cards = value.objectValue
        else {
            throw CoreError(.gpuDetectionFailed, "rocm-smi printed something other than JSON: \(trimmed.prefix(200))")
        }
        var gpus: [GPU] = []
        for (name, card) in cards where name.lowercased().hasPrefix("card") {
            guard let index = Int(name.dropFirst(4)), let fields = card.objectValue else { continue }
            var normalized: [String: String] = [:]
            for (key, field) in fields {
                let text = field.stringValue ?? field.doubleValue.map { String(Int64($0)) }
                normalized[key.lowercased().filter { $0.isLetter || $0.isNumber }] = text
            }
            let model = normalized["cardseries"] ?? normalized["cardmodel"] ?? normalized["marketingname"] ?? "AMD GPU"
            let total = normalized["vramtotalmemoryb"].flatMap(Double.init).map { Int($0 / 1_048_576) } ?? 0
            let used = normalized["vramtotalusedmemoryb"].flatMap(Double.init).map { Int($0 / 1_048_576) }
            gpus.append(
                GPU(
                    index: index, uuid: normalized["uniqueid"], vendor: .amd, model: model, memoryTotalMB: total,
                    memoryUsedMB: used, driverVersion: normalized["driverversion"]))
        }
        return gpus.sorted { $0.index < $1.index }
    }
}
