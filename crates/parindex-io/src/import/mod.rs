//! Importing a printed criteria table: the annex an office already has, copied into a sheet or
//! a CSV file, turned into a criteria file skeleton (criteria/FORMAT.md).
//!
//! - [`table`](self::table) reads the table: its header (code, name, max, guidance, notes,
//!   printed code and rule type columns, named in Vietnamese or English) and its rows, each cell
//!   with its place, within the input readers' limits;
//! - [`infer`](self::infer) reads each row's printed guidance into a rule;
//! - [`write`](self::write) writes the criteria file, with a header comment saying how it was
//!   imported and a `# TODO:` comment at every row left for a person.
//!
//! The file written is checked with the criteria loader itself: every problem it would report
//! is written into the file as a `# TODO:` at its row and counted, so that a file without a
//! TODO loads.

mod infer;
mod table;
mod write;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use parindex_core::{CriteriaSet, Date, Rule, Severity, parent_code};
use rust_decimal::Decimal;

use crate::error::{InputProblem, Place, ReadError};
use crate::input::cell::float_to_decimal;
use crate::records::read_file;

use self::infer::{Hint, hint, infer, read_number};
use self::table::{Cell, Table, read_table};

/// What `import` is told beyond the table: the sheet to read, and the set's identity where the
/// table does not give it. Whatever is not given is guessed from the file's name (the year),
/// or written as a placeholder, and marked `# to check:` in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The sheet of a workbook to read; the first visible sheet when `None`.
    pub sheet: Option<String>,
    /// The set's id, `authority/level/year`.
    pub id: Option<String>,
    /// The table's title.
    pub title: Option<String>,
    /// Who issued the table.
    pub authority: Option<String>,
    /// The level of the units scored: `commune`, `division`, `department`…
    pub level: Option<String>,
    /// The year scored.
    pub year: Option<i32>,
    /// The day of the import, written in the header; today (UTC) when `None`.
    pub date: Option<Date>,
}

/// What became of a row of the table.
#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    /// Rows sit under it: its points are theirs, and it has no rule.
    Parent,
    /// A leaf whose rule was read from its printed guidance.
    Rule {
        /// The rule.
        rule: Rule,
        /// Whether the row is measured by a survey (`source = "survey"`).
        survey: bool,
    },
    /// A leaf whose rule was not inferred: a `# TODO:` in the file.
    Todo {
        /// Why it was not.
        reason: String,
    },
}

/// One row of the table as imported.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedRow {
    /// The code, normalised (`4.0999999999999996` → `4.1`).
    pub code: String,
    /// The code as printed, where the table gives one that differs.
    pub printed_code: Option<String>,
    /// The name, as printed.
    pub name: String,
    /// The maximum.
    pub max: Decimal,
    /// The node's note: the table's notes, and what a rule cannot say (printed answers).
    pub note: Option<String>,
    /// The printed guidance, as read (NFC).
    pub guidance: String,
    /// The row's rule, or why there is none.
    pub outcome: RowOutcome,
    /// Where the row's code is in the table.
    pub place: Place,
    /// How the row was read, where it is not plain: comments of the file.
    pub(crate) remarks: Vec<String>,
    /// What is left to do on the row, besides a missing rule: `# TODO:` comments.
    pub(crate) todos: Vec<String>,
    /// `line 12` or `row 12`.
    pub(crate) at: String,
    /// The table's rule type for the row, if any.
    pub(crate) typed: String,
}

