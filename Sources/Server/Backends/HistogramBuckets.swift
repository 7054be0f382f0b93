/// Counts timestamps into the parts of `[start, end]` cut at ascending `edges`, for backends
/// that see the timestamps one by one rather than through an index.
struct HistogramBuckets: Sendable {
    let start: Double
    let end: Double
    let edges: [Double]
    private(set) var counts: [Int]

    init(start: Double, end: Double, edges: [Double]) {
        self.start = start
        self.end = end
        self.edges = edges
        counts = [Int](repeating: 0, count: edges.count + 1)
    }

    /// Counts `timestamp` when it lies in `[start, end]`.
    mutating func add(_ timestamp: Double) {
        guard timestamp >= start, timestamp <= end else {
            return
        }
        // The bucket is the number of edges at or below the timestamp.
        var low = 0
        var high = edges.count
        while low < high {
            let middle = (low + high) / 2
            if edges[middle] <= timestamp {
                low = middle + 1
            } else {
                high = middle
            }
        }
        counts[low] += 1
    }
}
