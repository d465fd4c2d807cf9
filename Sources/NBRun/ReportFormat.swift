import Foundation

/// Durations, sizes and dates as both reports and the console print them.
public enum ReportFormat {
    public static func isoDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// A duration read from a record may be anything JSON can hold (a record is a file a
    /// user or another machine may have edited): NaN, infinite, negative or beyond `Int`
    /// is printed as what it is, never converted, since converting would trap.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return seconds.isNaN ? "unknown duration" : "\(seconds) s" }
        if seconds < 1 { return String(format: "%.0f ms", seconds * 1000) }
        if seconds < 120 { return String(format: "%.2f s", seconds) }
        guard seconds < 1e15 else { return String(format: "%.3g s", seconds) }
        let whole = Int(seconds)
        return "\(whole / 60) min \(whole % 60) s"
    }

    /// A recorded metric: whole numbers without a fraction, others to eight significant
    /// digits, the same in the report, `runs` and a sweep's table.
    public static func metric(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.8g", value)
    }

    /// A size in powers of 1024, one formatter for the report, `runs`, `why` and `gc`.
    public static func bytes(_ bytes: UInt64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1 << 20 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        if bytes < 1 << 30 { return String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        return String(format: "%.2f GiB", Double(bytes) / 1_073_741_824)
    }

    public static func bytes(_ count: Int) -> String { bytes(UInt64(max(count, 0))) }
}
