// swift-tools-version: 6.0
import PackageDescription

/// Release builds target the host CPU: without it the SIMD16<Float> kernels lower
/// every lane to a scalar libm call and run two orders of magnitude slower.
let hostCPU: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=native"], .when(configuration: .release)),
]

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

        // Atomic file writes (temporary file, fsync, rename), shared by everything that writes results.
        .target(name: "AtomicFiles"),

        // The runner core: manifest, stage protocol and registry, artifact cache, executor, report.
        .target(
            name: "NBRunCore",
            dependencies: [
                "AtomicFiles",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),

        // Matrix kernels, the from-scratch LSTM, GRU and RNN cells, cross-entropy, Adam, safetensors checkpoints.
        .target(name: "NeuralNetwork", dependencies: ["AtomicFiles"], swiftSettings: hostCPU),

        // MNIST read through zlib, IDX parsing, the batch loader.
        .target(
            name: "MNIST",
            dependencies: [
                "CZlib",
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

        // What both MNIST notebooks share: the data description `load-data` writes and the
        // batches it implies (MNISTNotebookData); the loss history, test-set evaluation and
        // per-epoch checkpoints of training (NotebookTraining). Two modules, so a stage that
        // only reads data is not fingerprinted with the network code.
        .target(name: "MNISTNotebookData", dependencies: ["NBRunCore", "MNIST"], swiftSettings: hostCPU),
        .target(
            name: "NotebookTraining",
            dependencies: ["NBRunCore", "MNIST", "MNISTNotebookData", "NeuralNetwork", "Figures", "AtomicFiles"],
            swiftSettings: hostCPU),

        // Notebook plugins: the core knows none of them by name.
        .target(
            name: "LSTMNotebook",
            dependencies: [
                "NBRunCore", "NeuralNetwork", "MNIST", "Figures", "AtomicFiles", "MNISTNotebookData",
                "NotebookTraining",
            ],
            swiftSettings: hostCPU,
            plugins: ["EmbedStageSourcesPlugin"]),
        // The second notebook: LSTM, GRU and plain RNN measured side by side.
        .target(
            name: "GRUvsLSTMNotebook",
            dependencies: [
                "NBRunCore", "NeuralNetwork", "MNIST", "Figures", "MNISTNotebookData", "NotebookTraining",
            ],
            swiftSettings: hostCPU,
            plugins: ["EmbedStageSourcesPlugin"]),
        .target(
            name: "DemoNotebook",
            dependencies: ["NBRunCore", "Figures"],
            plugins: ["EmbedStageSourcesPlugin"]),

        .executableTarget(
            name: "nbrun",
            dependencies: [
                "NBRunCore", "LSTMNotebook", "GRUvsLSTMNotebook", "DemoNotebook", "Figures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: hostCPU),

        // Benchmarks print figures; they are not timed tests.
        .executableTarget(
            name: "recurrent-benchmark",
            dependencies: ["NeuralNetwork", "MNIST"],
            swiftSettings: hostCPU),

        .testTarget(
            name: "NBRunCoreTests", dependencies: ["NBRunCore", "DemoNotebook"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "NeuralNetworkTests", dependencies: ["NeuralNetwork"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "MNISTTests", dependencies: ["MNIST"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "CLibPNG"]),
        .testTarget(name: "AtomicFilesTests", dependencies: ["AtomicFiles"]),
        .testTarget(
            name: "LSTMNotebookTests",
            dependencies: [
                "LSTMNotebook", "NBRunCore", "NeuralNetwork", "MNIST", "Figures", "MNISTNotebookData", "NotebookTraining",
            ]),
        .testTarget(
            name: "GRUvsLSTMNotebookTests",
            dependencies: ["GRUvsLSTMNotebook", "LSTMNotebook", "NBRunCore", "NeuralNetwork", "Figures"]),
    ]
)
