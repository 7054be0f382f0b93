/// Number formatting for tables, without Foundation.
enum Formatting {
    /// Formats `value` with thousands separators, such as `1,024,000`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (position, digit) in digits.enumerated() {
            if position > 0 && (digits.count - position) % 3 == 0 {
                result.append(",")
            }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// Formats `value` with exactly `digits` decimals, such as `0.183` for 3.
    static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else {
            return String(value)
        }
        var scale = 1.0
        for _ in 0..<digits {
            scale *= 10
        }
        let scaled = Int((value.magnitude * scale).rounded())
        let whole = grouped(scaled / Int(scale))
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard digits > 0 else {
            return sign + whole
        }
        let fraction = String(scaled % Int(scale))
        return sign + whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// Formats a rate or count as a grouped whole number from 100 up, and with one to three
    /// decimals below.
    static func figure(_ value: Double) -> String {
        switch value.magnitude {
        case 100...: grouped(Int(value.rounded()))
        case 10..<100: fixed(value, digits: 1)
        case 1..<10: fixed(value, digits: 2)
        default: fixed(value, digits: 3)
        }
    }

    /// Formats the median followed by the range of `samples`, such as `5,210 (5,100-5,300)`.
    static func medianAndRange(_ samples: Samples, _ format: (Double) -> String = figure) -> String {
        format(samples.median) + " (" + format(samples.minimum) + "-" + format(samples.maximum) + ")"
    }

    /// Formats a byte count in binary units, such as `23.4 GiB`.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return (unit == 0 ? String(count) : fixed(value, digits: 1)) + " " + units[unit]
    }
}
