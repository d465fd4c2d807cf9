/// What `nbrun why` says about one stage: its decision, with the decision of each upstream
/// stage its causes name, so that "upstream stage generate changed" can be followed to what
/// changed there. Structured; the command lays it out as text.
public struct StageExplanation: Sendable {
    public let decision: StageDecision
    /// By stage name: each upstream stage a `.changed(.upstream(…))` cause of ``decision`` names.
    public let upstream: [String: StageDecision]
}
