import Foundation

/// A stage as the manifest declares it, with parameters already resolved against the
/// stage kind's declared defaults and types.
public struct StageCell: Sendable {
    public var name: String
    public var kind: String
    /// Every declared parameter, with the manifest's value or the default.
    public var parameters: [String: ParameterValue]
    /// Names of parameters set by `--set` for this run.
    public var overriddenParameters: Set<String> = []
    /// Names of parameters the manifest itself sets (the rest are defaults or `--set`).
    public var manifestParameters: Set<String> = []
    public var reads: [String]
    public var location: ManifestLocation
    /// False for `watch: manual`: `nbrun watch` leaves the stage as it is when a save makes it
    /// stale (a long training run), and shows the command that runs it instead.
    public var rerunByWatch = true
}
