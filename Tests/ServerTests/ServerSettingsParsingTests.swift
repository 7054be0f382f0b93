import Server
import Testing

/// How `logstore-server` reads numbers from its flags and environment variables.
@Suite struct ServerSettingsParsingTests {
    /// Returns the message of the error that rejects the settings, or nil when they are accepted.
    private static func rejection(_ environment: [String: String], _ arguments: [String]) -> String? {
        do throws(SettingsError) {
            _ = try ServerSettings.parse(environment: environment, arguments: arguments)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [
        (["PORT": "abc"], [], "PORT is 'abc'; use a port number from 0 to 65535"),
        ([:], ["--port", "abc"], "--port is 'abc'; use a port number from 0 to 65535"),
        ([:], ["--port=70000"], "--port is '70000'; use a port number from 0 to 65535"),
        (["COUCHDB_PORT": "-1"], [], "COUCHDB_PORT is '-1'; use a port number from 0 to 65535"),
        (["DB_TIMEOUT_MS": "0"], [], "DB_TIMEOUT_MS is '0'; use a whole number from 1 to 3600000"),
        ([:], ["--db-timeout-ms", "0"], "--db-timeout-ms is '0'; use a whole number from 1 to 3600000"),
        ([:], ["--event-loops", "many"], "--event-loops is 'many'; use a whole number from 1 to 256"),
    ])
    func numberErrorNamesItsSource(environment: [String: String], arguments: [String], message: String) {
        #expect(Self.rejection(environment, arguments) == message)
    }

}
