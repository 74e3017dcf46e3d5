import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds out what the agent's machine offers: architecture, OS, CPU cores, memory, disk, and GPUs.
///
/// GPUs come from the inventory file when one is given (``GPUInventoryFile``); otherwise from `nvidia-smi` (its CSV
/// query, with `nvidia-smi -L` for MIG slices) and `rocm-smi --json`, parsed by AutoGitCore's parsers; and when
/// neither tool answers, from Linux's `/proc/driver/nvidia/gpus` and `/sys/class/drm`. NVIDIA GPUs are numbered
/// first, then AMD ones. A tool that is missing is skipped quietly; one that fails adds a warning. An agent started
/// by a batch scheduler offers only the GPUs of its own allocation (``SchedulerGPUGrant``).
public struct HostProbe: Sendable {
    /// `--gpu-inventory FILE`, which replaces detection.
    public var gpuInventoryFile: String?
    var tools: ToolRunner
    var procRoot = "/proc"
    var sysRoot = "/sys"
    /// The agent's environment, read for a batch scheduler's GPU grant (`SLURM_JOB_GPUS`).
    var environment: [String: String]

    /// - Parameters:
    ///   - gpuInventoryFile: a JSON list of GPUs to register instead of detecting them.
    ///   - toolSearchPath: where to look for `nvidia-smi` and `rocm-smi` (`PATH` when nil).
    ///   - environment: the agent's environment; a Slurm job's GPU grant in it limits the GPUs offered.
    public init(
        gpuInventoryFile: String? = nil, toolSearchPath: [String]? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.gpuInventoryFile = gpuInventoryFile
        tools = ToolRunner(searchPath: toolSearchPath)
        self.environment = environment
    }

    /// Probes the host; disk space is that of the file system holding `workDirectory`.
    ///
    /// - Throws: ``RunnerError`` `GPU_INVENTORY_INVALID` when an inventory file was given and cannot be read.
    public func probe(workDirectory: String) async throws(RunnerError) -> HostInventory {
        var inventory = try await probeEverything(workDirectory: workDirectory)
        guard inventory.gpuSource != .inventoryFile, let grant = SchedulerGPUGrant(environment: environment) else { return inventory }
        let granted = inventory.gpus.filter(grant.includes)
        if granted.isEmpty && !grant.indices.isEmpty {
            inventory.gpus = grant.placeholderGPUs
            inventory.deviceIDs = HostInventory.defaultDeviceIDs(inventory.gpus).merging(grant.deviceIDs) { _, granted in granted }
            inventory.gpuSource = .scheduler
            inventory.warnings.append(
                "no GPU detected; offering GPUs \(grant.indices.map(String.init).joined(separator: ",")) granted by \(grant.source)")
        } else if granted.count != inventory.gpus.count {
            inventory.warnings.append("offering \(granted.count) of \(inventory.gpus.count) GPUs: those granted by \(grant.source)")
            inventory.gpus = granted
            inventory.deviceIDs = inventory.deviceIDs.filter { index, _ in granted.contains { $0.index == index } }
                .merging(grant.deviceIDs.filter { index, _ in granted.contains { $0.index == index } }) { _, granted in granted }
        }
        return inventory
    }

    private func probeEverything(workDirectory: String) async throws(RunnerError) -> HostInventory {
        var uname = utsname()
        _ = systemUname(&uname)
        let machine = Self.string(from: &uname.machine)
        let release = Self.string(from: &uname.release)
        var inventory = HostInventory(
            hostname: HostName.current, architecture: Architecture(rawValue: machine), os: Self.operatingSystem,
            osVersion: [release, Self.distribution()].compactMap { $0 }.joined(separator: ", "))
        let memory = Self.memoryInformation(procRoot: procRoot)?["MemTotal"]
        inventory.resources = RunnerResources(
            cpuCores: ProcessInfo.processInfo.activeProcessorCount,
            memoryGB: memory.map { Self.gigabytes(Double($0)) } ?? Self.gigabytes(Double(ProcessInfo.processInfo.physicalMemory)),
            diskGB: Self.diskSpace(at: workDirectory).map { Self.gigabytes($0.total) })

        if let gpuInventoryFile {
            inventory.gpus = try GPUInventoryFile.load(gpuInventoryFile)
            inventory.deviceIDs = HostInventory.defaultDeviceIDs(inventory.gpus)
            inventory.gpuSource = .inventoryFile
            return inventory
        }
        let detected = await detectWithVendorTools()
        inventory.warnings += detected.warnings
        if !detected.gpus.isEmpty {
            inventory.gpus = detected.gpus
            inventory.deviceIDs = detected.deviceIDs
            inventory.gpuSource = .vendorTools
            return inventory
        }
        let fallback = detectWithSysfs()
        if !fallback.gpus.isEmpty {
            inventory.gpus = fallback.gpus
            inventory.deviceIDs = fallback.deviceIDs
            inventory.gpuSource = .sysfs
            inventory.warnings.append("GPUs found through sysfs only: memory may be unknown, and utilisation is not reported")
        }
        return inventory
    }

