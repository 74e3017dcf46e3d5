import AutoGitCore
import Testing

@Suite("GPU detection parsers")
struct GPUDetectionParserTests {
    static let eightA100 =
        (0..<8).map { index in
            "\(index), GPU-\(index)b3c5b7e-8f2a-4c1d-9e3f-2a1b3c4d5e6f, NVIDIA A100-SXM4-80GB, 81920, \(index == 3 ? 40_123 : 0), \(index == 3 ? 97 : 0), \(30 + index), 535.129.03"
        }.joined(separator: "\n") + "\n"

    @Test("8×A100 SXM from --query-gpu")
    func eightA100() throws {
        let gpus = try NvidiaSMIParser.parseQuery(Self.eightA100)
        #expect(gpus.count == 8)
        #expect(gpus.allSatisfy { $0.model == "NVIDIA A100-SXM4-80GB" && $0.memoryTotalMB == 81_920 && $0.vendor == .nvidia })
        #expect(gpus[3].utilization == 97 && gpus[3].memoryUsedMB == 40_123 && gpus[3].temperature == 33)
        #expect(gpus[7].uuid == "GPU-7b3c5b7e-8f2a-4c1d-9e3f-2a1b3c4d5e6f")
        #expect(gpus[0].driverVersion == "535.129.03")
        #expect(gpus[0].matches(type: "a100") && !gpus[0].matches(type: "h100"))
    }

