/// A table of text cells printed with aligned columns, for results on a terminal.
struct TextTable {
    enum Alignment {
        case left, right
    }

    struct Column {
        var title: String
        var alignment: Alignment

        /// Returns a left-aligned column, for names.
        static func left(_ title: String) -> Column {
            Column(title: title, alignment: .left)
        }

        /// Returns a right-aligned column, for numbers.
        static func right(_ title: String) -> Column {
            Column(title: title, alignment: .right)
        }
    }

    var columns: [Column]
    private(set) var rows: [[String]] = []

    init(_ columns: [Column]) {
        self.columns = columns
    }

    mutating func addRow(_ cells: [String]) {
        precondition(cells.count == columns.count, "a row has \(cells.count) cells for \(columns.count) columns")
        rows.append(cells)
    }

    /// Renders the table as lines: a header, a rule, then the rows, with two spaces between columns
    /// and no trailing spaces.
    func render() -> String {
        let widths = columns.indices.map { column in
            ([columns[column].title] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return columns[column].alignment == .left ? cell + padding : padding + cell
            }
            return String(padded.joined(separator: "  ").reversed().drop { $0 == " " }.reversed())
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(columns.map(\.title)), rule] + rows.map(line)).joined(separator: "\n")
    }
}
