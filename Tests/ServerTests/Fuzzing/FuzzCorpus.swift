import Foundation

/// The inputs that once crashed or misbehaved in fuzzing, kept in `Resources/FuzzCorpus/<kind>` and
/// replayed by the suite. Each file is one raw input, named after what it exercises.
enum FuzzCorpus {
    /// Returns the inputs of `kind` (`http` or `json`) by file name, sorted by name.
    static func inputs(in kind: String) throws -> [(name: String, bytes: [UInt8])] {
        guard let resources = Bundle.module.resourceURL else {
            throw CocoaError(.fileNoSuchFile)
        }
        let directory = resources.appendingPathComponent("FuzzCorpus/\(kind)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.filter { !$0.hasPrefix(".") }.map { name in
            (name, Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }
}
