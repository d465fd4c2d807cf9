import Foundation

/// One kind of notebook stage, e.g. `lstm.train`.
///
/// A stage is stateless Swift code: everything it depends on arrives through its
/// context (resolved parameters, the verified artifacts of the stages it reads from),
/// and everything it produces leaves through it (artifacts, figures, printed output).
/// That is what lets the runner cache, skip and rerun it on its own.
public protocol Stage: Sendable {
    /// The name a manifest uses for this stage kind, `plugin.stage` (e.g. `lstm.train`).
    static var kind: String { get }
    /// One line for `--help`-style listings and the report.
    static var summary: String { get }
    /// Every parameter the stage accepts, with type, default and description.
    static var parameters: [ParameterSpec] { get }
    /// The file name, under the plugin's `Stages/` folder, that holds this stage's code.
    /// Its embedded text feeds the fingerprint and is shown in the report.
    static var sourceFileName: String { get }

    init()

    /// Runs the stage. Throwing leaves the previous complete result of the stage in place.
    func run(_ context: StageContext) throws
}

/// A named group of stage kinds, compiled into the `nbrun` executable.
public protocol StagePlugin: Sendable {
    /// Prefix of the plugin's stage kinds (`lstm` for `lstm.train`).
    var name: String { get }
    var stages: [any Stage.Type] { get }
    /// The Swift source of each stage file, by file name (generated at build time by
    /// the EmbedStageSources plugin as `EmbeddedStageSources.byFileName`).
    var stageSources: [String: String] { get }
}
