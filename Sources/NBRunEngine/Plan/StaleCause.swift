/// One reason a stage's last result is out of date. Structured, so that `why` can follow an
/// upstream change to its own causes and tests can compare causes rather than sentences.
public enum StaleCause: Sendable, Equatable, CustomStringConvertible {
    /// A part of the fingerprint (parameter, code, library, data, upstream) differs from the last run's.
    case changed(FingerprintChange)
    /// The fingerprints differ but no part does: the record was written by an nbrun that
    /// computed fingerprints differently.
    case fingerprintFormatChanged
    /// The last result's files no longer match its record (`problem`: which file and how).
    case artifactProblem(String)

    public var description: String {
        switch self {
        case .changed(let change): return change.description
        case .fingerprintFormatChanged: return "fingerprint format changed"
        case .artifactProblem(let problem): return problem
        }
    }
}
