// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// Release builds target the host CPU: without it the SIMD16<Float> kernels lower
/// every lane to a scalar libm call and run two orders of magnitude slower.
let hostCPU: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=native"], .when(configuration: .release)),
]

/// What a notebook may import: the author API (`NBRun`) and the libraries. nbrun embeds
/// their sources (`NotebookLibraries`), so that a stage's fingerprint covers the library code
/// it reaches, and installs their module interfaces, so that a notebook folder anywhere on
/// disk compiles against them (see `Scripts/install`).
let notebookLibraries: [Target.Dependency] = [
    "NBRun", "AtomicFiles", "SafeText", "NeuralNetwork", "MNIST", "Figures", "MNISTNotebookData", "NotebookTraining",
    "SeededRandom",
]

/// The repository's notebooks are folders that nbrun compiles into plugins at run time, like
/// any user's. Their tests also build them as ordinary targets, so that a test can run their
/// stages in-process; the EmbedStageSources plugin generates the same registration nbrun does.
let repositoryNotebooks: [(module: String, path: String)] = [
    ("LSTMNotebook", "Notebooks/LSTM"),
    ("GRUvsLSTMNotebook", "Notebooks/GRU-vs-LSTM"),
    ("DemoNotebook", "Tests/Notebooks/Demo"),
]

let notebookTargets: [Target] = repositoryNotebooks.map { notebook in
    .target(name: notebook.module, dependencies: notebookLibraries, path: notebook.path, swiftSettings: hostCPU,
            plugins: ["EmbedStageSourcesPlugin"])
}

