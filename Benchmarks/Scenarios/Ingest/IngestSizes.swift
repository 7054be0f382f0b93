/// The amount of work each part of the ingest scenario does. A full run took about 7.5 minutes on
/// a 2-core virtual machine. The quick sizes finish in a few seconds and only show that every part
/// works.
struct IngestSizes {
    /// One measured load: a server with `backend`, `connections` keep-alive connections, and
    /// `blobsPerRequest` blobs in each POST.
    struct Case {
        /// The API a case posts to.
        enum Interface {
            /// `POST /wsapi/interaction_data` with a form body, as Persona sent it.
            case wsapi
            /// `POST /bid_kpi/_bulk_docs` on the CouchDB-compatible API, as CouchDB clients ingest.
            case couchBulkDocuments
        }

        var backend: ServerProcess.Backend
        var interface = Interface.wsapi
        var connections: Int
        var blobsPerRequest: Int
        /// A target on requests per second.
        var requestTarget: Target?
        /// A target on records (blobs) per second.
        var recordTarget: Target?

        /// The load without the backend, such as `batch-20.connections-64`. Cases with equal loads
        /// are compared across backends.
        var load: String {
            let shape =
                switch interface {
                case .wsapi: blobsPerRequest == 1 ? "single" : "batch-\(blobsPerRequest)"
                case .couchBulkDocuments: "bulk-docs-\(blobsPerRequest)"
                }
            return shape + ".connections-\(connections)"
        }

        /// The measurement's name in the JSON lines, such as `logstore.single.connections-64`.
        var name: String {
            backend.rawValue + "." + load
        }
    }

    var warmUpRuns: Int
    var runs: Int
    /// The window of each run, in milliseconds, in which responses are counted.
    var runMilliseconds: Int
    /// An idle pause before each run, in milliseconds. A virtual disk can slow down for a while
    /// after a burst of writes, so the pause lets every run start from the same state.
    var settleMilliseconds: Int
    /// Load threads, which run on the same cores as the server. On a 2-core virtual machine a
    /// second thread raised the generator's processor time per request by about a third and the
    /// dummy server's p99 latency from about 2.5 to 5 ms, with no throughput gain beyond the noise.
    var loadThreads: Int
    /// Distinct prebuilt requests per case, dealt over the connections.
    var requestPoolSize: Int
    var cases: [Case]

    static let batchSize = 20

    static let full = IngestSizes(
        warmUpRuns: 1,
        runs: 5,
        runMilliseconds: 5_000,
        settleMilliseconds: 1_000,
        loadThreads: 1,
        requestPoolSize: 1_000,
        cases: cases
    )

    static let quick = IngestSizes(
        warmUpRuns: 1,
        runs: 2,
        runMilliseconds: 200,
        settleMilliseconds: 0,
        loadThreads: 1,
        requestPoolSize: 256,
        cases: cases
    )

    private static let cases = [
        Case(
            backend: .logstore,
            connections: 64,
            blobsPerRequest: 1,
            requestTarget: .atLeast(50_000, "50,000 requests/s")
        ),
        Case(
            backend: .logstore,
            connections: 256,
            blobsPerRequest: 1,
            requestTarget: .atLeast(75_000, "75,000 requests/s")
        ),
        Case(
            backend: .logstore,
            connections: 64,
            blobsPerRequest: batchSize,
            recordTarget: .atLeast(300_000, "300,000 records/s")
        ),
        Case(backend: .dummy, connections: 64, blobsPerRequest: 1),
        Case(backend: .dummy, connections: 64, blobsPerRequest: batchSize),
        // The minimal durable server of this design, under the same three loads.
        Case(backend: .raw, connections: 64, blobsPerRequest: 1),
        Case(backend: .raw, connections: 256, blobsPerRequest: 1),
        Case(backend: .raw, connections: 64, blobsPerRequest: batchSize),
        // CouchDB's documentation advises batches of about a thousand documents for bulk loads.
        Case(backend: .logstore, interface: .couchBulkDocuments, connections: 4, blobsPerRequest: 1_000),
        Case(backend: .logstore, interface: .couchBulkDocuments, connections: 16, blobsPerRequest: 100),
        // Through a stateless node into a CouchDB, here a second server's CouchDB API.
        Case(backend: .couchdb, connections: 64, blobsPerRequest: 1),
        Case(backend: .couchdb, connections: 64, blobsPerRequest: batchSize),
    ]
}
