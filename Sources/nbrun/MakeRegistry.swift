import NBRunCore

// `registeredPlugins` is generated at build time by the NotebookRegistryPlugin.

func makeRegistry() throws -> StageRegistry {
    do { return try StageRegistry(plugins: registeredPlugins) } catch {
        throw CommandFailure(message: error.description, exitCode: 2)
    }
}
