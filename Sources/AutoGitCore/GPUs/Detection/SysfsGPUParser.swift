/// Reads what Linux exposes without any vendor tool, the fallback when `nvidia-smi` and `rocm-smi` are missing.
///
/// - `/proc/driver/nvidia/gpus/<bus>/information`: `Model:`, `GPU UUID:`, `Device Minor:` lines.
/// - `/sys/class/drm/cardN/device/vendor` (`0x10de` NVIDIA, `0x1002` AMD, `0x8086` Intel) and, for AMD,
///   `mem_info_vram_total` in bytes.
///
/// Memory is unknown for NVIDIA GPUs found this way (0), so jobs that ask for a minimum memory will not be placed
/// on them; the runner logs that detection was partial.
public enum SysfsGPUParser {
    /// One `/proc/driver/nvidia/gpus/*/information` file.
    public static func nvidiaInformation(_ text: String) -> GPU? {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let model = fields["model"], !model.isEmpty else { return nil }
        let index = fields["device minor"].flatMap { Int($0) } ?? 0
        return GPU(index: index, uuid: fields["gpu uuid"], vendor: .nvidia, model: model, memoryTotalMB: 0)
    }

    /// A DRM card: its `vendor` file contents and, when present, `mem_info_vram_total`.
    public static func drmCard(index: Int, vendorID: String, vramTotalBytes: String?, productName: String?) -> GPU? {
        let vendor: GPUVendor
        switch vendorID.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "0x10de": vendor = .nvidia
        case "0x1002": vendor = .amd
        case "0x8086": vendor = .intel
        default: return nil
        }
        let bytes = vramTotalBytes.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        let name = productName?.trimmingCharacters(in: .whitespacesAndNewlines)
        return GPU(
            index: index, vendor: vendor, model: name?.isEmpty == false ? name! : "\(vendor.rawValue.uppercased()) GPU",
            memoryTotalMB: Int(bytes / 1_048_576))
    }
}
