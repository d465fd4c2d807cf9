import Foundation

extension VariantTable {
    /// The table as `nbrun runs` prints it: one block per stage, `*` marking the variant the
    /// output folder shows, then a line on disk usage.
    public func text() -> String {
        guard !rows.isEmpty else { return "no cached variants yet: run the notebook first\n" }
        var lines: [String] = []
        var stages: [String] = []
        for row in rows where !stages.contains(row.stage) { stages.append(row.stage) }
        for stage in stages {
            let stageRows = rows.filter { $0.stage == stage }
            let parameterNames = Set(stageRows.flatMap(\.parameters.keys)).sorted()
            let metricNames = Set(stageRows.flatMap(\.metrics.keys)).sorted()
            let header = ["", "variant"] + parameterNames + metricNames + ["duration", "date", "size"]
            let body = stageRows.map { row -> [String] in
                [row.current ? "*" : "", String(row.fingerprint.prefix(10))]
                    + parameterNames.map { row.parameters[$0] ?? "" }
                    + metricNames.map { row.metrics[$0].map(ReportFormat.metric) ?? "" }
                    + [ReportFormat.duration(row.durationSeconds), ReportFormat.isoDate(row.startedAt), Self.size(row)]
            }
            lines.append("\(stage): \(stageRows.count) variant\(stageRows.count == 1 ? "" : "s")")
            // Parameter values and metric names come from records, which anyone sharing the cache may write.
            lines.append(contentsOf: Self.aligned(([header] + body).map { $0.map(Console.oneLine) }).map { "  " + $0 })
            lines.append("")
        }
        lines.append("\(rows.count) variant\(rows.count == 1 ? "" : "s"), \(ReportFormat.bytes(uniqueBytes)) on disk "
            + (outputHoldsCopies
                ? "in the cache (identical artifacts are stored there once and counted once; the output folder is on another "
                    + "file system, so its files are copies, not counted here)"
                : "(identical artifacts are stored once and counted once; the output folder's files are links to them)"))
        lines.append("* the variant the output folder shows (the last run's)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same table for scripts: every row with full fingerprints, dates in ISO 8601.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }


    static func size(_ row: Row) -> String {
        row.sharedBytes == 0 ? ReportFormat.bytes(row.bytes) : "\(ReportFormat.bytes(row.bytes)) (\(ReportFormat.bytes(row.sharedBytes)) shared)"
    }

    static func aligned(_ table: [[String]]) -> [String] {
        let widths = (0..<(table.first?.count ?? 0)).map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { cells in
            var line = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}