    @Test("an H100 in MIG mode becomes one GPU per MIG device")
    func h100WithMIG() throws {
        let query = "0, GPU-5a8c1d2e-3f4a-5b6c-7d8e-9f0a1b2c3d4e, NVIDIA H100 80GB HBM3, 81559, 13, [N/A], 41, 550.54.15\n"
        let list = """
            GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-5a8c1d2e-3f4a-5b6c-7d8e-9f0a1b2c3d4e)
              MIG 3g.40gb     Device  0: (UUID: MIG-1f2e3d4c-5b6a-5978-8695-a4b3c2d1e0f9)
              MIG 2g.20gb     Device  1: (UUID: MIG-2a3b4c5d-6e7f-5081-92a3-b4c5d6e7f809)
              MIG 1g.10gb     Device  2: (UUID: MIG-3c4d5e6f-7a8b-59c0-a1b2-c3d4e5f60718)
            """
        let physical = try NvidiaSMIParser.parseQuery(query)
        #expect(physical[0].utilization == nil)
        let listed = try NvidiaSMIParser.parseList(list)
        #expect(listed.count == 1 && listed[0].migDevices.count == 3)
        let gpus = NvidiaSMIParser.gpus(query: physical, list: listed)
        #expect(gpus.map(\.index) == [0, 1, 2])
        #expect(gpus.map(\.memoryTotalMB) == [40_960, 20_480, 10_240])
        #expect(gpus[0].uuid == "MIG-1f2e3d4c-5b6a-5978-8695-a4b3c2d1e0f9")
        #expect(
            gpus[1].partition
                == GPUPartition(kind: "mig", profile: "2g.20gb", parentUUID: "GPU-5a8c1d2e-3f4a-5b6c-7d8e-9f0a1b2c3d4e", parentIndex: 0))
        #expect(gpus[2].matches(type: "h100"))
    }

    @Test("a mixed box: NVIDIA cards of two models, and AMD cards from rocm-smi")
    func mixedBox() throws {
        let query = """
            0, GPU-aaaaaaaa-0000-0000-0000-000000000000, NVIDIA GeForce RTX 4090, 24564, 1024, 5, 45, 550.54.15
            1, GPU-bbbbbbbb-0000-0000-0000-000000000000, NVIDIA A100 80GB PCIe, 81920, 0, 0, 38, 550.54.15
            """
        let nvidia = NvidiaSMIParser.gpus(query: try NvidiaSMIParser.parseQuery(query), list: [])
        #expect(nvidia.map(\.model) == ["NVIDIA GeForce RTX 4090", "NVIDIA A100 80GB PCIe"])
        #expect(nvidia[0].matches(type: "rtx") && nvidia[1].matches(type: "a100"))
        let rocm = """
            WARNING: AMD GPU device(s) is/are in a low-power state. Check power control/runtime_status

            {"card0": {"Card series": "Instinct MI210", "Card model": "0x740f", "Card vendor": "Advanced Micro Devices, Inc. [AMD/ATI]", "Card SKU": "D67301", "VRAM Total Memory (B)": "68702699520", "VRAM Total Used Memory (B)": "10960896"},
             "card1": {"Card Series": "AMD Instinct MI300X", "VRAM Total Memory (B)": "205822885888", "VRAM Total Used Memory (B)": "0"}}
            """
        let amd = try ROCmSMIParser.parse(rocm)
        #expect(amd.map(\.model) == ["Instinct MI210", "AMD Instinct MI300X"])
        #expect(amd[0].memoryTotalMB == 65_520 && amd[0].vendor == .amd)
        #expect(amd[1].memoryTotalMB == 196_288 && amd[1].matches(type: "mi300x"))
    }

    @Test("no GPU: nvidia-smi's message and empty outputs are an empty list")
    func noGPU() throws {
        #expect(try NvidiaSMIParser.parseQuery("No devices were found\n").isEmpty)
        #expect(try NvidiaSMIParser.parseQuery("").isEmpty)
        #expect(try NvidiaSMIParser.parseList("No devices were found").isEmpty)
        #expect(try ROCmSMIParser.parse("").isEmpty)
    }

    static let errors = [
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
        "Failed to initialize NVML: Driver/library version mismatch",
        "\u{1}\u{2}garbage,,,\n\u{7f}",
        "0, GPU-x, NVIDIA A100, lots, 0, 0, 30, 535",
        "<html>not csv</html>",
    ]

    @Test("a tool error or garbage is a GPU_DETECTION_FAILED error quoting the output", arguments: errors)
    func toolErrors(output: String) {
        #expect {
            _ = try NvidiaSMIParser.parseQuery(output)
        } throws: { error in
            (error as? CoreError)?.code == .gpuDetectionFailed
        }
    }

    @Test("rocm-smi garbage is an error, not an empty list")
    func rocmGarbage() {
        #expect(throws: CoreError.self) { _ = try ROCmSMIParser.parse("ERROR: rocm-smi: unknown option --json") }
    }

    @Test("sysfs fallbacks: /proc/driver/nvidia information and DRM vendor ids")
    func sysfs() {
        let information = """
            Model: \t\t NVIDIA A100-SXM4-80GB
            IRQ:   \t\t 140
            GPU UUID: \t GPU-1b3c5b7e-8f2a-4c1d-9e3f-2a1b3c4d5e6f
            Video BIOS: \t 92.00.36.00.01
            Bus Type: \t PCIe
            Bus Location: \t 0000:07:00.0
            Device Minor: \t 2
            GPU Excluded:\t No
            """
        let gpu = SysfsGPUParser.nvidiaInformation(information)
        #expect(gpu?.index == 2 && gpu?.model == "NVIDIA A100-SXM4-80GB" && gpu?.uuid == "GPU-1b3c5b7e-8f2a-4c1d-9e3f-2a1b3c4d5e6f")
        #expect(SysfsGPUParser.nvidiaInformation("garbage") == nil)
        let amd = SysfsGPUParser.drmCard(index: 0, vendorID: "0x1002\n", vramTotalBytes: "68702699520\n", productName: nil)
        #expect(amd?.vendor == .amd && amd?.memoryTotalMB == 65_520)
        #expect(SysfsGPUParser.drmCard(index: 1, vendorID: "0x1a03", vramTotalBytes: nil, productName: nil) == nil)
    }
}
