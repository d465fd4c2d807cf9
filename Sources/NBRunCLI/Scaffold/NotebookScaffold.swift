import Foundation
import NBRunEngine

/// The files of a new notebook, one folder anywhere on disk: its manifest, the plugin type,
/// its artifacts and two stages under `Stages/` (the second drawing a figure), laid out as
/// ``NotebookFolder`` finds them, so that `nbrun FOLDER/<Name>.manifest` runs it at once.
/// WritingAPlugin.md walks through them.
public struct NotebookScaffold: Sendable {
    /// As typed: `Waves`.
    public let name: String
    /// The plugin's module: `WavesNotebook`.
    public var module: String { NotebookFolder.moduleName(forManifestNamed: name) }
    /// The prefix of its stage kinds: `waves` (`SineFit` gives `sine-fit`).
    public let prefix: String

    public init(name: String) throws(ScaffoldError) {
        guard Self.isValidName(name) else { throw .invalidName(name) }
        self.name = name
        var prefix = ""
        for character in name {
            if character.isUppercase, !prefix.isEmpty, !(prefix.last?.isNumber ?? false) { prefix += "-" }
            prefix += character.lowercased()
        }
        self.prefix = prefix
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("A"..."Z").contains(first), name.unicodeScalars.count <= 40 else {
            return false
        }
        return name.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// Paths relative to the notebook's folder → content.
    public var files: [(path: String, content: String)] {
        [
            ("\(name).manifest", manifest),
            ("\(name)Plugin.swift", plugin),
            ("\(name)Artifacts.swift", artifacts),
            ("Stages/GenerateStage.swift", generateStage),
            ("Stages/PlotStage.swift", plotStage),
        ]
    }

    /// The folders created inside the notebook's folder.
    public var folders: [String] { ["Stages"] }

    var manifest: String {
        """
        # Scaffolded by `nbrun new \(name)`. Run it with `nbrun \(name).manifest` in this folder.
        title: "\(name)"
        cells:
          - prose: |
              A notebook is this folder: this manifest, and the Swift files beside it, which
              nbrun compiles when they change. The first stage samples a sine wave; the
              second draws it. Change a parameter, e.g.
              `nbrun \(name).manifest --set generate.periods=5`, and only what depends on it
              runs again.
          - kind: \(prefix).generate
            parameters: {periods: 3}
          - prose: |
              ## The wave

              $$y_k = \\sin\\left(2\\pi \\frac{k}{n}\\right)$$ for $n$ samples per period.
          - kind: \(prefix).plot
            reads: [generate]

        """
    }

    var plugin: String {
        """
        import NBRun

        /// The \(name) notebook. Its stages, `\(prefix).*`, are every `Stage` under `Stages/`.
        public struct \(module)Plugin: StagePlugin {
            public init() {}
            public let name = "\(prefix)"
        }

        """
    }

    var artifacts: String {
        """
        import Foundation
        import NBRun

        /// What the stages hand to each other, declared once for producer and consumers.
        enum \(name)Artifacts {
            /// Written by `generate`, read by `plot`.
            static let samples = Artifact<Samples>("samples.json")
        }

        /// A sampled signal, stored as JSON.
        struct Samples: Codable, Equatable, ArtifactContent {
            var values: [Double]

            static func readArtifact(from url: URL) throws -> Samples {
                try JSONDecoder().decode(Samples.self, from: Data(contentsOf: url))
            }

            func writeArtifact(to url: URL) throws {
                try JSONEncoder().encode(self).write(to: url)
            }
        }

        """
    }

    var generateStage: String {
        """
        import Foundation
        import NBRun

        /// Samples a sine wave.
        struct GenerateStage: Stage {
            static let summary = "Samples a sine wave."

            @Parameter(help: "Samples per period.", range: 4...10_000) var samplesPerPeriod = 64
            @Parameter(help: "Periods to sample.", range: 1...100) var periods = 2

            func run(_ context: StageContext) throws {
                let samples = Self.sine(samplesPerPeriod: samplesPerPeriod, periods: periods)
                try context.write(samples, to: \(name)Artifacts.samples)
                context.print("\\(samples.values.count) samples over \\(periods) periods")
            }

            static func sine(samplesPerPeriod: Int, periods: Int) -> Samples {
                let count = samplesPerPeriod * periods
                return Samples(values: (0..<count).map { sin(2 * Double.pi * Double($0) / Double(samplesPerPeriod)) })
            }
        }

        """
    }

    var plotStage: String {
        """
        import Figures
        import Foundation
        import NBRun

        /// Draws the samples as a line chart: a figure in the report.
        struct PlotStage: Stage {
            static let summary = "Draws the samples of `generate` as a line chart."
            static let wave = FigureOutput("wave.png")

            @Parameter(help: "The chart's title.") var title = "A sine wave"

            func run(_ context: StageContext) throws {
                let samples = try context.read(\(name)Artifacts.samples)
                let chart = Figure.lineChart(series: [ChartSeries(name: "sin", values: samples.values)],
                                             title: title, xLabel: "sample", yLabel: "value")
                try context.write(Self.wave, caption: title) { try PNGWriter.write(chart, to: $0) }
                let peak = samples.values.max() ?? 0
                context.print("largest sample: \\(String(format: "%.3f", peak))")
            }
        }

        """
    }
}
