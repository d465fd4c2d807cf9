import Foundation

/// Renders `report.md`: the title, every prose cell verbatim, and for each stage its
/// code, printed output, figures, non-default parameters and a footer saying whether it
/// ran now or came from the cache. Apart from timings and dates it is deterministic.
public struct ReportWriter: Sendable {
    public let manifest: Manifest
    public let registry: StageRegistry

    public init(manifest: Manifest, registry: StageRegistry) {
        self.manifest = manifest
        self.registry = registry
    }

    public func render(plans: [StagePlan], outcomes: [String: StageOutcome]) -> String {
        var blocks: [String] = ["# \(manifest.title)"]
        for cell in manifest.cells {
            switch cell {
            case .prose(let markdown):
                blocks.append(markdown.trimmingCharacters(in: .newlines))
            case .stage(let stage):
                let outcome = outcomes[stage.name] ?? .notRun(reason: "not run", previous: plans.first { $0.stage.name == stage.name }?.freshness.record)
                blocks.append(section(for: stage, outcome: outcome))
            }
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    func section(for stage: StageCell, outcome: StageOutcome) -> String {
        var parts: [String] = ["### Stage `\(stage.name)` (`\(stage.kind)`)"]
        switch outcome {
        case .failed(let error, _, _):
            parts.append("> **❌ This stage failed:** \(Self.quoteLine(error))")
        case .interrupted:
            parts.append("> **⏹ This stage was interrupted** before it finished; nothing of this run was kept.")
        case .notRun(let reason, let previous):
            let earlier = previous.map { " Results below are from an earlier run (\(Self.isoDate($0.startedAt)))." } ?? " There is no earlier result."
            parts.append("> **⚠️ Not run in this run:** \(Self.quoteLine(reason)).\(earlier)")
        case .ranNow, .cached:
            break
        }
        if let source = registry[stage.kind]?.source {
            parts.append(Self.fenced(Self.strippingImports(source), language: "swift"))
        }
        if let parameters = parameterLine(for: stage) { parts.append(parameters) }

        switch outcome {
        case .ranNow(let record), .cached(let record):
            parts.append(contentsOf: results(of: record))
        case .failed(_, let output, let previous), .interrupted(let output, let previous):
            if !output.isEmpty {
                parts.append("Output printed before it stopped:")
                parts.append(Self.fenced(output, language: ""))
            }
            if let previous {
                parts.append("The last complete result, from an earlier run (\(Self.isoDate(previous.startedAt))), is kept:")
                parts.append(contentsOf: results(of: previous))
            }
        case .notRun(_, let previous):
            if let previous { parts.append(contentsOf: results(of: previous)) }
        }
        parts.append(footer(outcome))
        return parts.joined(separator: "\n\n")
    }

    func results(of record: StageRecord) -> [String] {
        var parts: [String] = []
        if !record.output.isEmpty { parts.append(Self.fenced(record.output, language: "")) }
        for figure in record.figures {
            let caption = figure.caption.replacingOccurrences(of: "]", with: ")").replacingOccurrences(of: "[", with: "(")
                .replacingOccurrences(of: "\n", with: " ")
            let path = "\(record.stage)/\(figure.name)".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? figure.name
            parts.append("![\(caption)](\(path))")
        }
        return parts
    }

    /// Parameters that differ from their declared defaults, and every `--set` override.
    func parameterLine(for stage: StageCell) -> String? {
        guard let specs = registry[stage.kind]?.stageType.parameters else { return nil }
        var items: [String] = []
        for spec in specs {
            guard let value = stage.parameters[spec.name] else { continue }
            if stage.overriddenParameters.contains(spec.name) {
                items.append("`\(spec.name)` = `\(value)` (from `--set`)")
            } else if value != spec.defaultValue {
                items.append("`\(spec.name)` = `\(value)`")
            }
        }
        return items.isEmpty ? nil : "**Parameters:** " + items.joined(separator: ", ")
    }

    func footer(_ outcome: StageOutcome) -> String {
        switch outcome {
        case .ranNow(let record):
            return "_Ran now · \(Self.formatDuration(record.durationSeconds)) · peak memory \(Self.formatBytes(record.peakMemoryBytes))_"
        case .cached(let record):
            return "_Cached (from \(Self.isoDate(record.startedAt))) · ran in \(Self.formatDuration(record.durationSeconds)) · peak memory \(Self.formatBytes(record.peakMemoryBytes))_"
        case .failed:
            return "_Failed in this run_"
        case .interrupted:
            return "_Interrupted in this run_"
        case .notRun(_, let previous):
            guard let previous else { return "_Not run_" }
            return "_Not run now · result from an earlier run (\(Self.isoDate(previous.startedAt))) · ran in \(Self.formatDuration(previous.durationSeconds)) · peak memory \(Self.formatBytes(previous.peakMemoryBytes))_"
        }
    }

    // MARK: - Formatting

    /// A fenced block whose fence is longer than any backtick run inside the text.
    static func fenced(_ text: String, language: String) -> String {
        var longest = 0, run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        let body = text.trimmingCharacters(in: .newlines)
        return "\(fence)\(language)\n\(body)\n\(fence)"
    }

    static func strippingImports(_ source: String) -> String {
        source.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("import ") }
            .joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func quoteLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ")
    }

    public static func isoDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    public static func formatDuration(_ seconds: Double) -> String {
        if seconds < 1 { return String(format: "%.0f ms", seconds * 1000) }
        if seconds < 120 { return String(format: "%.2f s", seconds) }
        return "\(Int(seconds) / 60) min \(Int(seconds) % 60) s"
    }

    public static func formatBytes(_ bytes: UInt64) -> String {
        let mebibytes = Double(bytes) / 1_048_576
        return mebibytes >= 1024 ? String(format: "%.2f GiB", mebibytes / 1024) : String(format: "%.1f MiB", mebibytes)
    }
}
