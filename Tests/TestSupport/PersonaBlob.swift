import SystemCalls

/// Persona-style `interaction_data` blobs: one login sequence each, with a 7-event `event_stream`,
/// the fields of Persona's 2013 client whitelist plus the `user_agent` its server added, and a
/// millisecond `timestamp`.
public enum PersonaBlob {
    /// The JSON text of login sequence `number` with `timestamp` in Unix milliseconds.
    ///
    /// Persona floored timestamps to 10 minutes; these keep the exact value they are given, so that
    /// a test can tell the blobs apart by timestamp. Other fields vary with `number`.
    public static func json(timestamp: Int64, number: Int) -> String {
        let languages = ["en", "de", "fr", "es", "pt-BR", "ja", "zh-CN"]
        let agents = [("Windows NT 6.1", "Firefox", 21), ("Macintosh", "Safari", 533), ("Linux", "Chrome", 27)]
        let apis = ["get", "watch_with_onready", "watch_without_onready", "stateless", "internal"]
        let (os, browser, version) = agents[number % agents.count]
        let ready = 400 + number % 300
        return """
            {"timestamp":\(timestamp),"event_stream":[["window.dom_loading",\(ready)],\
            ["window.channel_established",\(ready + 770)],\
            ["xhr_complete.GET/wsapi/session_context",\(ready + 775),\(150 + number % 200)],\
            ["screen.rp_info",\(ready + 990)],["user.can_interact",\(ready + 1_050)],\
            ["generate_assertion",\(ready + 10_620 + number % 900)],\
            ["assertion_generated",\(ready + 13_210 + number % 1_100)]],\
            "sample_rate":0.1,"lang":"\(languages[number % languages.count])","new_account":\(number % 9 == 0),\
            "screen_size":{"width":1366,"height":\(768 + number % 3 * 132)},"number_emails":\(1 + number % 3),\
            "number_sites_signed_in":\(number % 4),"number_sites_remembered":\(number % 6),"orphaned":false,\
            "email_type":"\(number % 5 == 0 ? "primary" : "secondary")","rp_api":"\(apis[number % apis.count])",\
            "user_agent":{"os":"\(os)","browser":"\(browser)","version":\(version)}}
            """
    }

    /// The UTF-8 bytes of `json(timestamp:number:)`.
    public static func bytes(timestamp: Int64, number: Int) -> [UInt8] {
        Array(json(timestamp: timestamp, number: number).utf8)
    }
}

/// Posts Persona blobs the way the original test suite did: each from its own thread and
/// connection, all at once.
public enum ConcurrentSaves {
    /// Posts the blobs numbered `0..<count`, the blob numbered `n` with timestamp `start + n`, to
    /// `/wsapi/interaction_data` on `port`, and waits for every response.
    ///
    /// - Returns: one line per save that did not get 201, with its status and body or its error.
    public static func post(count: Int, start: Int64, port: UInt16) -> [String] {
        let done = ConditionLock(0)
        let failures = ConditionLock<[String]>([])
        for offset in 0..<count {
            OSThread.spawn(name: "save-\(offset)") {
                do {
                    let connection = try RawHTTPConnection(port: port)
                    let response = try connection.request(
                        "POST",
                        "/wsapi/interaction_data",
                        headers: [FormBody.contentType],
                        body: FormBody.data(PersonaBlob.json(timestamp: start + Int64(offset), number: offset))
                    )
                    if response.status != 201 {
                        failures.withLock { $0.append("status \(response.status): \(response.text)") }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
                done.withLock { $0 += 1 }
                done.broadcast()
            }
        }
        done.withLock(when: { $0 == count }) { _ in }
        return failures.withLock { $0 }
    }
}
