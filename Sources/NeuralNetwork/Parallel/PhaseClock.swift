/// Charges thread CPU time to the phases of a training step while profiling is on; off, a
/// lap costs one branch. One clock per workspace, so per thread.
public final class PhaseClock {
    public var isProfiling = false
    public var times = PhaseTimes()
    private var start = 0.0

    public init() {}

    /// Starts timing the next phase.
    @inline(__always)
    public func begin() {
        if isProfiling { start = threadCPUSeconds() }
    }

    /// Adds the time since the last lap (or `begin`) to `phase`.
    @inline(__always)
    public func lap(_ phase: WritableKeyPath<PhaseTimes, Double>) {
        guard isProfiling else { return }
        let now = threadCPUSeconds()
        times[keyPath: phase] += now - start
        start = now
    }
}
