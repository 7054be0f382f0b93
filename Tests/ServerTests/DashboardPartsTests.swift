import Testing

@testable import Server

/// The dashboard's small parts: UTC text, the ingest rate window and the figures' formats.
@Suite struct DashboardPartsTests {
    @Test func utcTimeRoundTrips() {
        #expect(UTCTime.format(milliseconds: 1_333_046_104_322) == "2012-03-29 18:35:04")
        #expect(UTCTime.format(milliseconds: 1_333_046_104_322, minutesOnly: true) == "2012-03-29T18:35")
        #expect(UTCTime.parse("2012-03-29T18:35") == 1_333_046_100_000)
        #expect(UTCTime.parse("2012-03-29T18:35:04") == 1_333_046_104_000)
        #expect(UTCTime.parse("1970-01-01T00:00") == 0)
        #expect(UTCTime.parse("1969-12-31T23:59:59") == -1_000)
    }

    @Test(arguments: [
        "", "2012-03-29", "2012-02-30T00:00", "2012-13-01T00:00", "2012-03-29T24:00", "yesterday",
        "2012-03-29T18:35:04:01", "-001-01-01T00:00", "2026--12-05T14:30", "+2026-12-05T14:30", "2026-12-05 14:30",
        "2026-12-05T14:30:5", "12026-12-05T14:30",
    ])
    func utcTimeRejectsMalformedText(text: String) {
        #expect(UTCTime.parse(text) == nil)
    }

    @Test func utcTimeShowsFarOffTimesAsNumbers() {
        #expect(UTCTime.format(milliseconds: 8.64e15) == "275760-09-13 00:00:00")
        #expect(UTCTime.format(milliseconds: 1e300) == "1e+300 ms")
        #expect(UTCTime.format(milliseconds: -1e22) == "-1e+22 ms")
        #expect(UTCTime.format(milliseconds: 1e300, minutesOnly: true) == "")
        #expect(UTCTime.axisLabel(milliseconds: -1e300, bucketMilliseconds: 60_000) == "")
        #expect(UTCTime.parse("999999-01-01T00:00") == nil)
    }

    @Test func chartNumbersKeepFarOffBounds() {
        #expect(DashboardChart.number(12.345) == "12.35")
        #expect(DashboardChart.number(-86_400_000) == "-86400000")
        #expect(DashboardChart.number(1e300) == "1e+300")
        #expect(DashboardChart.number(-9.3e18) == "-9.3e+18")
    }

    @Test func ingestRateAveragesTheLastMinute() {
        let rate = IngestRate()
        let second: Int64 = 1_000_000_000
        let start: Int64 = 5_000 * second
        for offset in 0..<60 {
            rate.record(2, nowNanoseconds: start + Int64(offset) * second)
        }
        // At second 59 the window is seconds 0 to 59.
        #expect(rate.perSecond(nowNanoseconds: start + 59 * second + second / 2) == 2)
        // The second that is still filling counts at once.
        rate.record(1_000, nowNanoseconds: start + 60 * second)
        #expect(rate.perSecond(nowNanoseconds: start + 60 * second + second / 2) == Double(59 * 2 + 1_000) / 60)
        // Thirty seconds later, seconds 31 to 59 and the big second 60 make up the window.
        #expect(rate.perSecond(nowNanoseconds: start + 90 * second) == Double(29 * 2 + 1_000) / 60)
        #expect(rate.perSecond(nowNanoseconds: start + 1_000 * second) == 0)
    }

    @Test func figuresAreFormattedForPeople() {
        #expect(DashboardPage.grouped(0) == "0")
        #expect(DashboardPage.grouped(1_234_567) == "1,234,567")
        #expect(DashboardPage.grouped(-1_000) == "-1,000")
        #expect(DashboardPage.bytes(512) == "512 bytes")
        #expect(DashboardPage.bytes(1_572_864) == "1.5 MiB")
        #expect(DashboardPage.rate(0.25) == "0.3 /s")
        #expect(DashboardPage.rate(12_345.4) == "12,345 /s")
        #expect(DashboardPage.describe(milliseconds: 900_000) == "15 minutes")
        #expect(DashboardPage.describe(milliseconds: 3_600_000) == "hour")
        #expect(DashboardPage.describe(milliseconds: 250) == "250.0 ms")
    }
}
