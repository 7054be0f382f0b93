/// What a soak run posted and what the store must therefore contain, and the check of a store read
/// against it.
///
/// A request that got `201` must be stored whole, for good. A request without a response may be
/// stored or not, but whole or not at all; the first check after its round settles which, and
/// every later check expects the same.
struct SoakLedger {
    enum State {
        case acknowledged
        /// No response arrived, and no check has looked for its blobs yet.
        case unanswered
        /// No response arrived, and the store contains every blob.
        case stored
        /// No response arrived, and the store contains none of the blobs.
        case absent
    }

    struct Entry {
        var blobCount: Int
        var state: State
    }

    /// Record counts over the whole run.
    struct Figures {
        var acknowledgedRequests = 0
        var acknowledgedRecords = 0
        /// Acknowledged records that the first check after their round found.
        var recoveredRecords = 0
        /// Acknowledged records that a check did not find.
        var lostRecords = 0
        var unansweredRequests = 0
        /// Records of unanswered requests that the store turned out to contain.
        var unansweredStoredRecords = 0
        /// Records of unanswered requests that the store turned out not to contain.
        var unansweredAbsentRecords = 0

        /// The records the store must contain: every acknowledged record and every unanswered one that
        /// it turned out to contain.
        var expectedRecords: Int {
            acknowledgedRecords + unansweredStoredRecords
        }
    }

    let workload: SoakWorkload
    private(set) var figures = Figures()
    private var entries: [SoakRequestID: Entry] = [:]
    /// The requests of each round, by round.
    private var requestsByRound: [[SoakRequestID]] = []
    /// The rounds before this one have been checked at least once.
    private var firstUncheckedRound = 0

    init(workload: SoakWorkload) {
        self.workload = workload
    }

    /// Adds the requests of the next round.
    mutating func record(_ outcome: CrashLoad.Outcome) {
        var requests: [SoakRequestID] = []
        for request in outcome.acknowledged {
            entries[request.id] = Entry(blobCount: request.blobCount, state: .acknowledged)
            requests.append(request.id)
            figures.acknowledgedRequests += 1
            figures.acknowledgedRecords += request.blobCount
        }
        for request in outcome.unanswered {
            entries[request.id] = Entry(blobCount: request.blobCount, state: .unanswered)
            requests.append(request.id)
            figures.unansweredRequests += 1
        }
        requestsByRound.append(requests)
    }

    /// Checks `rows`, a read of the time range of round `round`, against the ledger, and settles
    /// the unanswered requests of the round when no check has read it before. Returns the problems
    /// found: a blob stored twice, altered or never posted, a missing acknowledged blob, or part of
    /// a request.
    mutating func check(_ rows: [SoakStoreReader.Row], round: Int) -> [String] {
        var problems: [String] = []
        var presentBlobs: [SoakRequestID: Int] = [:]
        var seen = Set<SoakBlobID>()
        for row in rows {
            if let problem = problem(with: row, round: round, seen: &seen) {
                problems.append(problem)
            } else if let id = SoakWorkload.id(ofBlob: row.blob) {
                presentBlobs[id.request, default: 0] += 1
            }
        }

        for request in requestsByRound[round] {
            problems += settle(
                request,
                presentBlobs: presentBlobs[request] ?? 0,
                isFirstCheck: round >= firstUncheckedRound
            )
        }
        firstUncheckedRound = max(firstUncheckedRound, round + 1)
        return problems
    }

    /// Returns what is wrong with one stored row, or nil when it is a blob of `round` that was
    /// posted, is stored byte for byte, and was not seen before.
    private func problem(
        with row: SoakStoreReader.Row,
        round: Int,
        seen: inout Set<SoakBlobID>
    ) -> String? {
        guard let id = SoakWorkload.id(ofBlob: row.blob) else {
            return
                "record \(row.id) contains a blob that no soak request posted: \(String(decoding: row.blob.prefix(80), as: UTF8.self))"
        }
        guard id.request.round == round, let entry = entries[id.request], id.index < entry.blobCount else {
            return "record \(row.id) contains blob \(id), which no request of round \(round) posted"
        }
        guard seen.insert(id).inserted else {
            return "blob \(id) is stored twice, the second time as record \(row.id)"
        }
        guard row.blob.elementsEqual(workload.blob(id)) else {
            return "record \(row.id) contains blob \(id) with bytes other than those posted"
        }
        return nil
    }

    /// Compares the blobs of `request` in the store with its state, settles an unanswered
    /// request, and returns the problems.
    private mutating func settle(_ request: SoakRequestID, presentBlobs: Int, isFirstCheck: Bool) -> [String] {
        guard var entry = entries[request] else {
            return []
        }
        let missing = entry.blobCount - presentBlobs
        switch entry.state {
        case .acknowledged:
            if isFirstCheck {
                figures.recoveredRecords += presentBlobs
            }
            guard missing == 0 else {
                figures.lostRecords += missing
                return ["request \(request) got 201, but \(missing) of its \(entry.blobCount) blobs are missing"]
            }
        case .unanswered:
            guard presentBlobs == 0 || missing == 0 else {
                return [
                    "request \(request) got no response, and \(presentBlobs) of its \(entry.blobCount) blobs are "
                        + "stored: a batch must be stored whole or not at all"
                ]
            }
            entry.state = presentBlobs == 0 ? .absent : .stored
            entries[request] = entry
            if presentBlobs == 0 {
                figures.unansweredAbsentRecords += entry.blobCount
            } else {
                figures.unansweredStoredRecords += entry.blobCount
            }
        case .stored:
            guard missing == 0 else {
                return [
                    "request \(request) was stored whole, but now \(missing) of its \(entry.blobCount) blobs are missing"
                ]
            }
        case .absent:
            guard presentBlobs == 0 else {
                return ["request \(request) was not stored, but now \(presentBlobs) of its blobs are"]
            }
        }
        return []
    }
}
