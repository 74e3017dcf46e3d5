import Foundation
import Testing

@testable import AutoGitCore

@Suite("autoscaling policies")
struct AutoscalingPolicyTests {
    /// 2024-01-01 was a Monday.
    func date(_ day: Int, _ hour: Int, zone: String = "UTC") -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        return calendar.date(from: DateComponents(year: 2024, month: 1, day: day, hour: hour, minute: 30))!
    }

    @Test("the last matching window wins; outside every window the base policy holds")
    func lastWindowWins() {
        let policy = AutoscalingPolicy(
            minIdle: 1, maxInstances: 10,
            windows: [
                AutoscalingWindow(days: [1, 2, 3, 4, 5], startHour: 9, endHour: 18, minIdle: 4),
                AutoscalingWindow(days: [5], startHour: 12, endHour: 18, minIdle: 2, maxInstances: 5),
            ])
        #expect(policy.effective(at: date(1, 10)).minIdle == 4)  // Monday morning
        #expect(policy.effective(at: date(5, 13)).minIdle == 2)  // Friday afternoon: the later window
        #expect(policy.effective(at: date(5, 13)).maxInstances == 5)
        #expect(policy.effective(at: date(5, 10)).maxInstances == 10)
        #expect(policy.effective(at: date(6, 10)).minIdle == 1)  // Saturday
        #expect(policy.effective(at: date(1, 18)).minIdle == 1)  // end hour is exclusive
    }

    @Test("a window past midnight belongs to the day it starts on, in the policy's time zone")
    func wrapsMidnight() {
        let policy = AutoscalingPolicy(
            minIdle: 3, windows: [AutoscalingWindow(days: [5], startHour: 22, endHour: 6, minIdle: 0)],
            timeZone: "America/New_York")
        #expect(policy.effective(at: date(5, 23, zone: "America/New_York")).minIdle == 0)  // Friday night
        #expect(policy.effective(at: date(6, 3, zone: "America/New_York")).minIdle == 0)  // early Saturday
        #expect(policy.effective(at: date(5, 3, zone: "America/New_York")).minIdle == 3)  // early Friday: Thursday's
        #expect(policy.effective(at: date(6, 23, zone: "America/New_York")).minIdle == 3)
    }

    @Test("decoding fills defaults; validation names the bad field")
    func decodeAndValidate() throws {
        let policy = try AutoGitJSON.decode(
            AutoscalingPolicy.self,
            from: Data(#"{"min_idle":2,"capacity_per_instance":4,"windows":[{"days":[1],"start_hour":8,"end_hour":20}]}"#.utf8))
        #expect(policy.minIdle == 2 && policy.capacityPerInstance == 4 && policy.maxInstances == 10)
        #expect(policy.windows.first?.startHour == 8)
        try policy.validate()

        func field(_ json: String) -> String? {
            do {
                try AutoGitJSON.decode(AutoscalingPolicy.self, from: Data(json.utf8)).validate()
                return nil
            } catch let error as CoreError {
                return error.field
            } catch {
                return "decoding"
            }
        }
        #expect(field(#"{"capacity_per_instance":0}"#) == "policy.capacity_per_instance")
        #expect(field(#"{"min_idle":-1}"#) == "policy.min_idle")
        #expect(field(#"{"time_zone":"Mars/Olympus"}"#) == "policy.time_zone")
        #expect(field(#"{"windows":[{"days":[8]}]}"#) == "policy.windows[0].days")
        #expect(field(#"{"max_use_count":0}"#) == "policy.max_use_count")
    }

    @Test("offers fit demand by GPU count, family and memory; per-instance job counts respect slots and GPUs")
    func offerFit() {
        let offer = Offer(id: "x", gpuType: "NVIDIA A100-SXM4-80GB", gpuCount: 8, gpuMemoryGB: 80)
        #expect(DemandShape(gpuCount: 2, gpuType: "A100").jobsPerInstance(of: offer, capacity: 10) == 4)
        #expect(DemandShape(gpuCount: 2, gpuType: "a100").jobsPerInstance(of: offer, capacity: 3) == 3)
        #expect(DemandShape(gpuCount: 1, gpuType: "h100").jobsPerInstance(of: offer, capacity: 3) == 0)
        #expect(DemandShape(gpuCount: 9).jobsPerInstance(of: offer, capacity: 3) == 0)
        #expect(DemandShape(gpuCount: 1, minGPUMemoryGB: 96).jobsPerInstance(of: offer, capacity: 3) == 0)
        #expect(DemandShape().jobsPerInstance(of: offer, capacity: 3) == 3)
        var gone = offer
        gone.available = false
        #expect(DemandShape().jobsPerInstance(of: gone, capacity: 3) == 0)
    }
}