/// A table imported into a criteria file.
///
/// ```
/// let table = "code,name,max,guidance\n\
///     1,Chỉ đạo điều hành,2,\n\
///     1.1,Ban hành kế hoạch,1,\"Ban hành đúng hạn: 1 điểm; chậm: 0,5 điểm; không ban hành: 0\"\n\
///     1.2,Mức độ thực hiện kế hoạch,1,\"Đạt 100%: 1 điểm; từ 50% đến dưới 100%: 0,5 điểm; dưới 50%: 0\"\n";
/// let options = parindex_io::ImportOptions { year: Some(2024), ..Default::default() };
/// let imported = parindex_io::import_table_bytes("bang.csv", table.as_bytes(), &options)?;
/// assert_eq!((imported.inferred, imported.todo, imported.to_check), (2, 0, 0));
/// assert!(imported.toml.contains("rule = { kind = \"timeliness\", on_time = 1, late = 0.5, missing = 0 }"));
/// assert!(imported.toml.contains("when = \"50 <= x < 100\""));
/// // With no TODO left, the file loads.
/// let set = parindex_core::CriteriaSet::from_toml(&imported.toml, "bang.toml")?.set;
/// assert_eq!(set.info.max.to_string(), "2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Imported {
    /// The criteria file, TOML.
    pub toml: String,
    /// The rows, in the table's order.
    pub rows: Vec<ImportedRow>,
    /// Leaves with a rule inferred.
    pub inferred: usize,
    /// Leaves without one: each a `# TODO:` of the file.
    pub todo: usize,
    /// Other problems left to resolve, each a `# TODO:` of the file: sums that do not add up,
    /// a rule whose best answer is not the row's maximum, duplicate codes, everything
    /// `parindex validate` would refuse.
    pub to_check: usize,
    /// The areas' maxima added up: the set's maximum.
    pub total: Decimal,
}

/// Imports a table file (`.csv` or `.xlsx`); see [`import_table_bytes`]. The file's size is
/// checked before it is read.
pub fn import_table(path: &Path, options: &ImportOptions) -> Result<Imported, ReadError> {
    let (file, bytes) = read_file(path)?;
    import_table_bytes(&file, &bytes, options)
}

