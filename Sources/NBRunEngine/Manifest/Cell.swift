import Foundation

/// One cell of a notebook.
public enum Cell: Sendable {
    /// Markdown, copied into the report as is. Never part of any fingerprint.
    case prose(String)
    /// Library code shown in the report (see ``CodeCell``).
    case code(CodeCell)
    case stage(StageCell)
}
