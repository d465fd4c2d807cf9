import Foundation
import SafeText

/// Where the runner's live output goes: the terminal, or a buffer in tests.
///
/// It owns the one transient progress line, so ordinary lines never land in the middle
/// of a progress bar and the terminal is left tidy when a run ends or is interrupted.
public final class Console: @unchecked Sendable {
    /// A terminal that can redraw a line (a TTY and no `CI` variable set).
    public let isInteractive: Bool
    private let write: @Sendable (String) -> Void
    private let lock = NSLock()
    private var showsProgressLine = false
    private var recorded = ""
    private let records: Bool
    /// Told a stage's progress a few times a second, whatever the terminal shows: how
    /// `nbrun watch` puts the running stage's progress on the page.
    package let progressObserver: (@Sendable (_ stage: String, _ text: String) -> Void)?

    public init(isInteractive: Bool, write: @escaping @Sendable (String) -> Void) {
        self.isInteractive = isInteractive
        self.write = write
        self.records = false
        self.progressObserver = nil
    }

    package init(isInteractive: Bool, progressObserver: (@Sendable (String, String) -> Void)?, write: @escaping @Sendable (String) -> Void) {
        self.isInteractive = isInteractive
        self.write = write
        self.records = false
        self.progressObserver = progressObserver
    }

    private init(recording: Void) {
        isInteractive = false
        write = { _ in }
        records = true
        progressObserver = nil
    }

    /// The process's standard output.
    public static func standardOutput() -> Console {
        standardOutput(progressObserver: nil)
    }

    package static func standardOutput(progressObserver: (@Sendable (String, String) -> Void)?) -> Console {
        let environment = ProcessInfo.processInfo.environment
        let inCI = environment["CI"].map { !$0.isEmpty && $0 != "0" && $0 != "false" } ?? false
        let interactive = isatty(STDOUT_FILENO) == 1 && !inCI && environment["TERM"] != "dumb"
        return Console(isInteractive: interactive, progressObserver: progressObserver) { text in
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// A console that keeps everything written, for tests.
    public static func recording() -> Console { Console(recording: ()) }

    /// Everything written so far (recording consoles only).
    public var text: String {
        lock.lock(); defer { lock.unlock() }
        return recorded
    }

    private func emit(_ text: String) {
        if records { recorded += text } else { write(text) }
    }

    /// A complete line of output (it may span several lines).
    ///
    /// Control characters other than newline and tab are escaped (`\u{1B}`): what a stage
    /// prints, or an error quotes from a file, must not drive the terminal. The raw text is
    /// still what stages record; only the terminal sees the escaped form. The only escape
    /// sequences nbrun sends are its own, for the progress line.
    public func line(_ text: String) {
        let safe = Self.lines(text)
        lock.lock(); defer { lock.unlock() }
        if showsProgressLine { emit("\r\u{1B}[2K"); showsProgressLine = false }
        emit(safe.hasSuffix("\n") ? safe : safe + "\n")
    }

    private static let keptInLines: Set<Unicode.Scalar> = ["\n", "\t"]

    /// `text` as `line` prints it: every control character but newline and tab escaped. For
    /// what goes to the terminal without a console, such as the CLI's error messages, which
    /// quote stage names, paths and compiler output as the user or a file gave them.
    public static func lines(_ text: String) -> String {
        text.escapingControlCharacters(keeping: keptInLines)
    }

    /// `text` for one line of a table or list the CLI prints (`runs`, `status`, `why`): every
    /// control character escaped, newline and tab included, so that a value from a record or
    /// a `--set` can neither drive the terminal nor break the line.
    public static func oneLine(_ text: String) -> String {
        text.escapingControlCharacters()
    }

    /// Replaces the transient progress line (interactive terminals only); one line, so a
    /// newline in the status is escaped too.
    func progressLine(_ text: String) {
        let safe = text.escapingControlCharacters()
        lock.lock(); defer { lock.unlock() }
        emit("\r\u{1B}[2K" + safe)
        showsProgressLine = true
    }

    /// Clears the progress line and shows the cursor: the terminal as the user left it.
    public func tidy() {
        lock.lock(); defer { lock.unlock() }
        if showsProgressLine { emit("\r\u{1B}[2K"); showsProgressLine = false }
        if isInteractive { emit("\u{1B}[?25h") }
    }
}
