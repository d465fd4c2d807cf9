import Foundation

/// A file one stage writes and later stages read, declared once and shared by both:
///
/// ```swift
/// static let model = Artifact<SequenceClassifier>("model.safetensors")
/// try context.write(model, to: Self.model)          // the producer
/// let model = try context.read(LSTMArtifacts.model) // a consumer
/// ```
///
/// The name is written in one place, and the type says how its bytes are read and written,
/// so a consumer cannot misspell the file nor read it as something else.
public struct Artifact<Content: ArtifactContent>: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    /// `name` is a plain file name (no `/`, not hidden); an invalid one traps at first use,
    /// since it is a constant of the plugin's code, not user input.
    public init(_ name: String) {
        self.name = name
    }

    public var description: String { name }
}

/// How an artifact's content is stored in its file.
public protocol ArtifactContent {
    /// Reads the content from a file the runner has verified (size and SHA-256).
    static func readArtifact(from url: URL) throws -> Self
    /// Writes the content to a file in the stage's staging folder; the runner commits it.
    func writeArtifact(to url: URL) throws
}

extension StageContext {
    /// The artifact as written by the one upstream stage that has it.
    public func read<Content>(_ artifact: Artifact<Content>) throws -> Content {
        try Content.readArtifact(from: inputArtifact(artifact.name))
    }

    /// The artifact as written by upstream stage `stage` (when several upstream stages write it).
    public func read<Content>(_ artifact: Artifact<Content>, from stage: String) throws -> Content {
        try Content.readArtifact(from: inputArtifact(artifact.name, from: stage))
    }

    public func write<Content>(_ content: Content, to artifact: Artifact<Content>) throws {
        guard Self.isValidArtifactName(artifact.name) else { throw StorageError.invalidArtifactName(artifact.name) }
        try content.writeArtifact(to: outputURL(for: artifact.name))
    }
}
