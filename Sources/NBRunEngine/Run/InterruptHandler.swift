import Dispatch
import Foundation

/// SIGINT handling for the CLI: the first Ctrl-C asks the running stage to stop (nothing
/// is committed, the run exits 130); a second one exits at once, leaving the terminal tidy.
public enum InterruptHandler {
    nonisolated(unsafe) private static var source: (any DispatchSourceSignal)?

    public static func install(flag: CancellationFlag, console: Console) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if flag.isCancelled {
                console.tidy()
                console.line("nbrun: interrupted again, exiting now")
                exit(130)
            }
            flag.cancel()
            console.line("nbrun: interrupt received, stopping the current stage (Ctrl-C again to quit at once)")
        }
        source.resume()
        Self.source = source
    }
}
