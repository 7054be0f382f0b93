/// How the crash-test writer derives a record from its number, so the test can rebuild the
/// expected bytes of every acknowledged record.
public enum CrashRecord {
    public static func timestamp(_ number: Int) -> Double {
        1_333_046_100_000 + Double(number % 5_000) * 600
    }

    public static func size(_ number: Int) -> Int {
        80 + (number * 7919) % 900
    }
}
