import AutoGitCore
import Foundation

/// Reads `--gpu-inventory FILE`: the GPUs to register instead of detecting them, for tests and for hosts where
/// detection fails.
///
/// The file holds a JSON array of GPUs in the API's GPU shape (snake_case), or an object with such an array under
/// `gpus`:
///
/// ```json
/// [
///   {"index": 0, "model": "NVIDIA A100-SXM4-80GB", "memory_total_mb": 81920},
///   {"index": 1, "vendor": "amd", "model": "AMD Instinct MI250X", "memory_total_mb": 65536}
/// ]
/// ```
///
/// `index` is required and must be unique; `vendor` defaults to `nvidia`; `uuid`, `memory_used_mb`, `utilization`,
/// `temperature`, `driver_version`, `partition` and `health` are optional. A GPU with a `partition` (a MIG slice) is
/// named by its `uuid` in `CUDA_VISIBLE_DEVICES`, any other by its `index`.
public enum GPUInventoryFile {
    /// The GPUs in the file at `path`, sorted by index.
    ///
    /// - Throws: ``RunnerError`` `GPU_INVENTORY_INVALID` when the file cannot be read or is not such a list.
    public static func load(_ path: String) throws(RunnerError) -> [GPU] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RunnerError(.gpuInventoryInvalid, "cannot read the GPU inventory \(path): \(error.localizedDescription)")
        }
        return try parse(data, source: path)
    }

    /// The GPUs in `data`, sorted by index.
    public static func parse(_ data: Data, source: String = "the GPU inventory") throws(RunnerError) -> [GPU] {
        struct Wrapped: Decodable { var gpus: [GPU] }
        let decoder = AutoGitJSON.decoder()
        var gpus: [GPU]
        do {
            gpus = try decoder.decode([GPU].self, from: data)
        } catch let arrayError {
            guard let wrapped = try? decoder.decode(Wrapped.self, from: data) else {
                throw RunnerError(.gpuInventoryInvalid, "\(source) is not a JSON list of GPUs: \(arrayError)")
            }
            gpus = wrapped.gpus
        }
        for position in gpus.indices {
            if case .unknown("") = gpus[position].vendor { gpus[position].vendor = .nvidia }
            gpus[position].id = "gpu\(gpus[position].index)"
            gpus[position].runnerID = nil
            gpus[position].allocatedJobID = nil
            gpus[position].allocatedInstance = nil
        }
        let indices = gpus.map(\.index)
        guard Set(indices).count == indices.count else {
            throw RunnerError(.gpuInventoryInvalid, "\(source) lists a GPU index twice: \(indices)")
        }
        guard indices.allSatisfy({ $0 >= 0 }) else {
            throw RunnerError(.gpuInventoryInvalid, "\(source) has a negative GPU index: \(indices)")
        }
        return gpus.sorted { $0.index < $1.index }
    }
}
