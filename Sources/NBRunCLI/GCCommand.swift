import ArgumentParser
import Foundation
import NBRunEngine

extension NBRunCommand {
    struct GC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Remove cached variants, oldest first; never those the output folder shows.",
            discussion: """
                --keep-last N keeps each stage's N newest variants; --max-size SIZE keeps the \
                newest variants that fit in SIZE (e.g. 500M, 2G; distinct contents counted \
                once). The last run's variants are kept in both cases. It waits for every \
                running nbrun using the cache to finish first, so that nothing one of them is \
                writing or about to read is removed.
                """)

        @OptionGroup var notebook: ManifestOptions

        @Option(help: ArgumentHelp("Keep each stage's N newest variants.", valueName: "n"))
        var keepLast: Int?

        @Option(help: ArgumentHelp("Keep the newest variants that fit in this size (bytes, or with K, M, G, T).", valueName: "size"))
        var maxSize: String?

        @Flag(help: "Fail at once instead of waiting when an nbrun is running with this cache or on the output folder.")
        var noWait = false

        func validate() throws {
            switch (keepLast, maxSize) {
            case (nil, nil), (.some, .some): throw ValidationError("give exactly one of --keep-last N and --max-size SIZE")
            case (let count?, nil) where count < 0: throw ValidationError("--keep-last must be 0 or more, got \(count)")
            case (nil, let size?) where ByteSize.parse(size) == nil:
                throw ValidationError("--max-size '\(size)' is not a size: use bytes or a number with K, M, G or T (powers of 1024)")
            default: break
            }
        }

        func run() throws {
            try reportingFailures {
                let runner = Runner(registry: try makeRegistry(for: notebook.manifest))
                let manifest = try notebook.load(with: runner)
                let policy: GCPolicy = keepLast.map { .keepLast($0) } ?? .maxSize(ByteSize.parse(maxSize!)!)
                var options = notebook.runOptions()
                options.waitForLock = !noWait
                guard let report = try runner.collectGarbage(manifest, policy: policy, options: options) else {
                    Swift.print("nothing cached for \(notebook.manifest)")
                    return
                }
                for variant in report.removed { Swift.print("removed \(variant)") }
                Swift.print("removed \(report.removed.count) variant\(report.removed.count == 1 ? "" : "s") and \(report.removedObjects) "
                    + "file\(report.removedObjects == 1 ? "" : "s") (\(ReportFormat.bytes(report.freedBytes))); kept \(report.keptVariants) "
                    + "variant\(report.keptVariants == 1 ? "" : "s") (\(ReportFormat.bytes(report.remainingBytes)))")
            }
        }
    }
}

/// Sizes as people type them: `1500`, `500K`, `2M`, `1.5G`, `1T` (powers of 1024; a trailing `B` or `iB` is fine).
enum ByteSize {
    static func parse(_ text: String) -> Int? {
        var body = text.trimmingCharacters(in: .whitespaces).uppercased()
        if body.hasSuffix("IB") { body.removeLast(2) } else if body.hasSuffix("B") { body.removeLast() }
        let units: [Character: Double] = ["K": 1024, "M": 1_048_576, "G": 1_073_741_824, "T": 1_099_511_627_776]
        var scale = 1.0
        if let last = body.last, let unit = units[last] {
            scale = unit
            body.removeLast()
        }
        guard let number = Double(body), number.isFinite, number >= 0, number * scale < Double(Int.max) else { return nil }
        return Int(number * scale)
    }
}
