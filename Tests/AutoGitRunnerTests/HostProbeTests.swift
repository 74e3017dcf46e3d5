import AutoGitCore
import Foundation
import Testing

@testable import AutoGitRunner

@Suite("host probe")
struct HostProbeTests {
    @Test("the host's architecture, OS, CPUs, memory and disk are found")
    func hostFacts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var probe = HostProbe(toolSearchPath: [directory.path])
        probe.procRoot = "/proc"
        probe.sysRoot = directory.path
        let inventory = try await probe.probe(workDirectory: directory.path)
        #if arch(x86_64)
        #expect(inventory.architecture == .amd64)
        #elseif arch(arm64)
        #expect(inventory.architecture == .arm64)
        #endif
        #expect(inventory.os == "linux")
        #expect((inventory.resources.cpuCores ?? 0) >= 1)
        #expect((inventory.resources.memoryGB ?? 0) > 0)
        #expect((inventory.resources.diskGB ?? 0) > 0)
        #expect(!inventory.hostname.isEmpty)
        #expect(inventory.gpus.isEmpty)
        #expect(inventory.gpuSource == .none)
    }

    @Test("a GPU inventory file replaces detection; vendor defaults to NVIDIA and a MIG slice is named by its UUID")
    func inventoryFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write(
            """
            [
              {"index": 1, "model": "NVIDIA A100-SXM4-80GB", "memory_total_mb": 81920, "utilization": 40},
              {"index": 0, "model": "NVIDIA A100-SXM4-80GB", "memory_total_mb": 81920, "allocated_job_id": "stale"},
              {"index": 2, "vendor": "amd", "model": "AMD Instinct MI250X", "memory_total_mb": 65536},
              {"index": 3, "model": "NVIDIA H100 80GB HBM3 MIG 3g.40gb", "memory_total_mb": 40960, "uuid": "MIG-abc",
               "partition": {"kind": "mig", "profile": "3g.40gb", "parent_index": 3}}
            ]
            """, to: "gpus.json")
        let probe = HostProbe(gpuInventoryFile: file, toolSearchPath: [])
        let inventory = try await probe.probe(workDirectory: directory.path)
        #expect(inventory.gpuSource == .inventoryFile)
        #expect(inventory.gpus.map(\.index) == [0, 1, 2, 3])
        #expect(inventory.gpus.map(\.vendor) == [.nvidia, .nvidia, .amd, .nvidia])
        #expect(inventory.gpus[0].allocatedJobID == nil)
        #expect(inventory.deviceIDs == [0: "0", 1: "1", 2: "2", 3: "MIG-abc"])
        let readings = await probe.readings(for: inventory)
        #expect(readings.first { $0.index == 1 }?.utilization == 40)

        let variables = JobEnvironment.gpuVariables(for: [3, 1, 2], inventory: inventory)
        #expect(variables == ["CUDA_VISIBLE_DEVICES": "1,MIG-abc", "NVIDIA_VISIBLE_DEVICES": "1,MIG-abc", "HIP_VISIBLE_DEVICES": "2"])
        let none = JobEnvironment.gpuVariables(for: [], inventory: inventory)
        #expect(none == ["CUDA_VISIBLE_DEVICES": "", "NVIDIA_VISIBLE_DEVICES": "", "HIP_VISIBLE_DEVICES": ""])
    }

    @Test("an inventory file that is not a list of GPUs, or repeats an index, is refused with GPU_INVENTORY_INVALID")
    func invalidInventory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for text in ["{\"not\": \"gpus\"}", "[{\"index\": 0}, {\"index\": 0}]", "garbage"] {
            let file = try directory.write(text, to: "bad.json")
            #expect(throws: RunnerError.self) { try GPUInventoryFile.load(file) }
        }
        let error = #expect(throws: RunnerError.self) { try GPUInventoryFile.load(directory.path + "/missing.json") }
        #expect(error?.code == .gpuInventoryInvalid)
        #expect(try GPUInventoryFile.parse(Data(#"{"gpus": [{"index": 0, "model": "x"}]}"#.utf8)).count == 1)
    }

    @Test("nvidia-smi is run and read: MIG slices become GPUs named by UUID, whole GPUs by their driver index")
    func nvidiaSMI() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write(
            """
            #!/bin/sh
            if [ "$1" = "-L" ]; then
              echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-aaaa)"
              echo "  MIG 3g.40gb     Device  0: (UUID: MIG-1111)"
              echo "  MIG 3g.40gb     Device  1: (UUID: MIG-2222)"
              echo "GPU 1: NVIDIA A100-SXM4-80GB (UUID: GPU-bbbb)"
            else
              echo "0, GPU-aaaa, NVIDIA H100 80GB HBM3, 81559, 100, 55, 40, 550.54"
              echo "1, GPU-bbbb, NVIDIA A100-SXM4-80GB, 81920, 2048, 87, 61, 550.54"
            fi
            """, to: "nvidia-smi", executable: true)
        var probe = HostProbe(toolSearchPath: [directory.path])
        probe.sysRoot = directory.path
        let inventory = try await probe.probe(workDirectory: directory.path)
        #expect(inventory.warnings.isEmpty)
        #expect(inventory.gpuSource == .vendorTools)
        try #require(inventory.gpus.count == 3)
        #expect(inventory.deviceIDs == [0: "MIG-1111", 1: "MIG-2222", 2: "1"])
        #expect(inventory.gpus[2].model == "NVIDIA A100-SXM4-80GB")
        let readings = await probe.readings(for: inventory)
        #expect(readings.map(\.utilization) == [55, 55, 87])
        #expect(readings.map(\.memoryUsedMB) == [nil, nil, 2048])
    }

    @Test("a failing nvidia-smi is a warning, and sysfs is read instead")
    func failingToolFallsBackToSysfs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write(
            "#!/bin/sh\necho 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.' >&2\nexit 9\n",
            to: "nvidia-smi", executable: true)
        let card = directory.path + "/sys/class/drm/card1/device"
        try FileManager.default.createDirectory(atPath: card, withIntermediateDirectories: true)
        _ = try directory.write("0x1002\n", to: "sys/class/drm/card1/device/vendor")
        _ = try directory.write("68702699520\n", to: "sys/class/drm/card1/device/mem_info_vram_total")
        var probe = HostProbe(toolSearchPath: [directory.path])
        probe.procRoot = directory.path + "/proc"
        probe.sysRoot = directory.path + "/sys"
        let inventory = try await probe.probe(workDirectory: directory.path)
        #expect(inventory.warnings.contains { $0.contains("nvidia-smi exited with code 9") })
        #expect(inventory.gpuSource == .sysfs)
        #expect(inventory.gpus.map(\.vendor) == [.amd])
        #expect(inventory.gpus.first?.memoryTotalMB == 65520)
        #expect(inventory.deviceIDs == [0: "0"])
    }

    @Test("steps see the agent's environment without its credentials, then the job's, then AUTOGIT_ and GPU variables")
    func stepEnvironment() {
        var job = Job(
            id: "job-9",
            spec: JobSpec(
                name: "train", steps: [JobStep(name: "one", run: "true")], environment: ["A": "job", "CUDA_VISIBLE_DEVICES": "7"]),
            attempt: 2, createdAt: Date())
        job.gpuIndices = [1]
        let inventory = HostInventory(
            hostname: "h", architecture: .amd64, os: "linux",
            gpus: [GPU(index: 0, model: "x", memoryTotalMB: 1), GPU(index: 1, model: "x", memoryTotalMB: 1)])
        let environment = JobEnvironment.variables(
            base: ["A": "agent", "B": "agent", "AUTOGIT_REGISTRATION_TOKEN": "secret", "AUTOGIT_TOKEN": "secret"], job: job,
            runnerID: "r-1", stepIndex: 0, workDirectory: "/w", inventory: inventory)
        #expect(environment["A"] == "job")
        #expect(environment["B"] == "agent")
        #expect(environment["AUTOGIT_REGISTRATION_TOKEN"] == nil)
        #expect(environment["AUTOGIT_TOKEN"] == nil)
        #expect(environment["AUTOGIT_JOB_ID"] == "job-9")
        #expect(environment["AUTOGIT_RUNNER_ID"] == "r-1")
        #expect(environment["AUTOGIT_STEP_NAME"] == "one")
        #expect(environment["AUTOGIT_JOB_ATTEMPT"] == "2")
        #expect(environment["CUDA_VISIBLE_DEVICES"] == "1")
    }

    @Test("inside a Slurm job the agent offers only its granted GPUs, and placeholders when none can be detected")
    func slurmGrant() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var probe = HostProbe(toolSearchPath: [directory.path], environment: ["SLURM_JOB_ID": "42", "SLURM_JOB_GPUS": "1,3"])
        probe.procRoot = directory.path + "/proc"
        probe.sysRoot = directory.path + "/sys"
        let undetected = try await probe.probe(workDirectory: directory.path)
        #expect(undetected.gpuSource == .scheduler)
        #expect(undetected.gpus.map(\.index) == [1, 3])
        #expect(JobEnvironment.gpuVariables(for: [3], inventory: undetected)["CUDA_VISIBLE_DEVICES"] == "3")
        // With device cgroups Slurm renumbers what CUDA sees from 0: a step is given the agent's own numbering.
        var renumbered = probe
        renumbered.environment = ["SLURM_JOB_ID": "42", "SLURM_JOB_GPUS": "1,3", "CUDA_VISIBLE_DEVICES": "0,1"]
        let cgroup = try await renumbered.probe(workDirectory: directory.path)
        #expect(JobEnvironment.gpuVariables(for: [3], inventory: cgroup)["CUDA_VISIBLE_DEVICES"] == "1")

        _ = try directory.write(
            """
            #!/bin/sh
            if [ "$1" = "-L" ]; then
              for i in 0 1 2; do echo "GPU $i: NVIDIA A100-SXM4-80GB (UUID: GPU-$i$i$i$i)"; done
            else
              for i in 0 1 2; do echo "$i, GPU-$i$i$i$i, NVIDIA A100-SXM4-80GB, 81920, 0, 0, 40, 550.54"; done
            fi
            """, to: "nvidia-smi", executable: true)
        let detected = try await probe.probe(workDirectory: directory.path)
        #expect(detected.gpuSource == .vendorTools)
        #expect(detected.gpus.map(\.index) == [1])
        #expect(detected.warnings.contains { $0.contains("offering 1 of 3 GPUs") })

        var byUUID = HostProbe(
            toolSearchPath: [directory.path], environment: ["SLURM_JOB_ID": "7", "CUDA_VISIBLE_DEVICES": "GPU-2222,GPU-0000"])
        byUUID.sysRoot = directory.path + "/sys"
        #expect(try await byUUID.probe(workDirectory: directory.path).gpus.map(\.index) == [0, 2])
        // Outside a scheduler, CUDA_VISIBLE_DEVICES set by a user does not hide GPUs from the fleet.
        var plain = HostProbe(toolSearchPath: [directory.path], environment: ["CUDA_VISIBLE_DEVICES": "0"])
        plain.sysRoot = directory.path + "/sys"
        #expect(try await plain.probe(workDirectory: directory.path).gpus.count == 3)
    }

    @Test("steps never see the fleeting plugin's tags on the agent")
    func fleetingTagsWithheld() {
        let job = Job(id: "j", spec: JobSpec(name: "j", steps: [JobStep(name: "s", run: "true")]), createdAt: Date())
        let variables = JobEnvironment.variables(
            base: ["AUTOGIT_FLEETING_PROVIDER": "slurm", "PATH": "/bin", "AUTOGIT_TOKEN": "secret"], job: job, runnerID: "r",
            stepIndex: 0, workDirectory: "/tmp", inventory: HostInventory(hostname: "h", architecture: .amd64, os: "linux"))
        #expect(variables["AUTOGIT_FLEETING_PROVIDER"] == nil && variables["AUTOGIT_TOKEN"] == nil)
        #expect(variables["PATH"] == "/bin")
    }
}
