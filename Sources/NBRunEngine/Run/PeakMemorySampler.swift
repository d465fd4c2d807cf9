import Foundation

/// The peak resident memory of the process while one stage runs, sampled from
/// `/proc/self/statm` every 20 ms (stages run one at a time, so this is the stage's
/// footprint including what earlier stages left allocated). Where /proc is missing, falls
/// back to the process's lifetime peak (`getrusage`).
final class PeakMemorySampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak: UInt64 = 0
    private var running = true
    private var thread: Thread?

    static func residentBytes() -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = UInt64(fields[1]) else { return nil }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func lifetimePeakBytes() -> UInt64 {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return UInt64(usage.ru_maxrss) * 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return UInt64(usage.ru_maxrss)
        #endif
    }

    func start() {
        record()
        let thread = Thread { [self] in
            while true {
                lock.lock()
                let keepGoing = running
                lock.unlock()
                guard keepGoing else { return }
                record()
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        self.thread = thread
        thread.start()
    }

    private func record() {
        let current = Self.residentBytes() ?? Self.lifetimePeakBytes()
        lock.lock()
        peak = max(peak, current)
        lock.unlock()
    }

    func stop() -> UInt64 {
        record()
        lock.lock()
        running = false
        let result = peak
        lock.unlock()
        return result
    }
}
