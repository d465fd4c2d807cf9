import Foundation

/// A stage parameter, declared and read as one property:
///
/// ```swift
/// @Parameter(help: "Passes over the training set.", range: 0...1000) var epochs = 10
/// ```
///
/// The manifest name is the property's name in kebab case (`learningRate` is
/// `learning-rate`) unless `name:` gives another. Because the stage reads the property, a
/// misspelt parameter is a compile error, and the declaration nbrun checks manifests
/// against is the one the code reads.
@propertyWrapper
public struct Parameter<Value: ParameterValueType>: Sendable {
    let explicitName: String?
    let help: String
    let kind: ParameterKind
    let defaultValue: Value
    /// Shared by every copy of the stage value, so the runner can bind the checked manifest
    /// value into a stage it created (reflection sees copies of the wrapper, not the stage).
    let binding = ParameterBinding()

    public var wrappedValue: Value {
        guard let (value, base) = binding.value else { return defaultValue }
        guard let typed = Value(parameterValue: value, baseDirectory: base) else {
            preconditionFailure("parameter '\(explicitName ?? "?")' was bound to \(value), not a \(Value.self)")
        }
        return typed
    }

    public init(wrappedValue: Value, name: String? = nil, help: String) {
        self.init(wrappedValue, name, help, Value.parameterKind)
    }

    private init(_ defaultValue: Value, _ name: String?, _ help: String, _ kind: ParameterKind) {
        self.defaultValue = defaultValue
        explicitName = name
        self.help = help
        self.kind = kind
    }
}

extension Parameter where Value == Int {
    public init(wrappedValue: Int, name: String? = nil, help: String, range: ClosedRange<Int>) {
        precondition(range.contains(wrappedValue), "the default \(wrappedValue) is outside \(range)")
        self.init(wrappedValue, name, help, .integer(range))
    }
}

extension Parameter where Value == [Int] {
    /// A list whose every element must lie in `range`.
    public init(wrappedValue: [Int], name: String? = nil, help: String, range: ClosedRange<Int>) {
        precondition(wrappedValue.allSatisfy(range.contains), "the default \(wrappedValue) has an element outside \(range)")
        self.init(wrappedValue, name, help, .list(.integer(range)))
    }
}

extension Parameter where Value == Int? {
    /// An optional integer that, when given, must lie in `range`.
    public init(wrappedValue: Int?, name: String? = nil, help: String, range: ClosedRange<Int>) {
        precondition(wrappedValue.map(range.contains) ?? true, "the default \(wrappedValue!) is outside \(range)")
        self.init(wrappedValue, name, help, .integer(range))
    }
}

extension Parameter where Value == [Double] {
    /// A list whose every element must lie in `range`.
    public init(wrappedValue: [Double], name: String? = nil, help: String, range: ClosedRange<Double>) {
        precondition(wrappedValue.allSatisfy(range.contains), "the default \(wrappedValue) has an element outside \(range)")
        self.init(wrappedValue, name, help, .list(.number(range)))
    }
}

extension Parameter where Value == Double {
    public init(wrappedValue: Double, name: String? = nil, help: String, range: ClosedRange<Double>) {
        precondition(range.contains(wrappedValue), "the default \(wrappedValue) is outside \(range)")
        self.init(wrappedValue, name, help, .number(range))
    }
}

/// The value the runner bound to one parameter of one stage instance.
final class ParameterBinding: @unchecked Sendable {
    private let lock = NSLock()
    private var bound: (ParameterValue, URL)?

    var value: (ParameterValue, URL)? {
        lock.lock(); defer { lock.unlock() }
        return bound
    }

    func bind(_ value: ParameterValue, baseDirectory: URL) {
        lock.lock(); defer { lock.unlock() }
        bound = (value, baseDirectory)
    }
}

/// What the runner sees of a `@Parameter` through reflection.
protocol DeclaredParameter {
    func specification(label: String) -> ParameterSpec
    var binding: ParameterBinding { get }
}

extension Parameter: DeclaredParameter {
    func specification(label: String) -> ParameterSpec {
        ParameterSpec(explicitName ?? Self.kebabCase(label), kind, default: defaultValue.parameterValue, help,
                      optional: Value.isOptionalParameter)
    }

    /// `learningRate` → `learning-rate`; `_` of the wrapper's storage is dropped.
    static func kebabCase(_ label: String) -> String {
        var name = ""
        for character in label.drop(while: { $0 == "_" }) {
            if character.isUppercase {
                if !name.isEmpty { name += "-" }
                name += character.lowercased()
            } else {
                name.append(character)
            }
        }
        return name
    }
}
