import Foundation

/// One kind of notebook stage, e.g. `lstm.train`.
///
/// A stage is stateless Swift code: everything it depends on arrives through its
/// context (resolved parameters, the verified artifacts of the stages it reads from),
/// and everything it produces leaves through it (artifacts, figures, printed output).
/// That is what lets the runner cache, skip and rerun it on its own.
public protocol Stage: Sendable {
    /// The stage's name within its plugin (`train`). Its kind, which a manifest uses, is
    /// `<plugin name>.<name>` (`lstm.train`): the prefix comes from the plugin. Derived from
    /// the type's name unless the stage declares it (see ``StageName``).
    static var name: String { get }
    /// One line for `--help`-style listings and the report.
    static var summary: String { get }
    /// Every parameter the stage accepts, with type, default and description.
    static var parameters: [ParameterSpec] { get }

    init()

    /// Runs the stage. Throwing leaves the previous complete result of the stage in place.
    func run(_ context: StageContext) throws
}
