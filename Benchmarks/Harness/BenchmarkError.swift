/// A measurement that could not be taken or produced a wrong result, such as a scan that returned
/// fewer records than the store holds.
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