    /// Per-GPU readings for a heartbeat: fresh from `nvidia-smi`/`rocm-smi` for GPUs they detected, otherwise the
    /// values the inventory holds.
    public func readings(for inventory: HostInventory) async -> [GPUReading] {
        var fresh: [String: GPU] = [:]
        if inventory.gpuSource == .vendorTools {
            if inventory.gpus.contains(where: { $0.vendor == .nvidia }),
                let output = await tools.run("nvidia-smi", ["--query-gpu=\(NvidiaSMIParser.query)", "--format=csv,noheader,nounits"]),
                output.status == .exited(0), let gpus = try? NvidiaSMIParser.parseQuery(output.standardOutput)
            {
                for gpu in gpus { fresh["nvidia:" + (gpu.uuid ?? String(gpu.index))] = gpu }
            }
            if inventory.gpus.contains(where: { $0.vendor == .amd }),
                let output = await tools.run("rocm-smi", ["--showproductname", "--showmeminfo", "vram", "--json"]),
                output.status == .exited(0), let gpus = try? ROCmSMIParser.parse(output.standardOutput)
            {
                for gpu in gpus { fresh["amd:\(gpu.index)"] = gpu }
            }
        }
        return inventory.gpus.map { gpu in
            let key: String
            switch gpu.vendor {
            case .nvidia: key = "nvidia:" + (gpu.partition?.parentUUID ?? gpu.uuid ?? inventory.deviceIDs[gpu.index] ?? String(gpu.index))
            case .amd: key = "amd:" + (inventory.deviceIDs[gpu.index] ?? String(gpu.index))
            default: key = ""
            }
            guard let reading = fresh[key] else {
                return GPUReading(
                    index: gpu.index, utilization: gpu.utilization, memoryUsedMB: gpu.memoryUsedMB, temperature: gpu.temperature)
            }
            // A MIG slice has no readings of its own; it shows its parent's utilisation and temperature.
            return GPUReading(
                index: gpu.index, utilization: reading.utilization, memoryUsedMB: gpu.partition == nil ? reading.memoryUsedMB : nil,
                temperature: reading.temperature)
        }
    }

    // MARK: - GPU detection

    private struct Detection {
        var gpus: [GPU] = []
        var deviceIDs: [Int: String] = [:]
        var warnings: [String] = []
    }

    private func detectWithVendorTools() async -> Detection {
        var detection = Detection()
        if let output = await tools.run("nvidia-smi", ["--query-gpu=\(NvidiaSMIParser.query)", "--format=csv,noheader,nounits"]) {
            do throws(CoreError) {
                guard output.status == .exited(0) else {
                    throw CoreError(.gpuDetectionFailed, Self.failure("nvidia-smi", output))
                }
                let query = try NvidiaSMIParser.parseQuery(output.standardOutput)
                var listed: [NvidiaSMIParser.ListedGPU] = []
                if !query.isEmpty, let list = await tools.run("nvidia-smi", ["-L"]) {
                    if list.status == .exited(0) {
                        listed = try NvidiaSMIParser.parseList(list.standardOutput)
                    } else {
                        detection.warnings.append(Self.failure("nvidia-smi -L", list) + "; MIG slices are not detected")
                    }
                }
                for gpu in NvidiaSMIParser.gpus(query: query, list: listed) {
                    let physical = query.first { $0.uuid != nil && $0.uuid == gpu.uuid }?.index ?? gpu.index
                    detection.deviceIDs[gpu.index] = gpu.partition != nil ? (gpu.uuid ?? String(gpu.index)) : String(physical)
                    detection.gpus.append(gpu)
                }
            } catch {
                detection.warnings.append(error.message)
            }
        }
        if let output = await tools.run("rocm-smi", ["--showproductname", "--showmeminfo", "vram", "--json"]) {
            do throws(CoreError) {
                guard output.status == .exited(0) else {
                    throw CoreError(.gpuDetectionFailed, Self.failure("rocm-smi", output))
                }
                for var gpu in try ROCmSMIParser.parse(output.standardOutput) {
                    let card = gpu.index
                    gpu.index = detection.gpus.count
                    gpu.id = "gpu\(gpu.index)"
                    detection.deviceIDs[gpu.index] = String(card)
                    detection.gpus.append(gpu)
                }
            } catch {
                detection.warnings.append(error.message)
            }
        }
        return detection
    }

