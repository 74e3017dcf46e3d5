// swift-tools-version:6.0
import PackageDescription

// AutoGit takes no third-party packages: everything here builds with the Swift toolchain alone.
let package = Package(
    name: "AutoGit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AutoGitCore", targets: ["AutoGitCore"]),
        .library(name: "AutoGitClient", targets: ["AutoGitClient"]),
        .library(name: "AutoGitServer", targets: ["AutoGitServer"]),
        .library(name: "AutoGitFleeting", targets: ["AutoGitFleeting"]),
        .library(name: "AutoGitRunner", targets: ["AutoGitRunner"]),
        .executable(name: "autogit", targets: ["autogit"]),
    ],
    targets: [
        // Thin C shims for what Swift's Glibc module does not expose (epoll, eventfd, accept4).
        .target(name: "CAutoGitSystem"),
        .target(name: "AutoGitCore"),
        // The HTTP/1.1 server layer: sockets, parser, router, middleware. Knows nothing of runners or jobs.
        .target(name: "AutoGitHTTP", dependencies: ["CAutoGitSystem"]),
        .target(name: "AutoGitClient", dependencies: ["AutoGitCore"]),
        .target(name: "AutoGitFleeting", dependencies: ["AutoGitCore"]),
        .target(name: "AutoGitServer", dependencies: ["AutoGitCore", "AutoGitHTTP", "AutoGitFleeting"]),
        .target(name: "AutoGitRunner", dependencies: ["AutoGitCore", "AutoGitClient", "CAutoGitSystem"]),
        .executableTarget(
            name: "autogit",
            dependencies: ["AutoGitCore", "AutoGitClient", "AutoGitServer", "AutoGitRunner", "AutoGitFleeting"]
        ),

        // Small programs that import the SDK (Docs/sdk.md, "Examples"); CI builds them so they keep compiling.
        .executableTarget(name: "ListRunners", dependencies: ["AutoGitClient", "AutoGitCore"], path: "Examples/ListRunners"),
        .executableTarget(name: "FollowJob", dependencies: ["AutoGitClient", "AutoGitCore"], path: "Examples/FollowJob"),
        .executableTarget(name: "WatchEvents", dependencies: ["AutoGitClient", "AutoGitCore"], path: "Examples/WatchEvents"),
        .executableTarget(name: "ServeModel", dependencies: ["AutoGitClient", "AutoGitCore"], path: "Examples/ServeModel"),

        // Release-mode benchmarks: `swift run -c release autogit-bench <name>`.
        .executableTarget(
            name: "autogit-bench",
            dependencies: ["AutoGitCore", "AutoGitHTTP", "AutoGitServer", "AutoGitClient", "AutoGitRunner", "AutoGitFleeting"]
        ),

        .testTarget(name: "AutoGitCoreTests", dependencies: ["AutoGitCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AutoGitHTTPTests", dependencies: ["AutoGitHTTP", "CAutoGitSystem"]),
        // Fixtures are read from the source tree (beside Docs/openapi.yaml, which the tests also read).
        .testTarget(name: "AutoGitClientTests", dependencies: ["AutoGitClient", "AutoGitCore", "AutoGitHTTP"], exclude: ["Fixtures"]),
        .testTarget(name: "AutoGitServerTests", dependencies: ["AutoGitServer", "AutoGitCore", "AutoGitHTTP", "AutoGitClient"]),
        // What tests of several targets share: the real engines (Slurm, sshd) started for a suite, polling, scratch
        // directories, tagged processes.
        .target(name: "AutoGitTestSupport", dependencies: ["AutoGitFleeting"], path: "Tests/AutoGitTestSupport"),
        .testTarget(name: "AutoGitFleetingTests", dependencies: ["AutoGitFleeting", "AutoGitCore", "AutoGitTestSupport"]),
        .testTarget(name: "AutoGitRunnerTests", dependencies: ["AutoGitRunner", "AutoGitCore", "AutoGitClient", "AutoGitHTTP"]),
        .testTarget(
            name: "AutoGitCLITests", dependencies: ["autogit", "AutoGitCore", "AutoGitClient", "AutoGitTestSupport"], exclude: ["Golden"]),
        // End to end: the SDK against a real server on loopback, and the built `autogit` binary as a child process.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "AutoGitServer", "AutoGitClient", "AutoGitRunner", "AutoGitCore", "AutoGitHTTP", "AutoGitFleeting", "AutoGitTestSupport",
                "autogit",
            ]
        ),
    ]
)
