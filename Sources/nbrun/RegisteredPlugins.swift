import DemoNotebook
import GRUvsLSTMNotebook
import LSTMNotebook
import NBRunCore

/// Every notebook plugin compiled into nbrun. Adding a notebook with new stages means
/// adding its plugin here; the runner core knows none of them by name.
let registeredPlugins: [any StagePlugin] = [
    LSTMNotebookPlugin(),
    GRUvsLSTMNotebookPlugin(),
    DemoNotebookPlugin(),
]

func makeRegistry() throws -> StageRegistry {
    do { return try StageRegistry(plugins: registeredPlugins) } catch {
        throw CommandFailure(message: error.description, exitCode: 2)
    }
}