let package = Package(
    name: "nbrun",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nbrun", targets: ["nbrun"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", exact: "5.0.1"),
        // `nbrun watch`'s server (HTTP and WebSocket, no other dependency): 7.5 s of debug build
        // from clean, against 58 s for Hummingbird 2 with hummingbird-websocket (swift-nio and
        // its stack), on this 2-core machine. See README, "The live notebook".
        .package(url: "https://github.com/swhitty/FlyingFox", exact: "0.27.1"),
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
        // prctl(2), for nbrun's worker process.
        .systemLibrary(name: "CProcessControl"),
        // Starting this executable again as a child (the worker, the runs of `nbrun watch`).
        .target(name: "ProcessSpawning"),

        // Atomic file writes (temporary file, fsync, rename), shared by everything that writes results.
        .target(name: "AtomicFiles"),

        // How untrusted text and bytes are shown: what counts as a control character and how
        // it is escaped (one rule for the terminal, the reports and error messages quoting
        // files), and bytes as hexadecimal (digests, byte dumps).
        .target(name: "SafeText"),

        // SplitMix64: the one seeded generator behind MNIST's shuffles and the network's
        // initial weights, so a seed means the same numbers everywhere.
        .target(name: "SeededRandom"),

        // What the build tools and nbrun read from Swift files without compiling them: the
        // modules a file imports and the types it declares; and the registration code a
        // notebook's plugin is compiled with.
        .target(name: "SwiftSourceScan"),

        // The author API, the one engine module a notebook imports: `Stage`, `@Parameter`,
        // `Artifact`, `StageContext`, `NotebookPath`, progress and printed output.
        .target(name: "NBRun", dependencies: ["AtomicFiles", "SafeText", "SwiftSourceScan"]),

        // What a report shows and how it is written: the report model, the Markdown and HTML
        // renderers, prose, Swift highlighting and the page's assets. It knows nothing of how a
        // run decides or stores; the engine builds a `Report` from a run's outcomes.
        .target(name: "NBRunReport", dependencies: ["NBRun", "AtomicFiles", "SafeText"]),

        // The engine: the manifest, the plan (fingerprints, planner, selection, decisions), the
        // run, the store and its locks, and the notebook plugins it compiles and loads.
        .target(
            name: "NBRunEngine",
            dependencies: [
                "NBRun",
                "NBRunReport",
                "AtomicFiles",
                "SafeText",
                "SwiftSourceScan",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),

        // Sweeps over parameter grids, run here one variant after another or on Slurm as a job array.
        .target(name: "NBRunSweep", dependencies: ["NBRunEngine", "AtomicFiles", "SafeText"]),

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

        .systemLibrary(
            name: "CFreeType", pkgConfig: "freetype2",
            providers: [.apt(["libfreetype-dev"]), .brew(["freetype"])]),
        // The chart API and the notebooks' figures: one layout painted as PNG (libpng, at 2×)
        // and as SVG, text set in DejaVu Sans through FreeType.
        .target(name: "Figures", dependencies: ["CLibPNG", "CFreeType", "AtomicFiles", "SafeText"]),

        // What both MNIST notebooks share: the data description `load-data` writes and the
        // batches it implies (MNISTNotebookData); the loss history, test-set evaluation and
        // per-epoch checkpoints of training (NotebookTraining). Two modules, so a stage that
        // only reads data is not fingerprinted with the network code.
        .target(name: "MNISTNotebookData", dependencies: ["NBRun", "MNIST"], swiftSettings: hostCPU),
        .target(
            name: "NotebookTraining",
            dependencies: ["NBRun", "MNIST", "MNISTNotebookData", "NeuralNetwork", "Figures", "AtomicFiles"],
            swiftSettings: hostCPU),

        // Build-time tool and plugins: EmbedStageSourcesPlugin embeds a notebook target's stage
        // files and registration (for the tests, which build the repository's notebooks as
        // targets); EmbedLibrarySourcesPlugin embeds the notebook libraries' sources into nbrun,
        // so that fingerprints and the report see exactly the library code that was compiled.
        .executableTarget(name: "EmbedStageSources", dependencies: ["SwiftSourceScan"]),
        .plugin(
            name: "EmbedStageSourcesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedStageSources"]),
        .plugin(
            name: "EmbedLibrarySourcesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedStageSources"]),

        // The notebook libraries' sources as compiled into this nbrun (generated).
        .target(name: "NotebookLibraries", dependencies: notebookLibraries,
                swiftSettings: hostCPU, plugins: ["EmbedLibrarySourcesPlugin"]),

        // `nbrun watch`: reruns what a save made stale and keeps the served page live (file
        // watching, the run's events, the loopback server and the page's script).
        .target(
            name: "NBRunWatch",
            dependencies: ["NBRunEngine", "NBRunReport", "SafeText", "CProcessControl", "ProcessSpawning", .product(name: "FlyingFox", package: "FlyingFox")]),

        // The commands, `nbrun new`'s scaffold, the stage worker, and the one map from errors to exit statuses.
        .target(
            name: "NBRunCLI",
            dependencies: [
                "NBRunEngine", "NBRunReport", "NBRunSweep", "NBRunWatch", "Figures", "NotebookLibraries", "CProcessControl", "ProcessSpawning",
                "AtomicFiles", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: hostCPU),

        .executableTarget(
            name: "nbrun",
            dependencies: ["NBRunCLI"],
            swiftSettings: hostCPU,
            // A notebook's plugin is a shared library that leaves the author API and the
            // libraries undefined: they resolve to this executable's own copies when nbrun
            // loads it, so stage and engine share one set of types.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]),

        // Benchmarks print figures; they are not timed tests.
        .executableTarget(
            name: "recurrent-benchmark",
            dependencies: ["NeuralNetwork", "MNIST"],
            swiftSettings: hostCPU),
        // From a save to the updated page, in headless Chromium (Benchmarks/watch-latency.sh).
        .executableTarget(name: "watch-benchmark", dependencies: ["BrowserTestSupport"]),

        // Renders a chart of 10⁶ points at 2× and prints the time (run it in release).
        .executableTarget(name: "figures-benchmark", dependencies: ["Figures"], swiftSettings: hostCPU),

        // What the engine's, the report's, the sweeps' and the command line's tests share: a
        // notebook in a temporary folder run in-process (`TestNotebook`), an `nbrun` process
        // (`RunningNBRun`), file-tree snapshots and sandboxes, report fixtures.
        .target(
            name: "NBRunTestSupport",
            dependencies: ["NBRunEngine", "NBRunReport", "DemoNotebook", "AtomicFiles", "SafeText"],
            path: "Tests/NBRunTestSupport"),
        .testTarget(
            name: "NBRunEngineTests",
            dependencies: ["NBRunEngine", "NBRunTestSupport", "DemoNotebook", "AtomicFiles", "SafeText", "SeededRandom",
                           "SwiftSourceScan", "NotebookLibraries"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "NBRunReportTests",
            dependencies: ["NBRunReport", "NBRunEngine", "NBRunTestSupport", "SafeText", "SeededRandom"]),
        .testTarget(name: "NBRunSweepTests", dependencies: ["NBRunSweep", "NBRunEngine", "NBRunTestSupport", "SeededRandom"]),
        // Through the real `nbrun` executable: exit statuses, signals, two processes at once, the scaffold, the set-up script.
        .testTarget(name: "NBRunCLITests", dependencies: ["NBRunCLI", "NBRunEngine", "NBRunTestSupport"]),
        .testTarget(name: "SafeTextTests", dependencies: ["SafeText"]),
        .testTarget(name: "SwiftSourceScanTests", dependencies: ["SwiftSourceScan", "NBRunTestSupport"]),
        .testTarget(
            name: "NeuralNetworkTests", dependencies: ["NeuralNetwork", "SeededRandom"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "MNISTTests", dependencies: ["MNIST", "SeededRandom"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "CLibPNG", "BrowserTestSupport"], exclude: ["Golden"]),
        .testTarget(name: "AtomicFilesTests", dependencies: ["AtomicFiles"]),
        // A notebook's tests may drive the other notebooks too (the comparison reads the
        // LSTM notebook's data stage).
        // Headless Chromium driven over the DevTools pipe, for the tests that look at pages.
        .target(name: "BrowserTestSupport", path: "Tests/BrowserTestSupport"),
        .testTarget(name: "LSTMNotebookTests",
                    dependencies: ["NBRunEngine", "NBRunReport", "NBRunSweep", "LSTMNotebook", "BrowserTestSupport"] + notebookLibraries),
        .testTarget(name: "NBRunWatchTests", dependencies: ["NBRunWatch", "NBRunEngine", "NBRunTestSupport", "BrowserTestSupport"]),
        .testTarget(name: "GRUvsLSTMNotebookTests",
                    dependencies: ["NBRunEngine", "LSTMNotebook", "GRUvsLSTMNotebook"] + notebookLibraries),
    ] + notebookTargets
)
