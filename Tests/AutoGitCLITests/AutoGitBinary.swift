import Foundation

/// The built `autogit` executable, which SwiftPM puts beside the test bundle.
let binaryPath: String = {
    #if os(Linux)
    let products = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    #else
    let bundle = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") } ?? Bundle.main
    let products = bundle.bundleURL.deletingLastPathComponent()
    #endif
    return products.appendingPathComponent("autogit").path
}()