    private func detectWithSysfs() -> Detection {
        var found: [(gpu: GPU, deviceID: String)] = []
        let fileManager = FileManager.default
        let nvidiaRoot = procRoot + "/driver/nvidia/gpus"
        for bus in ((try? fileManager.contentsOfDirectory(atPath: nvidiaRoot)) ?? []).sorted() {
            guard let text = try? String(contentsOfFile: "\(nvidiaRoot)/\(bus)/information", encoding: .utf8),
                let gpu = SysfsGPUParser.nvidiaInformation(text)
            else { continue }
            found.append((gpu, String(gpu.index)))
        }
        let hasNvidia = !found.isEmpty
        let drmRoot = sysRoot + "/class/drm"
        let cards = ((try? fileManager.contentsOfDirectory(atPath: drmRoot)) ?? []).compactMap { name -> Int? in
            guard name.hasPrefix("card") else { return nil }
            return Int(name.dropFirst(4))
        }
        var amdOrdinal = 0
        for card in cards.sorted() {
            let device = "\(drmRoot)/card\(card)/device"
            guard let vendor = try? String(contentsOfFile: device + "/vendor", encoding: .utf8) else { continue }
            let memory = try? String(contentsOfFile: device + "/mem_info_vram_total", encoding: .utf8)
            let product = try? String(contentsOfFile: device + "/product_name", encoding: .utf8)
            guard let gpu = SysfsGPUParser.drmCard(index: card, vendorID: vendor, vramTotalBytes: memory, productName: product) else {
                continue
            }
            if gpu.vendor == .nvidia && hasNvidia { continue }
            if gpu.vendor == .amd {
                found.append((gpu, String(amdOrdinal)))
                amdOrdinal += 1
            } else {
                found.append((gpu, String(card)))
            }
        }
        var detection = Detection()
        for (position, entry) in found.enumerated() {
            var gpu = entry.gpu
            gpu.index = position
            gpu.id = "gpu\(position)"
            detection.gpus.append(gpu)
            detection.deviceIDs[position] = entry.deviceID
        }
        return detection
    }

    private static func failure(_ tool: String, _ output: ToolRunner.Output) -> String {
        let message = (output.standardError.isEmpty ? output.standardOutput : output.standardError).prefix(200)
        return "\(tool) exited with code \(output.status.code): \(message)"
    }

    // MARK: - Host facts

    #if os(Linux)
    static let operatingSystem = "linux"
    #elseif os(macOS)
    static let operatingSystem = "darwin"
    #else
    static let operatingSystem = "unknown"
    #endif

    /// `/proc/meminfo` fields in bytes.
    static func memoryInformation(procRoot: String = "/proc") -> [String: UInt64]? {
        guard let text = try? String(contentsOfFile: procRoot + "/meminfo", encoding: .utf8) else { return nil }
        var fields: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " })
            guard parts.count >= 2, let value = UInt64(parts[1]) else { continue }
            fields[String(parts[0])] = parts.count >= 3 && parts[2] == "kB" ? value * 1024 : value
        }
        return fields
    }

    /// The total and available bytes of the file system holding `path`.
    static func diskSpace(at path: String) -> (total: Double, available: Double)? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        let unit = Double(stats.f_frsize)
        return (Double(stats.f_blocks) * unit, Double(stats.f_bavail) * unit)
    }

    /// Gigabytes (10^9 bytes), to one decimal.
    static func gigabytes(_ bytes: Double) -> Double {
        (bytes / 1e8).rounded() / 10
    }

    /// `PRETTY_NAME` from `/etc/os-release`.
    private static func distribution() -> String? {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    private static func string<T>(from tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// `uname(2)`, under a name that a local variable called `uname` does not shadow.
private func systemUname(_ name: inout utsname) -> Int32 {
    uname(&name)
}
