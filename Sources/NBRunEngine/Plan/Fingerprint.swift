import Crypto
import Foundation

/// Everything a stage's result depends on, kept component by component so that `why`
/// and `status` can name exactly what changed since the cached run.
public struct FingerprintComponents: Codable, Sendable, Equatable {
    public var kind: String
    /// SHA-256 of the stage's normalised code (see `SwiftCodeNormalizer`).
    public var code: String
    /// SHA-256 of the normalised code of each library module the stage uses (see
    /// ``LibraryCode``). Optional so that a record from a build that did not fingerprint
    /// library code still loads; it is then stale, and `why` says what changed.
    public var libraries: [String: String]?
    /// Resolved parameters in canonical typed form (`int:32`, `path:data/mnist`).
    public var parameters: [String: String]
    /// For each `.path` parameter that names something: the content hash of that file or folder.
    public var inputData: [String: String]
    /// Fingerprint of each stage read from.
    public var upstream: [String: String]

    public init(kind: String, code: String, libraries: [String: String]? = nil, parameters: [String: String],
                inputData: [String: String], upstream: [String: String]) {
        self.kind = kind
        self.code = code
        self.libraries = libraries
        self.parameters = parameters
        self.inputData = inputData
        self.upstream = upstream
    }

    /// The stage's fingerprint: SHA-256 over a canonical (sorted-key JSON) encoding.
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        return SHA256.hash(data: Data("nbrun-fingerprint-v1\n".utf8) + data).hexString
    }

    /// What differs between a cached run (`self`) and now.
    public func changes(to current: FingerprintComponents) -> [FingerprintChange] {
        var changes: [FingerprintChange] = []
        if kind != current.kind { changes.append(.kind(old: kind, new: current.kind)) }
        if code != current.code { changes.append(.code) }
        let oldLibraries = libraries ?? [:], newLibraries = current.libraries ?? [:]
        for module in Set(oldLibraries.keys).union(newLibraries.keys).sorted()
        where oldLibraries[module] != newLibraries[module] {
            changes.append(.libraryCode(module: module))
        }
        for name in Set(parameters.keys).union(current.parameters.keys).sorted()
        where parameters[name] != current.parameters[name] {
            if let old = parameters[name], let new = current.parameters[name],
               ParameterValue.typeTag(ofCanonical: old) != ParameterValue.typeTag(ofCanonical: new),
               old != "none", new != "none" {
                changes.append(.parameterType(name: name, old: Self.display(old), oldType: Self.typeName(old),
                                              new: Self.display(new), newType: Self.typeName(new)))
            } else {
                changes.append(.parameter(name: name, old: parameters[name].map(Self.display), new: current.parameters[name].map(Self.display)))
            }
        }
        for name in Set(inputData.keys).union(current.inputData.keys).sorted()
        where inputData[name] != current.inputData[name] {
            let path = current.parameters[name].map(Self.display) ?? name
            changes.append(.inputData(parameter: name, path: path))
        }
        for name in Set(upstream.keys).union(current.upstream.keys).sorted()
        where upstream[name] != current.upstream[name] {
            changes.append(.upstream(stage: name))
        }
        return changes
    }

    /// `int:32` → `32`; a list → `[0, 10]`.
    static func display(_ canonical: String) -> String {
        ParameterValue.displayText(ofCanonical: canonical)
    }

    /// `int:32` → `integer`, for saying that a parameter's type changed.
    static func typeName(_ canonical: String) -> String {
        switch ParameterValue.typeTag(ofCanonical: canonical) {
        case "int": "integer"
        case "num": "number"
        case "str": "string"
        case "bool": "boolean"
        case "list": "list"
        case let tag: tag
        }
    }
}

/// One reason a stage's fingerprint differs from its cached run.
public enum FingerprintChange: Sendable, Equatable, CustomStringConvertible {
    case kind(old: String, new: String)
    case code
    case libraryCode(module: String)
    case parameter(name: String, old: String?, new: String?)
    /// The stage now declares the parameter with another type (a string of delays that
    /// became a list, say): the value is written anew, so the stage runs once again.
    case parameterType(name: String, old: String, oldType: String, new: String, newType: String)
    case inputData(parameter: String, path: String)
    case upstream(stage: String)

    public var description: String {
        switch self {
        case .kind(let old, let new): return "stage kind changed: \(old) → \(new)"
        case .code: return "code changed"
        case .libraryCode(let module): return "code of library module \(module) changed"
        case .parameter(let name, let old, let new):
            return "parameter \(name) changed: \(old ?? "(absent)") → \(new ?? "(absent)")"
        case .parameterType(let name, let old, let oldType, let new, let newType):
            return "parameter \(name) is now a \(newType) (was the \(oldType) '\(old)', now \(new)): recorded before its type changed, so it runs once again"
        case .inputData(let parameter, let path): return "input data changed: \(path) (parameter \(parameter))"
        case .upstream(let stage): return "upstream stage \(stage) changed"
        }
    }
}

/// Computes the current fingerprints of every stage of a manifest.
public struct FingerprintCalculator {
    public let registry: StageRegistry
    public let notebookDirectory: URL

    public init(registry: StageRegistry, notebookDirectory: URL) {
        self.registry = registry
        self.notebookDirectory = notebookDirectory
    }

    /// Hashes of code by kind, memoised: a notebook often uses one kind several times.
    private var codeHashes: [String: String] = [:]
    /// Hashes of library modules, memoised: most stages of a plugin share them.
    private var libraryHashes: [String: String] = [:]

    public static func codeHash(ofSource source: String) -> String {
        SHA256.hash(data: Data(SwiftCodeNormalizer.normalize(source).utf8)).hexString
    }

    /// Components of every stage, in manifest order (upstream fingerprints need the earlier ones).
    public mutating func components(for manifest: Manifest) throws(StorageError) -> [String: FingerprintComponents] {
        var result: [String: FingerprintComponents] = [:]
        for stage in manifest.stages {
            guard let entry = registry[stage.kind] else { continue }
            let code: String
            if let cached = codeHashes[stage.kind] { code = cached } else {
                code = Self.codeHash(ofSource: entry.source)
                codeHashes[stage.kind] = code
            }
            var libraries: [String: String] = [:]
            for module in entry.libraryModules {
                if let cached = libraryHashes[module] { libraries[module] = cached; continue }
                let hash = Self.codeHash(ofSource: registry.librarySources[module] ?? "")
                libraryHashes[module] = hash
                libraries[module] = hash
            }
            var inputData: [String: String] = [:]
            for (name, value) in stage.parameters {
                if case .path(let path) = value {
                    inputData[name] = try ContentHash.ofItem(at: ParameterValue.resolve(path: path, against: notebookDirectory))
                }
            }
            var upstream: [String: String] = [:]
            for read in stage.reads { upstream[read] = result[read]?.fingerprint ?? "" }
            result[stage.name] = FingerprintComponents(
                kind: stage.kind, code: code, libraries: libraries.isEmpty ? nil : libraries,
                parameters: stage.parameters.mapValues(\.canonical),
                inputData: inputData, upstream: upstream)
        }
        return result
    }
}
