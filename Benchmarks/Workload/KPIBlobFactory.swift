/// Builds Persona-style KPI blobs: compact JSON objects with a numeric `timestamp` in Unix
/// milliseconds first, then an `event_stream` of dialog events and the client's counters and user
/// agent, as Persona's sign-in dialog sent them to kpiggybank. With the default events a blob is
/// about 800 bytes long.
///
/// The blobs come from a fixed set of templates, so building one costs a copy and thirteen digit
/// writes instead of JSON encoding: benchmarks can build millions of them outside the timed part.
struct KPIBlobFactory: Sendable {
    /// The number of template variants; variant `n` and `n + variantCount` give the same bytes
    /// apart from the timestamp.
    static let variantCount = 64

    /// `{"timestamp":` is 13 bytes long, so the digits always start here.
    private static let timestampOffset = 13
    private static let timestampDigits = 13
    private static let placeholder = String(repeating: "0", count: timestampDigits)

    private let templates: [[UInt8]]

    /// Creates the templates, each with an `event_stream` of `events` in order. `true` marks a
    /// network request, whose event carries a duration in milliseconds.
    init(events: [(String, Bool)] = KPIBlobFactory.passwordSignInEvents) {
        var random = SplitMix64(seed: 0x4B50_4942_4C4F_4221)
        templates = (0..<Self.variantCount).map { _ in Array(Self.template(events, using: &random).utf8) }
    }

    /// The mean payload length over all variants, in bytes.
    var meanPayloadBytes: Double {
        Double(templates.reduce(0) { $0 + $1.count }) / Double(templates.count)
    }

    /// Returns the blob of template `variant` carrying `timestamp` (Unix milliseconds, 13 digits:
    /// from 2001-09-09 to 2286-11-20).
    func payload(timestamp: Int64, variant: Int) -> [UInt8] {
        precondition(
            (1_000_000_000_000..<10_000_000_000_000).contains(timestamp),
            "timestamp \(timestamp) is not 13 digits"
        )
        var bytes = templates[variant % templates.count]
        var remaining = timestamp
        for position in (0..<Self.timestampDigits).reversed() {
            bytes[Self.timestampOffset + position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
        return bytes
    }

    /// Builds one blob with a placeholder timestamp. Event offsets, counters, language and user
    /// agent vary with `random`.
    private static func template(_ eventNames: [(String, Bool)], using random: inout SplitMix64) -> String {
        var events: [String] = []
        var offset = 300 + random.next(below: 400)
        for (name, duration) in eventNames {
            offset += 5 + random.next(below: 900)
            if duration {
                events.append("[\"\(name)\",\(offset),\(80 + random.next(below: 2400))]")
            } else {
                events.append("[\"\(name)\",\(offset)]")
            }
        }
        let agent = userAgents[random.next(below: userAgents.count)]
        let screen = screenSizes[random.next(below: screenSizes.count)]
        return "{\"timestamp\":\(placeholder),\"event_stream\":[\(events.joined(separator: ","))],"
            + "\"sample_rate\":0.1,\"lang\":\"\(languages[random.next(below: languages.count)])\","
            + "\"new_account\":\(random.next(below: 10) == 0),"
            + "\"screen_size\":{\"width\":\(screen.width),\"height\":\(screen.height)},"
            + "\"number_emails\":\(1 + random.next(below: 4)),"
            + "\"number_sites_signed_in\":\(random.next(below: 4)),"
            + "\"number_sites_remembered\":\(random.next(below: 9)),"
            + "\"orphaned\":\(random.next(below: 8) == 0),"
            + "\"email_type\":\"\(random.next(below: 3) == 0 ? "primary" : "secondary")\","
            + "\"rp_api\":\"\(rpAPIs[random.next(below: rpAPIs.count)])\","
            + "\"user_agent\":{\"os\":\"\(agent.os)\",\"browser\":\"\(agent.browser)\",\"version\":\(agent.version)}}"
    }

    /// A password sign-in as Persona's dialog recorded it, shortened to keep blobs near 800 bytes; `true` marks network requests, which
    /// carry a duration in milliseconds.
    static let passwordSignInEvents: [(String, Bool)] = [
        ("window.dom_loading", false),
        ("xhr_complete.GET/wsapi/session_context", true),
        ("screen.rp_info", false),
        ("user.can_interact", false),
        ("screen.authenticate", false),
        ("xhr_complete.GET/wsapi/address_info", true),
        ("authenticate.enter_password", false),
        ("authenticate.password_submitted", false),
        ("xhr_complete.POST/wsapi/authenticate_user", true),
        ("generate_assertion", false),
        ("xhr_complete.POST/wsapi/cert_key", true),
        ("assertion_generated", false),
        ("window.unload", false),
    ]

    /// The seven events of one login sequence as kpiggybank's test helper `makeBlob` built it, in
    /// the early dialog's event names.
    static let loginSequenceEvents: [(String, Bool)] = [
        ("picker", false),
        ("picker::change", false),
        ("picker::signin", false),
        ("assertion_generation", false),
        ("certified", false),
        ("assertion_generated", false),
        ("complete", false),
    ]

    private static let languages = ["en", "en-US", "de", "fr", "es", "pt-BR", "it", "nl", "pl", "ja"]
    private static let rpAPIs = ["get", "getVerifiedEmail", "watch_with_onready", "watch_without_onready", "stateless"]
    private static let screenSizes = [(1366, 768), (1920, 1080), (1280, 800), (1440, 900), (320, 480), (768, 1024)]
        .map { (width: $0.0, height: $0.1) }
    private static let userAgents = [
        (os: "Windows NT 6.1", browser: "Firefox", version: 21),
        (os: "Windows NT 6.1", browser: "Chrome", version: 27),
        (os: "Macintosh", browser: "Safari", version: 536),
        (os: "Linux", browser: "Firefox", version: 22),
        (os: "Windows NT 5.1", browser: "MSIE", version: 8),
        (os: "iPhone", browser: "Safari", version: 536),
        (os: "Android", browser: "Chrome", version: 26),
    ]
}

/// The SplitMix64 generator (Steele, Lea and Flood, 2014): a fixed seed gives the same blobs on
/// every run and machine, which the system generator does not promise.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// Returns a value in `0..<bound`. The modulo bias is negligible for the small bounds used here.
    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
