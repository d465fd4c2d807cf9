import Foundation

/// Progress of a long stage. In a terminal, a live bar (done/total, rate, ETA and the
/// stage's own status such as the running loss); in CI or a pipe, a plain line every
/// 10% or 5 seconds. Progress is never captured into the report.
public final class ProgressReporter: @unchecked Sendable {
    private let console: Console
    private let label: String
    private let total: Int
    private let unit: String
    private let start = Date()
    private let lock = NSLock()
    private var done = 0
    private var status: String?
    private var lastDraw = Date.distantPast
    private var lastPlainLine = Date()
    private var lastPlainTenth = 0
    private var lastObserved = Date.distantPast
    private var finished = false

    init(console: Console, label: String, total: Int, unit: String) {
        self.console = console
        self.label = label
        self.total = max(total, 0)
        self.unit = unit
    }

    /// `status` is evaluated only when a line is drawn (at most ten times a second, and
    /// at the last step), so a training loop can call this every batch without building
    /// a string every batch.
    public func advance(by count: Int = 1, status: @autoclosure () -> String? = nil) {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        done = min(done + count, total == 0 ? done + count : total)
        let now = Date()
        if let observer = console.progressObserver, now.timeIntervalSince(lastObserved) >= 0.25 || done == total {
            if let status = status() { self.status = status }
            lastObserved = now
            observer(label, plain(now: now).trimmingCharacters(in: .whitespaces))
        }
        if console.isInteractive {
            if now.timeIntervalSince(lastDraw) >= 0.1 || done == total {
                if let status = status() { self.status = status }
                lastDraw = now
                console.progressLine(bar(now: now))
            }
        } else {
            let tenth = total > 0 ? done * 10 / total : 0
            if tenth > lastPlainTenth || now.timeIntervalSince(lastPlainLine) >= 5 {
                if let status = status() { self.status = status }
                lastPlainTenth = tenth
                lastPlainLine = now
                console.line(plain(now: now))
            }
        }
    }

    public func finish() {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        let elapsed = Date().timeIntervalSince(start)
        var text = "  \(label): \(done)/\(total) \(unit) in \(ReportFormat.duration(elapsed))"
        if let status { text += ", \(status)" }
        console.line(text)
    }

    private func rate(now: Date) -> Double {
        let elapsed = now.timeIntervalSince(start)
        return elapsed > 0 ? Double(done) / elapsed : 0
    }

    private func bar(now: Date) -> String {
        let width = 24
        let fraction = total > 0 ? Double(done) / Double(total) : 0
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let speed = rate(now: now)
        let eta = speed > 0 ? ReportFormat.duration(Double(total - done) / speed) : "?"
        var text = "  \(label) \(bar) \(done)/\(total) \(unit) · \(String(format: "%.1f", speed))/s · ETA \(eta)"
        if let status { text += " · \(status)" }
        return text
    }

    private func plain(now: Date) -> String {
        let percent = total > 0 ? done * 100 / total : 0
        var text = "  \(label): \(done)/\(total) \(unit) (\(percent)%), \(String(format: "%.1f", rate(now: now))) \(unit)/s"
        if let status { text += ", \(status)" }
        return text
    }
}
