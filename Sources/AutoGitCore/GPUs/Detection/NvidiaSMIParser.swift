import Foundation

/// Reads the output of `nvidia-smi`.
///
/// - ``query`` is the column list the runner asks for; ``parseQuery(_:)`` reads the CSV it prints with
///   `--format=csv,noheader,nounits`.
/// - ``parseList(_:)`` reads `nvidia-smi -L`, the only place MIG devices and their UUIDs appear.
/// - ``gpus(query:list:)`` combines both: a GPU in MIG mode is replaced by one schedulable GPU per MIG device.
public enum NvidiaSMIParser {
    /// The `--query-gpu` columns, in the order ``parseQuery(_:)`` expects.
    public static let query = "index,uuid,name,memory.total,memory.used,utilization.gpu,temperature.gpu,driver_version"

    /// A physical GPU and its MIG devices, from `nvidia-smi -L`.
    public struct ListedGPU: Sendable, Hashable {
        public var index: Int
        public var name: String
        public var uuid: String?
        public var migDevices: [MIGDevice]
    }

    /// A MIG device: `MIG 3g.40gb Device 0: (UUID: MIG-…)`.
    public struct MIGDevice: Sendable, Hashable {
        public var profile: String
        public var deviceIndex: Int
        public var uuid: String
    }

    /// Parses the CSV rows of `--query-gpu=<query> --format=csv,noheader,nounits`. `[N/A]` and `[Not Supported]`
    /// become nil. "No devices were found" is an empty list.
    ///
    /// - Throws: ``CoreError`` `GPU_DETECTION_FAILED` when nvidia-smi printed an error (no driver, no permission) or
    ///   something that is not its CSV.
    public static func parseQuery(_ output: String) throws(CoreError) -> [GPU] {
        let lines = output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if lines.isEmpty || lines.contains(where: { $0.lowercased().hasPrefix("no devices were found") }) { return [] }
        var gpus: [GPU] = []
        for line in lines {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count == 8, let index = Int(fields[0]), let memoryTotal = number(fields[3]) else {
                throw detectionFailed(lines)
            }
            gpus.append(
                GPU(
                    index: index, uuid: value(fields[1]), vendor: .nvidia, model: fields[2], memoryTotalMB: Int(memoryTotal),
                    memoryUsedMB: number(fields[4]).map { Int($0) }, utilization: number(fields[5]),
                    temperature: number(fields[6]), driverVersion: value(fields[7])))
        }
        return gpus
    }

    /// Parses `nvidia-smi -L`: `GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)` lines, each followed by its MIG devices.
    public static func parseList(_ output: String) throws(CoreError) -> [ListedGPU] {
        var listed: [ListedGPU] = []
        let lines = output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if lines.contains(where: { $0.lowercased().hasPrefix("no devices were found") }) { return [] }
        for line in lines {
            if line.hasPrefix("GPU "), let colon = line.firstIndex(of: ":"),
                let index = Int(line[line.index(line.startIndex, offsetBy: 4)..<colon])
            {
                let rest = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                let (name, uuid) = splitUUID(rest)
                listed.append(ListedGPU(index: index, name: name, uuid: uuid, migDevices: []))
            } else if line.hasPrefix("MIG "), !listed.isEmpty {
                // MIG 3g.40gb     Device  0: (UUID: MIG-...)
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                guard words.count >= 4, words[2] == "Device",
                    let device = Int(words[3].trimmingCharacters(in: CharacterSet(charactersIn: ":"))),
                    case (_, let uuid?) = splitUUID(line)
                else { throw detectionFailed(lines) }
                listed[listed.count - 1].migDevices.append(MIGDevice(profile: String(words[1]), deviceIndex: device, uuid: uuid))
            } else {
                throw detectionFailed(lines)
            }
        }
        return listed
    }

    /// The schedulable GPUs: each physical GPU from the query, except that one with MIG devices in the listing
    /// becomes one GPU per MIG device (memory from its profile, `partition` set). Indices are renumbered from 0 so
    /// they stay unique on the runner; `uuid` is what `CUDA_VISIBLE_DEVICES` must name for a MIG device.
    public static func gpus(query: [GPU], list: [ListedGPU]) -> [GPU] {
        var result: [GPU] = []
        for gpu in query.sorted(by: { $0.index < $1.index }) {
            let listing = list.first { $0.uuid != nil && $0.uuid == gpu.uuid } ?? list.first { $0.index == gpu.index }
            guard let listing, !listing.migDevices.isEmpty else {
                var whole = gpu
                whole.index = result.count
                whole.id = "gpu\(whole.index)"
                result.append(whole)
                continue
            }
            for device in listing.migDevices.sorted(by: { $0.deviceIndex < $1.deviceIndex }) {
                let index = result.count
                result.append(
                    GPU(
                        index: index, uuid: device.uuid, vendor: .nvidia, model: "\(gpu.model) MIG \(device.profile)",
                        memoryTotalMB: migMemoryMB(device.profile) ?? 0, temperature: gpu.temperature,
                        driverVersion: gpu.driverVersion,
                        partition: GPUPartition(
                            kind: "mig", profile: device.profile, parentUUID: gpu.uuid, parentIndex: gpu.index,
                            gpuInstanceID: nil, computeInstanceID: nil)))
            }
        }
        return result
    }

    /// `3g.40gb` → 40960; `1g.10gb` → 10240; `1g.5gb+me` → 5120.
    static func migMemoryMB(_ profile: String) -> Int? {
        guard let dot = profile.firstIndex(of: ".") else { return nil }
        let memory = profile[profile.index(after: dot)...].prefix { $0.isNumber }
        return Int(memory).map { $0 * 1024 }
    }

    private static func splitUUID(_ text: String) -> (name: String, uuid: String?) {
        guard let open = text.range(of: "(UUID:", options: .backwards) else { return (text, nil) }
        let name = text[..<open.lowerBound].trimmingCharacters(in: .whitespaces)
        let uuid = text[open.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: " )"))
        return (name, uuid.isEmpty ? nil : uuid)
    }

    private static func value(_ field: String) -> String? {
        field.isEmpty || field.hasPrefix("[") ? nil : field
    }

    private static func number(_ field: String) -> Double? {
        value(field).flatMap(Double.init)
    }

    private static func detectionFailed(_ lines: [String]) -> CoreError {
        let excerpt = lines.prefix(2).joined(separator: " ").prefix(200)
        return CoreError(.gpuDetectionFailed, "nvidia-smi printed something other than its GPU list: \(excerpt)")
    }
}

extension ErrorCode {
    /// A GPU tool printed an error or output AutoGit cannot read.
    public static let gpuDetectionFailed: ErrorCode = "GPU_DETECTION_FAILED"
}
