// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "LogStore",
    products: [
        .library(name: "LogStore", targets: ["LogStore"]),
        .library(name: "Server", targets: ["Server"]),
        .library(name: "Client", targets: ["Client"]),
        .executable(name: "logstore-server", targets: ["LogStoreServer"]),
        .executable(name: "logstore-dump", targets: ["LogStoreDump"]),
        .executable(name: "logstore-bench", targets: ["Benchmarks"]),
    ],
    targets: [
        // Linux calls and CPU instructions that Glibc does not expose to Swift.
        .target(name: "CLinux"),
        // zlib, from the system (Debian: zlib1g-dev), for gzip request bodies.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Thin wrappers over system calls and zlib; the only Swift code that touches raw pointers.
        .target(name: "SystemCalls", dependencies: ["CLinux", "CZlib"]),
        .target(name: "Logging"),
        .target(name: "LogStore", dependencies: ["SystemCalls", "Logging"]),
        // A blocking HTTP/1.1 client with keep-alive connection pooling and worker threads, shared by
        // Client and by the server's couchdb backend.
        .target(name: "HTTPClient", dependencies: ["SystemCalls"]),
        // The HTTP/1.1 server on epoll, the kpiggybank API and the storage backends.
        .target(name: "Server", dependencies: ["LogStore", "HTTPClient", "SystemCalls", "Logging"]),
        // The Swift client of the /wsapi API; it speaks HTTP only and never imports Server or LogStore.
        .target(name: "Client", dependencies: ["HTTPClient", "SystemCalls"]),

        // The commands of logstore-dump: verify, export and the other operator tools.
        .target(name: "DumpTool", dependencies: ["LogStore", "Server", "SystemCalls", "Logging"]),

        .executableTarget(
            name: "LogStoreDump",
            dependencies: ["DumpTool", "SystemCalls"],
            path: "Sources/Tools/LogStoreDump"
        ),
        .executableTarget(
            name: "LogStoreServer",
            dependencies: ["Server", "SystemCalls", "Logging"],
            path: "Sources/Tools/LogStoreServer"
        ),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["LogStore", "HTTPClient", "SystemCalls", "Logging"],
            path: "Benchmarks",
            // The peers scenario's Python driver, which the harness runs from the source tree.
            exclude: ["Scenarios/Peers/Driver"]
        ),

        .target(
            name: "TestSupport",
            dependencies: ["LogStore", "Server", "SystemCalls", "Logging"],
            path: "Tests/TestSupport"
        ),
        .executableTarget(
            name: "CrashWriter",
            dependencies: ["LogStore", "SystemCalls", "TestSupport"],
            path: "Tests/CrashWriter"
        ),
        .testTarget(
            name: "LogStoreTests",
            dependencies: ["LogStore", "SystemCalls", "TestSupport", "CrashWriter"]
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: ["Server", "LogStore", "SystemCalls", "Logging", "TestSupport", "LogStoreServer"],
            // Inputs that once failed in fuzzing, replayed as regression tests.
            resources: [.copy("Resources/FuzzCorpus")]
        ),
        .testTarget(
            name: "DumpToolTests",
            dependencies: ["DumpTool", "LogStore", "SystemCalls", "TestSupport", "LogStoreDump"]
        ),
        .testTarget(
            name: "ClientTests",
            dependencies: ["Client", "HTTPClient", "Server", "LogStore", "TestSupport"]
        ),
        .testTarget(
            name: "HTTPClientTests",
            dependencies: ["HTTPClient"]
        ),
        // Runs the built logstore-bench, which starts the logstore-server built beside it.
        .testTarget(
            name: "BenchmarkTests",
            dependencies: ["TestSupport", "Benchmarks", "LogStoreServer"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
