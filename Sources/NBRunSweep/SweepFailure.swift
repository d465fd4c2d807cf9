import NBRunEngine

/// Why a sweep stopped: one of its runs could not proceed at all, the sweep cannot be run as
/// given, or Slurm could not take or follow it. A failing variant is none of these: it is a
/// row of the sweep's report.
public enum SweepFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case run(RunError)
    /// A `--sweep` or `--metric` that cannot be run as given.
    case sweep(SweepError)
    /// A Slurm sweep that could not be submitted or followed.
    case slurm(SlurmError)

    static func storage(_ error: StorageError) -> SweepFailure { .run(.storage(error)) }

    /// What `body`, a step of an ordinary run, throws, as the sweep's failure.
    static func ofRun<T>(_ body: () throws(RunError) -> T) throws(SweepFailure) -> T {
        do { return try body() } catch { throw .run(error) }
    }

    public var description: String {
        switch self {
        case .run(let error): error.description
        case .sweep(let error): error.description
        case .slurm(let error): error.description
        }
    }
}
