// `NotebookLibraries.code` is generated at build time by the EmbedLibrarySourcesPlugin
// from the libraries this target depends on: every module a notebook may import.
