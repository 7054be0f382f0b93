/// Persona-style `interaction_data` blobs: a login sequence with a 7-event `event_stream`, the
/// fields Persona's client sent, and a millisecond `timestamp`.
public enum PersonaBlob {
    /// The JSON text of blob number `number` with `timestamp` (Unix milliseconds).
    public static func json(timestamp: Int64, number: Int) -> String {
        let languages = ["en-US", "de", "fr", "es", "pt-BR", "ja", "zh-CN"]
        let browsers = [("Firefox", "17"), ("Chrome", "23"), ("Safari", "6"), ("MSIE", "9")]
        let (browser, version) = browsers[number % browsers.count]
        return """
            {"timestamp":\(timestamp),"event_stream":[["screen.rp_info",0],["window.rp_info_ready",\(12 + number % 50)],\
            ["screen.authenticate",\(500 + number % 900)],["user.email_entered",\(2_100 + number % 700)],\
            ["user.password_entered",\(4_900 + number % 1_300)],["xhr_complete.auth_with_password",\(5_600 + number % 1_500)],\
            ["window.rp_info_displayed",\(7_000 + number % 2_000)]],"sample_rate":1,"number_emails":\(1 + number % 3),\
            "number_sites_logged_in":\(number % 12),"number_sites_remembered":\(number % 5),"orphaned":false,\
            "new_account":\(number % 9 == 0),"email_type":"secondary","lang":"\(languages[number % languages.count])",\
            "screen_size":{"width":1280,"height":\(720 + number % 3 * 180)},\
            "user_agent":{"os":"Windows 7","browser":"\(browser)","version":"\(version)"}}
            """
    }
}
