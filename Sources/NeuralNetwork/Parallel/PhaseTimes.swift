#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a training step's time goes, summed over calls while profiling is on. Profiling
/// reads the calling thread's CPU-time clock around each phase (so time the thread spends
/// descheduled on a busy machine is not charged to a phase); it is off by default so the
/// hot path pays nothing but a branch.
public struct PhaseTimes: Sendable, Equatable {
    /// x·Wxᵀ for all steps at once.
    public var inputProjection: Double = 0
    /// a_{t-1}·Waᵀ, once per step.
    public var recurrentForward: Double = 0
    /// Gate nonlinearities and the cell/hidden updates.
    public var activations: Double = 0
    /// Classifier forward and backward, and the loss.
    public var classifierAndLoss: Double = 0
    /// Gate derivatives of the cell equations, per step.
    public var gateBackward: Double = 0
    /// dZ_t·Wa, once per step.
    public var recurrentBackward: Double = 0
    /// dWxᵀ, dWaᵀ and bias gradients of all steps at once.
    public var weightGradients: Double = 0
    /// Shard reduction, Adam and refreshing the derived weights.
    public var optimiser: Double = 0

    public init() {}

    public var total: Double {
        inputProjection + recurrentForward + activations + classifierAndLoss + gateBackward
            + recurrentBackward + weightGradients + optimiser
    }

    public static func + (lhs: PhaseTimes, rhs: PhaseTimes) -> PhaseTimes {
        var sum = PhaseTimes()
        sum.inputProjection = lhs.inputProjection + rhs.inputProjection
        sum.recurrentForward = lhs.recurrentForward + rhs.recurrentForward
        sum.activations = lhs.activations + rhs.activations
        sum.classifierAndLoss = lhs.classifierAndLoss + rhs.classifierAndLoss
        sum.gateBackward = lhs.gateBackward + rhs.gateBackward
        sum.recurrentBackward = lhs.recurrentBackward + rhs.recurrentBackward
        sum.weightGradients = lhs.weightGradients + rhs.weightGradients
        sum.optimiser = lhs.optimiser + rhs.optimiser
        return sum
    }
}

/// CPU seconds consumed by the calling thread.
@inlinable
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