/// Imports a criteria table: a CSV file (UTF-8, with or without a byte-order mark, comma or
/// semicolon) or an `.xlsx` workbook (its first visible sheet, or [`ImportOptions::sheet`]).
///
/// Every row with a code becomes a node; a leaf's rule is inferred from its printed guidance,
/// and the rule type column, where there is one, chooses the kind. A table that cannot be read
/// (no code, name or max column, a maximum that is not a number, a file that is no table) is
/// refused with every problem at its line and column, or sheet and cell.
pub fn import_table_bytes(
    file: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<Imported, ReadError> {
    let table = read_table(file, bytes, options.sheet.as_deref())?;
    let mut rows = read_rows(file, &table)?;
    check_structure(&mut rows);
    let total: Decimal = rows
        .iter()
        .filter(|r| parent_code(&r.code).is_none())
        .map(|r| r.max)
        .sum();
    let mut header_todos = Vec::new();
    if let Some((cell, at)) = &table.total {
        match read_number(&cell.text) {
            Ok((printed, _)) if printed != total => header_todos.push(format!(
                "the table's total row ({at}) says {printed}, but its areas add up to {total}: `max` follows the areas; check the rows against the printed table."
            )),
            Ok(_) => {}
            Err(why) => header_todos.push(format!("the table's total row ({at}): {why}.")),
        }
    }
    let document = write::Document::new(file, &table, options, total);
    let first = write::render(&document, &rows, &header_todos, 0);
    loader_problems(&first, &mut rows, &mut header_todos);
    let own_checks: usize = rows.iter().map(|r| r.todos.len()).sum();
    let to_check = own_checks + header_todos.len();
    let toml = write::render(&document, &rows, &header_todos, to_check);
    // A leaf has a rule or a TODO.
    let (leaves, inferred) = write::leaves_and_rules(&rows);
    let todo = leaves - inferred;
    Ok(Imported {
        toml,
        rows,
        inferred,
        todo,
        to_check,
        total,
    })
}

/// A code as the table prints it, normalised: blanks and a trailing dot dropped, a binary
/// float of a spreadsheet (`4.0999999999999996`) read as the code it stands for. The second
/// value is the float, when the code was one.
fn normalise_code(text: &str) -> (String, Option<String>) {
    let code: String = text.split_whitespace().collect::<Vec<_>>().join("");
    let code = code.trim_end_matches('.').to_owned();
    let digits = code.chars().filter(char::is_ascii_digit).count();
    let numeric = code.chars().all(|c| c.is_ascii_digit() || c == '.')
        && code.matches('.').count() == 1
        && !code.starts_with('.');
    if numeric && digits >= 15 {
        if let Some(read) = code
            .parse::<f64>()
            .ok()
            .and_then(float_to_decimal)
            .map(|d| d.normalize().to_string())
        {
            if read != code {
                return (read, Some(code));
            }
        }
    }
    (code, None)
}

/// A printed code without the remark a research table adds to it: `2.2000000000000002 (xlsx
/// float)` → `2.2000000000000002`.
fn printed_code_text(text: &str) -> &str {
    match text.split_once(" (") {
        Some((head, tail)) if tail.ends_with(')') => head.trim(),
        _ => text.trim(),
    }
}

fn text_of(cell: Option<&Cell>) -> String {
    cell.map(|c| c.text.clone()).unwrap_or_default()
}

/// The rows of the table, each read: codes normalised, maxima read, rules inferred. Every
/// maximum that cannot be read is a problem at its cell.
fn read_rows(file: &str, table: &Table) -> Result<Vec<ImportedRow>, ReadError> {
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for row in &table.rows {
        let mut remarks = Vec::new();
        let (code, float) = normalise_code(&row.code.text);
        if let Some(float) = float {
            remarks.push(format!(
                "Code printed as the binary float {float} (a spreadsheet's): read as {code}."
            ));
        }
        let mut printed_code = None;
        if let Some(printed) = &row.printed_code {
            let text = printed_code_text(&printed.text);
            let (as_code, float) = normalise_code(text);
            match float {
                Some(float) if as_code == code => remarks.push(format!(
                    "Code printed as the binary float {float} (a spreadsheet's): read as {code}, not kept as printed_code."
                )),
                _ if as_code == code => {}
                _ => printed_code = Some(text.to_owned()),
            }
        }
        let max = match &row.max {
            None => {
                problems.push(InputProblem {
                    unit: None,
                    file: file.to_owned(),
                    place: row.code.place.clone(),
                    code: Some(code.clone()),
                    message: "the row has no maximum".to_owned(),
                    check: None,
                });
                continue;
            }
            Some(cell) => match read_number(&cell.text) {
                Ok((max, comma))
                    if max.abs() <= Decimal::from(parindex_core::load::MAX_MAGNITUDE) =>
                {
                    if comma {
                        remarks.push(format!("Maximum printed {}.", cell.text));
                    }
                    max
                }
                Ok((max, _)) => {
                    problems.push(InputProblem {
                        unit: None,
                        file: file.to_owned(),
                        place: cell.place.clone(),
                        code: Some(code.clone()),
                        message: format!(
                            "the maximum {max} is beyond ±{}, the limit of a criteria file",
                            parindex_core::load::MAX_MAGNITUDE
                        ),
                        check: None,
                    });
                    continue;
                }
                Err(why) => {
                    problems.push(InputProblem {
                        unit: None,
                        file: file.to_owned(),
                        place: cell.place.clone(),
                        code: Some(code.clone()),
                        message: format!("the maximum {why}"),
                        check: None,
                    });
                    continue;
                }
            },
        };
        rows.push(ImportedRow {
            code,
            printed_code,
            name: text_of(row.name.as_ref()),
            max,
            note: row.notes.as_ref().map(|c| c.text.clone()),
            guidance: text_of(row.guidance.as_ref()),
            outcome: RowOutcome::Todo {
                reason: String::new(),
            },
            place: row.code.place.clone(),
            remarks,
            todos: Vec::new(),
            at: row.at.clone(),
            typed: text_of(row.kind.as_ref()),
        });
    }
    if !problems.is_empty() {
        return Err(ReadError::new(problems));
    }
    infer_rules(&mut rows);
    Ok(rows)
}

/// Reads each leaf's rule, and says of each parent whether its maximum is its children's.
fn infer_rules(rows: &mut [ImportedRow]) {
    let parents: HashSet<String> = rows
        .iter()
        .filter_map(|r| parent_code(&r.code).map(str::to_owned))
        .collect();
    let mut sums: HashMap<String, Decimal> = HashMap::new();
    for row in rows.iter() {
        if let Some(parent) = parent_code(&row.code) {
            *sums.entry(parent.to_owned()).or_default() += row.max;
        }
    }
    for row in rows.iter_mut() {
        let typed = Some(row.typed.clone()).filter(|t| !t.trim().is_empty());
        let known = typed.as_deref().map(hint);
        if let (Some(text), Some(None)) = (&typed, known) {
            row.remarks.push(format!(
                "Rule type \"{text}\" is not one this import knows: read from the printed answers alone."
            ));
        }
        let known = known.flatten();
        if parents.contains(&row.code) {
            row.outcome = RowOutcome::Parent;
            if let Some(text) = typed.as_deref().filter(|_| known != Some(Hint::Parent)) {
                row.remarks.push(format!(
                    "Typed {text}, but rows sit under it: scored by them."
                ));
            }
            if !row.guidance.trim().is_empty() {
                row.remarks.push(format!(
                    "Printed guidance not used, the rows under it carrying its points: \"{}\".",
                    row.guidance.trim()
                ));
            }
            let sum = sums.get(&row.code).copied().unwrap_or_default();
            if sum != row.max {
                row.todos.push(format!(
                    "its maximum is {}, but the maxima of the rows under it add up to {}: check both against the printed table.",
                    row.max.normalize(),
                    sum.normalize()
                ));
            }
            continue;
        }
        if known == Some(Hint::Parent) {
            row.outcome = RowOutcome::Todo {
                reason: "the table types it sum-of-children, but no row sits under it".to_owned(),
            };
            continue;
        }
        match infer(&row.guidance, known, row.max) {
            Ok(inferred) => {
                let named = format!("Its rule type, {},", row.typed.trim());
                row.remarks.extend(
                    inferred
                        .remarks
                        .into_iter()
                        .map(|r| r.replacen("Its rule type", &named, 1)),
                );
                if inferred.comma {
                    row.remarks
                        .push("Points printed with a decimal comma (0,5 is 0.5).".to_owned());
                }
                row.note = match (row.note.take(), inferred.note) {
                    (Some(table), Some(rule)) => Some(format!("{rule} {table}")),
                    (table, rule) => rule.or(table),
                };
                row.outcome = RowOutcome::Rule {
                    rule: inferred.rule,
                    survey: inferred.survey,
                };
            }
            Err(reason) => row.outcome = RowOutcome::Todo { reason },
        }
    }
}

/// Notes on codes out of place: a code printed twice, a code whose parent is not the row above
/// it or one of that row's parents, a code whose parent is nowhere in the table.
fn check_structure(rows: &mut [ImportedRow]) {
    let codes: HashSet<String> = rows.iter().map(|r| r.code.clone()).collect();
    let mut first_at: HashMap<String, String> = HashMap::new();
    let mut previous: Option<String> = None;
    for row in rows.iter_mut() {
        if let Some(at) = first_at.get(&row.code) {
            row.remarks.push(format!(
                "The code {} is printed a second time (first at {at}): renumber one of them, keeping the printed one as printed_code.",
                row.code
            ));
        } else {
            first_at.insert(row.code.clone(), row.at.clone());
        }
        if let Some(parent) = parent_code(&row.code) {
            let mut open = previous.clone();
            let mut under = false;
            while let Some(code) = open {
                if code == parent {
                    under = true;
                    break;
                }
                open = parent_code(&code).map(str::to_owned);
            }
            if !codes.contains(parent) {
                row.remarks.push(format!(
                    "Its parent {parent} is not in the table: renumber it, keeping the printed code as printed_code."
                ));
            } else if !under {
                row.remarks.push(format!(
                    "It does not sit under the rows above it: its parent {parent} is not {} or one of its parents. Renumbered rows keep the printed code as printed_code.",
                    previous.as_deref().unwrap_or("the row above")
                ));
            }
        }
        previous = Some(row.code.clone());
    }
}

/// Loads the file as `parindex validate` would, and writes each error it reports as a
/// `# TODO:` of its row (or of the header). Errors that the import already marks (a leaf
/// without a rule, a sum that does not add up) are not repeated.
fn loader_problems(text: &str, rows: &mut [ImportedRow], header: &mut Vec<String>) {
    let Err(error) = CriteriaSet::from_toml(text, "imported.toml") else {
        return;
    };
    for diagnostic in error
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
    {
        let check = diagnostic.check;
        if check == parindex_core::Check::ChildrenSum {
            continue;
        }
        let acknowledgeable = matches!(
            check.as_str(),
            "children-sum"
                | "total-max"
                | "best-points"
                | "tier-gap"
                | "tier-unreachable"
                | "tier-order"
        );
        let what = if acknowledgeable {
            format!(
                "`parindex validate` refuses it: {} (check {}). Fix the row, or keep it as printed with an [[acknowledge]] of check \"{}\" and a note saying why.",
                diagnostic.message,
                check.as_str(),
                check.as_str()
            )
        } else {
            format!(
                "`parindex validate` refuses it: {} (check {}).",
                diagnostic.message,
                check.as_str()
            )
        };
        let target = diagnostic.code.as_deref().and_then(|code| {
            let mut same = rows.iter().enumerate().filter(|(_, r)| r.code == code);
            let found = if check == parindex_core::Check::DuplicateCode {
                same.nth(1)
            } else {
                same.next()
            };
            found.map(|(i, _)| i)
        });
        match target {
            Some(i) => {
                let row = &mut rows[i];
                let leaf_without_rule = check == parindex_core::Check::MissingKey
                    && matches!(row.outcome, RowOutcome::Todo { .. });
                if leaf_without_rule || row.todos.contains(&what) {
                    continue;
                }
                row.todos.push(what);
            }
            None => header.push(what),
        }
    }
}

/// Today, in UTC, from the system clock.
fn today() -> Option<Date> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let days = i64::try_from(seconds / 86_400).ok()?;
    Date::new(1970, 1, 1)?.checked_add_days(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_printed_as_floats_are_read_as_codes() {
        assert_eq!(
            normalise_code("4.0999999999999996"),
            ("4.1".to_owned(), Some("4.0999999999999996".to_owned()))
        );
        assert_eq!(
            normalise_code("2.2000000000000002"),
            ("2.2".to_owned(), Some("2.2000000000000002".to_owned()))
        );
        assert_eq!(normalise_code("1.10"), ("1.10".to_owned(), None));
        assert_eq!(normalise_code(" 1.2. "), ("1.2".to_owned(), None));
        assert_eq!(normalise_code("II.5.a"), ("II.5.a".to_owned(), None));
        assert_eq!(
            printed_code_text("2.2000000000000002 (xlsx float)"),
            "2.2000000000000002"
        );
    }

    #[test]
    fn structure_notes_and_sums() {
        let table = "code,name,max,guidance\n1,A,3,\n1.1,B,1,Có: 1; Không: 0\n1.2,C,1,Có: 1; Không: 0\n2,D,1,\n1.3,E,1,Có: 1; Không: 0\n1.3,F,1,Có: 1; Không: 0\n3.1,G,1,Có: 1; Không: 0\n";
        let imported = import_table_bytes("t.csv", table.as_bytes(), &ImportOptions::default())
            .expect("imports");
        let remarks = |code: &str, nth: usize| {
            imported
                .rows
                .iter()
                .filter(|r| r.code == code)
                .nth(nth)
                .map(|r| (r.remarks.clone(), r.todos.clone()))
                .unwrap_or_default()
        };
        // 1.3 after area 2: not under the rows above it.
        assert_eq!(
            remarks("1.3", 0).0,
            [
                "It does not sit under the rows above it: its parent 1 is not 2 or one of its parents. Renumbered rows keep the printed code as printed_code."
            ]
        );
        assert_eq!(
            remarks("1.3", 1).0,
            [
                "The code 1.3 is printed a second time (first at line 6): renumber one of them, keeping the printed one as printed_code."
            ]
        );
        assert!(remarks("1.3", 1).1.iter().any(|t| {
            t.starts_with("`parindex validate` refuses it: duplicate code; first at line")
        }));
        assert_eq!(
            remarks("3.1", 0).0,
            [
                "Its parent 3 is not in the table: renumber it, keeping the printed code as printed_code."
            ]
        );
        // Area 1 holds four rows of 1 point under a maximum of 3.
        assert_eq!(
            remarks("1", 0).1,
            [
                "its maximum is 3, but the maxima of the rows under it add up to 4: check both against the printed table."
            ]
        );
        assert_eq!(imported.total.to_string(), "4");
        assert!(imported.to_check >= 3);
    }

    /// A random table in the printed forms, with maxima that may or may not add up and
    /// guidance that may or may not be read.
    fn table() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = (0usize..8, 0u32..5, 0u32..5, any::<bool>());
        let area = (proptest::collection::vec(leaf, 0..4), any::<bool>());
        proptest::collection::vec(area, 1..4).prop_map(|areas| {
            let mut text = String::from("code;name;max;guidance\n");
            for (a, (leaves, off)) in areas.iter().enumerate() {
                let half = |n: u32| Decimal::new(i64::from(n), 1) * Decimal::from(5);
                let maxima: Vec<Decimal> = leaves
                    .iter()
                    .map(|(_, p, _, own)| {
                        half(*p) + if *own { Decimal::ZERO } else { Decimal::ONE }
                    })
                    .collect();
                let sum: Decimal = maxima.iter().sum::<Decimal>()
                    + if *off { Decimal::ONE } else { Decimal::ZERO };
                text.push_str(&format!("{};Area;{};\n", a + 1, sum.normalize()));
                for (l, ((template, p, q, _), max)) in leaves.iter().zip(&maxima).enumerate() {
                    let (p, q) = (half(*p).normalize(), half(*q).normalize());
                    let p = p.to_string().replace('.', ",");
                    let guidance = match template {
                        0 => format!("Có: {p}; Không: {q}"),
                        1 => format!(
                            "Ban hành đúng hạn: {p} điểm; chậm: {q} điểm; không ban hành: 0"
                        ),
                        2 => format!("≥100% → {p} | 50–<100% → {q} | <50% → 0"),
                        3 => format!("has plan → {p} | no plan → 0"),
                        4 => format!("Đạt 100%: {p}; dưới 100%: {q}"),
                        5 => String::new(),
                        6 => format!("Tốt: {p}; Khá: {q}; Kém: 0"),
                        _ => "Theo kết quả thẩm định".to_owned(),
                    };
                    text.push_str(&format!(
                        "{}.{};Leaf;{};\"{guidance}\"\n",
                        a + 1,
                        l + 1,
                        max.normalize()
                    ));
                }
            }
            text
        })
    }

    proptest::proptest! {
        /// Nothing left to do means the file loads; a file that does not load says what is
        /// left.
        #[test]
        fn a_file_with_nothing_left_to_do_loads(text in table()) {
            let imported = import_table_bytes("t.csv", text.as_bytes(), &ImportOptions::default())
                .expect("imports");
            let loads = CriteriaSet::from_toml(&imported.toml, "t.toml").is_ok();
            let left = imported.todo + imported.to_check;
            proptest::prop_assert!(loads || left > 0, "{}", imported.toml);
            proptest::prop_assert!(!loads || left == 0, "{}", imported.toml);
            proptest::prop_assert_eq!(
                imported.toml.matches("\n# TODO: ").count(),
                left,
                "{}",
                imported.toml
            );
        }
    }
}
