// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// Release builds target the host CPU: without it the SIMD16<Float> kernels lower
/// every lane to a scalar libm call and run two orders of magnitude slower.
let hostCPU: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=native"], .when(configuration: .release)),
]

/// A notebook is a folder `Sources/<Name>Notebook/` with a `Stages/` folder inside: a
/// target is made for it here, nbrun depends on it, and nbrun's registry lists it (generated
/// at build time), so adding a notebook edits no existing file. Its tests, if any, are the
/// folder `Tests/<Name>NotebookTests/`. Shared support modules (MNISTNotebookData,
/// NotebookTraining) have no `Stages/` folder and are ordinary library targets below.
let notebookNames: [String] = {
    let root = URL(fileURLWithPath: Context.packageDirectory)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Sources").path)) ?? []
    return names.filter { name in
        var isFolder: ObjCBool = false
        let stages = root.appendingPathComponent("Sources").appendingPathComponent(name).appendingPathComponent("Stages")
        return name.hasSuffix("Notebook") && FileManager.default.fileExists(atPath: stages.path, isDirectory: &isFolder)
            && isFolder.boolValue
    }.sorted()
}()

/// Every library module a notebook may import. The build tooling finds which of them each
/// stage actually reaches (through its imports and its plugin's helpers) and fingerprints
/// only those.
let notebookLibraries: [Target.Dependency] = [
    "NBRunCore", "AtomicFiles", "NeuralNetwork", "MNIST", "Figures", "MNISTNotebookData", "NotebookTraining", "SeededRandom",
]

let notebookTargets: [Target] = notebookNames.flatMap { name -> [Target] in
    var targets: [Target] = [
        .target(name: name, dependencies: notebookLibraries, swiftSettings: hostCPU,
                plugins: ["EmbedStageSourcesPlugin"]),
    ]
    let tests = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("Tests/\(name)Tests")
    if FileManager.default.fileExists(atPath: tests.path) {
        // A notebook's tests may drive the other notebooks too (the comparison reads the
        // LSTM notebook's data stage).
        targets.append(.testTarget(name: "\(name)Tests",
                                   dependencies: notebookLibraries + notebookNames.map { .target(name: $0) }))
    }
    return targets
}

let package = Package(
    name: "nbrun",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nbrun", targets: ["nbrun"]),
        .library(name: "NBRunCore", targets: ["NBRunCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", exact: "5.0.1"),
    ],
    targets: [
        // C libraries, through the system's pkg-config.
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(
            name: "CLibPNG", pkgConfig: "libpng16",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        // A header-only prefetch hint for the matrix kernels (no library to link).
        .systemLibrary(name: "CPrefetch"),

        // Atomic file writes (temporary file, fsync, rename), shared by everything that writes results.
        .target(name: "AtomicFiles"),

        // How untrusted text and bytes are shown: what counts as a control character and how
        // it is escaped (one rule for the terminal, the reports and error messages quoting
        // files), and bytes as hexadecimal (digests, byte dumps).
        .target(name: "SafeText"),

        // SplitMix64: the one seeded generator behind MNIST's shuffles and the network's
        // initial weights, so a seed means the same numbers everywhere.
        .target(name: "SeededRandom"),

        // The runner core: manifest, stage protocol and registry, artifact cache, executor, report.
        .target(
            name: "NBRunCore",
            dependencies: [
                "AtomicFiles",
                "SafeText",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),

        // Matrix kernels, the from-scratch LSTM, GRU and RNN cells, cross-entropy, Adam, safetensors checkpoints.
        .target(name: "NeuralNetwork", dependencies: ["AtomicFiles", "SafeText", "SeededRandom", "CPrefetch"], swiftSettings: hostCPU),

        // MNIST read through zlib, IDX parsing, the batch loader.
        .target(
            name: "MNIST",
            dependencies: [
                "CZlib",
                "SafeText",
                "SeededRandom",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: hostCPU),

        // PNG through libpng, the built-in bitmap font, the notebook's figures.
        .target(name: "Figures", dependencies: ["CLibPNG", "AtomicFiles"]),

        // Build-time tool and plugin that embed each stage's Swift source in its module,
        // so the cache fingerprint and the report see exactly the code that was compiled.
        .executableTarget(name: "EmbedStageSources"),
        .plugin(
            name: "EmbedStageSourcesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedStageSources"]),
        // Build-time tool and plugin that write nbrun's list of notebook plugins.
        .executableTarget(name: "GenerateNotebookRegistry"),
        .plugin(
            name: "NotebookRegistryPlugin",
            capability: .buildTool(),
            dependencies: ["GenerateNotebookRegistry"]),

        // What both MNIST notebooks share: the data description `load-data` writes and the
        // batches it implies (MNISTNotebookData); the loss history, test-set evaluation and
        // per-epoch checkpoints of training (NotebookTraining). Two modules, so a stage that
        // only reads data is not fingerprinted with the network code.
        .target(name: "MNISTNotebookData", dependencies: ["NBRunCore", "MNIST"], swiftSettings: hostCPU),
        .target(
            name: "NotebookTraining",
            dependencies: ["NBRunCore", "MNIST", "MNISTNotebookData", "NeuralNetwork", "Figures", "AtomicFiles"],
            swiftSettings: hostCPU),

        .executableTarget(
            name: "nbrun",
            dependencies: [
                "NBRunCore", "Figures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ] + notebookNames.map { .target(name: $0) },
            swiftSettings: hostCPU,
            plugins: ["NotebookRegistryPlugin"]),

        // Benchmarks print figures; they are not timed tests.
        .executableTarget(
            name: "recurrent-benchmark",
            dependencies: ["NeuralNetwork", "MNIST"],
            swiftSettings: hostCPU),

        .testTarget(
            name: "NBRunCoreTests", dependencies: ["NBRunCore", "DemoNotebook", "AtomicFiles", "SafeText", "SeededRandom"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "NeuralNetworkTests", dependencies: ["NeuralNetwork", "SeededRandom"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "MNISTTests", dependencies: ["MNIST", "SeededRandom"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "CLibPNG"]),
        .testTarget(name: "AtomicFilesTests", dependencies: ["AtomicFiles"]),
    ] + notebookTargets
)
