import HTTPClient

/// The blobs and requests of a soak run: Persona-style blobs that each carry their `SoakBlobID`, with bytes and
/// timestamp computed from that id alone, so a check rebuilds the expected bytes of any stored
/// blob instead of keeping every posted one in memory.
///
/// Round `r` takes the timestamps from `firstTimestamp + r * roundSpan` on, so the records of one
/// round form one time range. Inside a round, connection `c` of `n` gives request `q` the
/// timestamps from `(q * n + c) * batchBlobs` on, so the connections together post nearly rising
/// timestamps, and some records arrive later than newer ones, as they do from real clients.
struct SoakWorkload: Sendable {
    /// 2014-05-13 16:53:20 UTC in Unix milliseconds, a time when Persona sent these blobs.
    static let firstTimestamp: Int64 = 1_400_000_000_000
    /// The milliseconds of timestamps that each round owns.
    static let roundSpan: Int64 = 2_000_000
    /// The member that follows the timestamp in every blob. The note contains non-ASCII characters
    /// and an escaped quote, so that every body encoding must carry them intact.
    private static let noteMember = #","note":"résumé ✓ \"quoted\"""#

    let seed: UInt64
    let connections: Int
    let batchBlobs: Int
    private let factory = KPIBlobFactory()

    init(seed: UInt64, connections: Int, batchBlobs: Int) {
        self.seed = seed
        self.connections = connections
        self.batchBlobs = batchBlobs
    }

    /// The maximum number of requests one connection can post in a round before its timestamps would run into
    /// the next round's.
    var maximumRequestsPerConnection: Int {
        Int(Self.roundSpan) / (connections * batchBlobs)
    }

    /// Returns the timestamps of round `round`, in Unix milliseconds.
    func timestamps(ofRound round: Int) -> ClosedRange<Int64> {
        let first = Self.firstTimestamp + Int64(round) * Self.roundSpan
        return first...(first + Self.roundSpan - 1)
    }

    /// Returns the timestamps of every round up to and including `round`.
    func timestamps(throughRound round: Int) -> ClosedRange<Int64> {
        Self.firstTimestamp...timestamps(ofRound: round).upperBound
    }

    func timestamp(of id: SoakBlobID) -> Int64 {
        let slot = (id.request.number * connections + id.request.connection) * batchBlobs + id.index
        return timestamps(ofRound: id.request.round).lowerBound + Int64(slot)
    }

    /// Returns the bytes of blob `id`: a `KPIBlobFactory` blob with the id and a note inserted
    /// after the timestamp, as `{"timestamp":1400000000123,"soak_id":"r0.c1.q2.b3","note":...`.
    func blob(_ id: SoakBlobID) -> [UInt8] {
        var random = SplitMix64(seed: seed ^ UInt64(truncatingIfNeeded: timestamp(of: id)))
        var bytes = factory.payload(timestamp: timestamp(of: id), variant: random.next(below: 1 << 16))
        let inserted = #","soak_id":""# + id.description + "\"" + Self.noteMember
        bytes.insert(contentsOf: Array(inserted.utf8), at: Self.idOffset)
        return bytes
    }

    /// Returns the `soak_id` of a stored blob, or nil when it has none where `blob(_:)` puts it.
    static func id(ofBlob bytes: ArraySlice<UInt8>) -> SoakBlobID? {
        let marker = Array(#","soak_id":""#.utf8)
        let start = bytes.startIndex + idOffset
        guard bytes.count > idOffset + marker.count, bytes[start..<(start + marker.count)].elementsEqual(marker) else {
            return nil
        }
        let text = bytes[(start + marker.count)...].prefix { $0 != UInt8(ascii: "\"") }
        return SoakBlobID(Substring(decoding: text, as: UTF8.self))
    }

    /// The offset of the `soak_id` member: after `{"timestamp":` and 13 digits.
    private static let idOffset = 26

    /// Returns a generator for one purpose of one round, such as the requests of connection 2, so
    /// that a run with the same seed makes the same choices.
    func random(round: Int, stream: Int) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (UInt64(round) << 20) ^ UInt64(stream))
        return SplitMix64(seed: mixer.next())
    }

    /// Returns request `id` with a kind drawn from `random`: a single blob or a batch of
    /// `batchBlobs`, in one of the three body encodings, with or without `Accept: application/json`.
    func request(_ id: SoakRequestID, using random: inout SplitMix64) -> SoakRequest {
        let blobCount = random.next(below: 2) == 0 ? 1 : batchBlobs
        let blobs = (0..<blobCount).map { blob(SoakBlobID(request: id, index: $0)) }
        let encoding = SoakRequest.Encoding.allCases[random.next(below: SoakRequest.Encoding.allCases.count)]
        return SoakRequest(id: id, blobs: blobs, encoding: encoding, acceptsJSON: random.next(below: 2) == 0)
    }
}
