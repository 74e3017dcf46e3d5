/// The environment that lets a process see exactly some GPUs of its host, the same for a job's step and for a
/// model-serving instance.
public enum GPUVisibility {
    /// `CUDA_VISIBLE_DEVICES` and `NVIDIA_VISIBLE_DEVICES` name the NVIDIA GPUs among `gpus`, `HIP_VISIBLE_DEVICES`
    /// the AMD ones, comma-separated in index order, each by `deviceID` (``GPU/deviceID`` unless the host numbers
    /// its devices otherwise). All three are always set: a variable with no GPU of its vendor is the empty string,
    /// which CUDA, ROCm/HIP and the NVIDIA container toolkit all read as "no GPU", so a process given no GPU cannot
    /// reach GPUs that others hold. Intel GPUs get no variable; a GPU of unknown vendor is passed as NVIDIA.
    public static func environment(for gpus: [GPU], deviceID: (GPU) -> String = \.deviceID) -> [String: String] {
        var nvidia: [String] = []
        var amd: [String] = []
        for gpu in gpus.sorted(by: { $0.index < $1.index }) {
            switch gpu.vendor {
            case .amd: amd.append(deviceID(gpu))
            case .intel: continue
            default: nvidia.append(deviceID(gpu))
            }
        }
        let nvidiaList = nvidia.joined(separator: ",")
        return [
            "CUDA_VISIBLE_DEVICES": nvidiaList,
            "NVIDIA_VISIBLE_DEVICES": nvidiaList,
            "HIP_VISIBLE_DEVICES": amd.joined(separator: ","),
        ]
    }
}

extension GPU {
    /// What a visibility variable names this GPU by: a MIG slice by its UUID, any other GPU by its index.
    public var deviceID: String {
        partition != nil ? (uuid ?? String(index)) : String(index)
    }
}
