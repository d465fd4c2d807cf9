import Foundation

/// Placeholder so the skeleton compiles; the runner-core branch replaces it.
public final class StageContext: @unchecked Sendable {}
