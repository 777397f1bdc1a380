//! Writing an imported table as a criteria file: a header comment in the style of the shipped
//! sets (where the table came from, how it was read, what is left to do), the set's identity,
//! the format's default policy, and one `[[node]]` per row, rules written as the shipped sets
//! write them.

use std::fmt::Write as _;
use std::path::Path;

use parindex_core::{Date, Rule, SurveyMode, Tier, parent_code};
use rust_decimal::Decimal;

use super::table::{Table, role_name};
use super::{ImportOptions, ImportedRow, RowOutcome, today};

/// The widest comment line written.
const WIDTH: usize = 100;

/// What the file says of itself, besides its rows.
pub(super) struct Document {
    file: String,
    sheet: Option<String>,
    columns: Vec<String>,
    skipped: Vec<String>,
    skipped_more: usize,
    date: Option<Date>,
    id: String,
    title: String,
    authority: String,
    level: String,
    year: i32,
    /// The options not given, by their flag.
    guessed: Vec<&'static str>,
    total: Decimal,
}

/// The levels of criteria/FORMAT.md, and words of a file name that name them.
const LEVEL_WORDS: [(&str, &str); 10] = [
    ("commune", "commune"),
    ("xa", "commune"),
    ("ward", "ward"),
    ("phuong", "ward"),
    ("division", "division"),
    ("department", "department"),
    ("district", "district"),
    ("huyen", "district"),
    ("province", "province"),
    ("ministry", "ministry"),
];

impl Document {
    pub(super) fn new(file: &str, table: &Table, options: &ImportOptions, total: Decimal) -> Self {
        let file_name = Path::new(file)
            .file_name()
            .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned());
        let stem = Path::new(&file_name)
            .file_stem()
            .map_or_else(|| file_name.clone(), |s| s.to_string_lossy().into_owned());
        let words: Vec<String> = super::infer::slug(&stem, 20)
            .split('-')
            .map(str::to_owned)
            .collect();
        let date = options.date.or_else(today);
        let mut guessed = Vec::new();
        let year = options.year.unwrap_or_else(|| {
            guessed.push("--year");
            words
                .iter()
                .filter_map(|w| w.parse::<i32>().ok())
                .find(|y| (1900..=2200).contains(y))
                .or(date.map(Date::year))
                .unwrap_or(2000)
        });
        let level = options.level.clone().unwrap_or_else(|| {
            guessed.push("--level");
            let named: Vec<&str> = LEVEL_WORDS
                .iter()
                .filter(|(word, _)| words.iter().any(|w| w == word))
                .map(|(_, level)| *level)
                .collect();
            match named.as_slice() {
                [] => "department".to_owned(),
                [one] => (*one).to_owned(),
                several if several.contains(&"commune") && several.contains(&"ward") => {
                    "commune-ward".to_owned()
                }
                [first, ..] => (*first).to_owned(),
            }
        });
        let id = options.id.clone().unwrap_or_else(|| {
            guessed.push("--id");
            let year_text = year.to_string();
            let own: Vec<&str> = words
                .iter()
                .map(String::as_str)
                .filter(|w| *w != year_text && !LEVEL_WORDS.iter().any(|(word, _)| w == word))
                .collect();
            let authority = if own.is_empty() {
                "imported".to_owned()
            } else {
                own.join("-")
            };
            format!("{authority}/{level}/{year}")
        });
        let title = options.title.clone().unwrap_or_else(|| {
            guessed.push("--title");
            format!("Criteria imported from {file_name}")
        });
        let authority = options.authority.clone().unwrap_or_else(|| {
            guessed.push("--authority");
            "not given".to_owned()
        });
        let columns = table
            .columns
            .iter()
            .map(|c| {
                let role = role_name(c.role);
                if c.header == role {
                    role.to_owned()
                } else {
                    format!("{role} (\"{}\")", c.header)
                }
            })
            .collect();
        let mut skipped = table.skipped.clone();
        skipped.truncate(20);
        Document {
            file: file_name,
            sheet: table.sheet.clone(),
            columns,
            skipped,
            skipped_more: table.skipped_more,
            date,
            id,
            title,
            authority,
            level,
            year,
            guessed,
            total,
        }
    }

    fn guessed(&self, flag: &str) -> bool {
        self.guessed.contains(&flag)
    }
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How many rows are leaves, and how many of those have a rule inferred.
pub(super) fn leaves_and_rules(rows: &[ImportedRow]) -> (usize, usize) {
    let leaves = rows
        .iter()
        .filter(|r| !matches!(r.outcome, RowOutcome::Parent))
        .count();
    let inferred = rows
        .iter()
        .filter(|r| matches!(r.outcome, RowOutcome::Rule { .. }))
        .count();
    (leaves, inferred)
}

/// A decimal as a TOML number, digits as written: `0.5`, `2`.
fn number(x: Decimal) -> String {
    x.normalize().to_string()
}

/// Text fit for a comment: no control characters, blanks collapsed.
fn comment_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes `text` as comment lines of at most [`WIDTH`] characters, the first starting with
/// `first`, the others with `rest`.
fn comment(out: &mut String, first: &str, rest: &str, text: &str) {
    let mut line = first.to_owned();
    let mut empty = true;
    for word in comment_text(text).split(' ') {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// Printed guidance quoted verbatim, one comment line per line of it.
fn verbatim(out: &mut String, text: &str) {
    for line in text.lines() {
        let clean: String = line
            .chars()
            .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
            .collect();
        let _ = writeln!(out, "#   {}", clean.trim_end());
    }
}

fn list<T: AsRef<str>>(items: &[T]) -> String {
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The rule kinds inferred, counted: `12 yes-no, 3 timeliness`.
fn kinds(rows: &[ImportedRow]) -> String {
    let mut counted: Vec<(String, usize)> = Vec::new();
    for row in rows {
        let RowOutcome::Rule { rule, .. } = &row.outcome else {
            continue;
        };
        let kind = match rule {
            Rule::Tiers(parindex_core::Tiers {
                measure: parindex_core::Measure::Count,
                ..
            }) => "count tiers".to_owned(),
            Rule::Tiers(parindex_core::Tiers { .. }) => "percent tiers".to_owned(),
            Rule::Survey(parindex_core::SurveyRule { .. }) => "survey shares".to_owned(),
            other => other.kind().as_str().to_owned(),
        };
        match counted.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => counted.push((kind, 1)),
        }
    }
    counted
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn header(
    out: &mut String,
    doc: &Document,
    rows: &[ImportedRow],
    todos: &[String],
    to_check: usize,
) {
    let (leaves, inferred) = leaves_and_rules(rows);
    let todo = leaves - inferred;
    let areas = rows
        .iter()
        .filter(|r| parent_code(&r.code).is_none())
        .count();
    let from = match &doc.sheet {
        Some(sheet) => format!("{}, sheet \"{sheet}\"", doc.file),
        None => doc.file.clone(),
    };
    comment(
        out,
        "# ",
        "# ",
        &format!(
            "{}riteria imported from the table {from}. {} points, {}, {}.",
            if doc.guessed("--title") {
                "C".to_owned()
            } else {
                format!("{}: c", doc.title)
            },
            number(doc.total),
            plural(areas, "area", "areas"),
            plural(rows.len(), "row", "rows")
        ),
    );
    out.push_str("#\n");
    let on = doc
        .date
        .map(|d| format!(" on {}", d.iso()))
        .unwrap_or_default();
    comment(
        out,
        "# ",
        "# ",
        &format!(
            "Source: the table {from}, imported by `parindex import`{on}. Columns read: {}. The table does not say which decision issued it, when, or where it was published: `decision` and `issued` are left out, and `source` names the file imported.",
            list(&doc.columns)
        ),
    );
    out.push_str("#\n");
    let left = todo + to_check;
    if left == 0 {
        comment(
            out,
            "# ",
            "# ",
            "Left to do: nothing. Every leaf has a rule inferred from its printed guidance, and the file loads; check each rule against the printed table.",
        );
    } else {
        comment(
            out,
            "# ",
            "# ",
            &format!(
                "Left to do: {} (each marked `# TODO:` below): {} without a rule, and {} `parindex validate` would refuse. The file loads once none is left.",
                plural(left, "TODO", "TODOs"),
                plural(todo, "row", "rows"),
                plural(to_check, "problem", "problems")
            ),
        );
        for todo in todos {
            comment(out, "# TODO: ", "#   ", todo);
        }
    }
    if !doc.guessed.is_empty() {
        comment(
            out,
            "# ",
            "# ",
            &format!(
                "Not in the table, to check (marked `# to check:` below): the set's {}.",
                doc.guessed
                    .iter()
                    .map(|flag| format!("{} ({flag})", flag.trim_start_matches("--")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    out.push_str("#\n# How it was imported:\n");
    let item = |out: &mut String, text: &str| comment(out, "# - ", "#   ", text);
    item(
        out,
        "Every row of the table with a code is one [[node]], in the table's order, with its code, name and maximum as printed; the table's notes are each node's `note`.",
    );
    let typed = rows.iter().any(|r| !r.typed.trim().is_empty());
    item(
        out,
        &format!(
            "Rules inferred from the printed guidance: {inferred} of {}{}{}.{}",
            plural(leaves, "leaf", "leaves"),
            if inferred > 0 { ": " } else { "" },
            kinds(rows),
            if typed {
                " The table's rule type chose the kind where it fits the printed answers; the points are the printed ones."
            } else {
                ""
            }
        ),
    );
    let has_tiers = rows.iter().any(|r| {
        matches!(
            &r.outcome,
            RowOutcome::Rule {
                rule: Rule::Tiers(parindex_core::Tiers { .. })
                    | Rule::Survey(parindex_core::SurveyRule { .. }),
                ..
            }
        )
    });
    if has_tiers {
        item(
            out,
            "Tier conditions are written as printed: \"≥A%\" is `x >= A`, \"<A%\" is `x < A`, \"A–<B%\" is `A <= x < B`, \"A–B%\" is `A <= x <= B`, a lone \"100%\" at the top is `x >= 100`; an open \"≥A\" below another tier stops at that tier's bound. All / at least 3/4 / fewer than 3/4 of an expected count is `x >= 100`, `75 <= x < 100`, `x < 75`, fed with done/expected.",
        );
    }
    if rows.iter().any(|r| {
        r.remarks.iter().any(|m| {
            m.starts_with("Points printed with a decimal comma") || m.starts_with("Maximum printed")
        })
    }) {
        item(out, "Decimals written with a comma (0,5) are read as 0.5.");
    }
    let floats: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            r.remarks.iter().find_map(|m| {
                m.strip_prefix("Code printed as the binary float ")
                    .and_then(|rest| rest.split_once(' '))
                    .map(|(float, _)| format!("{} ({float})", r.code))
            })
        })
        .collect();
    if !floats.is_empty() {
        item(
            out,
            &format!(
                "Codes printed as binary floats of a spreadsheet, read as the codes they stand for and not kept as printed_code: {}.",
                list(&floats)
            ),
        );
    }
    let renumbered: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            r.printed_code
                .as_ref()
                .map(|p| format!("{} (printed {p})", r.code))
        })
        .collect();
    if !renumbered.is_empty() {
        item(
            out,
            &format!(
                "printed_code kept where the table's code differs from the printed one: {}.",
                list(&renumbered)
            ),
        );
    }
    let misplaced: Vec<&str> = rows
        .iter()
        .filter(|r| {
            r.remarks.iter().any(|m| {
                m.starts_with("It does not sit under")
                    || m.starts_with("Its parent")
                    || m.starts_with("The code ")
            })
        })
        .map(|r| r.code.as_str())
        .collect();
    if !misplaced.is_empty() {
        item(
            out,
            &format!(
                "Codes out of place (printed twice, or not under the rows above them), each noted at its row: {}.",
                list(&misplaced)
            ),
        );
    }
    if !doc.skipped.is_empty() {
        let more = if doc.skipped_more > 0 {
            format!(", and {} more", doc.skipped_more)
        } else {
            String::new()
        };
        item(
            out,
            &format!(
                "Rows without a code, skipped: {}{more}.",
                doc.skipped.join("; ")
            ),
        );
    }
    let sums_off: Vec<&str> = rows
        .iter()
        .filter(|r| r.todos.iter().any(|t| t.starts_with("its maximum is")))
        .map(|r| r.code.as_str())
        .collect();
    let checked = if sums_off.is_empty() {
        format!(
            "Checked: every parent's maximum equals the sum of its children's, and the areas add up to {}, the set's `max`.",
            number(doc.total)
        )
    } else {
        format!(
            "Checked: the areas add up to {}, the set's `max`; the maxima of the rows under {} do not add up to theirs (see each).",
            number(doc.total),
            list(&sums_off)
        )
    };
    comment(out, "# ", "# ", &checked);
    comment(
        out,
        "# ",
        "# ",
        "Reform areas (`reform_area`, criteria/FORMAT.md) are not in the table: `parindex validate` warns until each area declares one.",
    );
}

fn tiers(out: &mut String, table: &str, tiers: &[Tier]) {
    for tier in tiers {
        let _ = writeln!(
            out,
            "[[{table}]]\nwhen = {}\npoints = {}",
            quote(&tier.when.to_string()),
            number(tier.points)
        );
        if let Some(label) = &tier.label {
            let _ = writeln!(out, "label = {}", quote(label));
        }
    }
}

fn rule(out: &mut String, rule: &Rule) {
    match rule {
        Rule::YesNo(parindex_core::YesNo {
            yes,
            no,
            yes_label,
            no_label,
        }) => {
            let mut fields = vec![
                "kind = \"yes-no\"".to_owned(),
                format!("yes = {}", number(*yes)),
                format!("no = {}", number(*no)),
            ];
            if let Some(l) = yes_label {
                fields.push(format!("yes_label = {}", quote(l)));
            }
            if let Some(l) = no_label {
                fields.push(format!("no_label = {}", quote(l)));
            }
            let _ = writeln!(out, "rule = {{ {} }}", fields.join(", "));
        }
        Rule::Timeliness(parindex_core::Timeliness {
            on_time,
            late,
            missing,
            ..
        }) => {
            let _ = writeln!(
                out,
                "rule = {{ kind = \"timeliness\", on_time = {}, late = {}, missing = {} }}",
                number(*on_time),
                number(*late),
                number(*missing)
            );
        }
        Rule::Tiers(parindex_core::Tiers {
            measure, tiers: t, ..
        }) => {
            let _ = writeln!(
                out,
                "[node.rule]\nkind = \"tiers\"\nmeasure = {}",
                quote(measure.as_str())
            );
            tiers(out, "node.rule.tier", t);
        }
        Rule::Survey(parindex_core::SurveyRule {
            mode: SurveyMode::Share { tiers: t, .. },
            ..
        }) => {
            out.push_str("[node.rule]\nkind = \"survey\"\nmode = \"share\"\n");
            tiers(out, "node.rule.tier", t);
        }
        Rule::Levels(parindex_core::Levels { levels }) => {
            out.push_str("[node.rule]\nkind = \"levels\"\n");
            for level in levels {
                let _ = writeln!(out, "[[node.rule.level]]\nkey = {}", quote(&level.key));
                if let Some(label) = &level.label {
                    let _ = writeln!(out, "label = {}", quote(label));
                }
                let _ = writeln!(out, "points = {}", number(level.points));
            }
        }
        other => {
            let _ = writeln!(out, "rule = {}", parindex_core::rule_to_toml(other));
        }
    }
}

fn node(out: &mut String, row: &ImportedRow) {
    out.push('\n');
    let _ = writeln!(out, "# From {}.", row.at);
    for remark in &row.remarks {
        comment(out, "# ", "# ", remark);
    }
    if let RowOutcome::Todo { reason } = &row.outcome {
        comment(
            out,
            "# TODO: write its rule (criteria/FORMAT.md, \"Rules\"): ",
            "#   ",
            &format!("{reason}. The printed guidance, verbatim:"),
        );
        if row.guidance.trim().is_empty() {
            out.push_str("#   (none)\n");
        } else {
            verbatim(out, &row.guidance);
        }
    }
    for todo in &row.todos {
        comment(out, "# TODO: ", "#   ", todo);
    }
    let _ = writeln!(out, "[[node]]\ncode = {}", quote(&row.code));
    if let Some(printed) = &row.printed_code {
        let _ = writeln!(out, "printed_code = {}", quote(printed));
    }
    let _ = writeln!(
        out,
        "name = {}\nmax = {}",
        quote(&row.name),
        number(row.max)
    );
    if let RowOutcome::Rule { survey: true, .. } = &row.outcome {
        out.push_str("source = \"survey\"\n");
    }
    if let Some(note) = &row.note {
        let _ = writeln!(out, "note = {}", quote(note));
    }
    if let RowOutcome::Rule { rule: r, .. } = &row.outcome {
        rule(out, r);
    }
}

/// The criteria file of an imported table; `todos` are the header's, `to_check` every problem
/// left to resolve.
pub(super) fn render(
    doc: &Document,
    rows: &[ImportedRow],
    todos: &[String],
    to_check: usize,
) -> String {
    let mut out = String::new();
    header(&mut out, doc, rows, todos, to_check);
    let check = |flag: &str| {
        if doc.guessed(flag) {
            format!("  # to check: not in the table ({flag})")
        } else {
            String::new()
        }
    };
    let language = if rows
        .iter()
        .any(|r| r.name.chars().any(|c| c.is_alphabetic() && !c.is_ascii()))
    {
        "vi"
    } else {
        "en"
    };
    let _ = writeln!(
        out,
        "\n[set]\nformat = 1\nid = {}{}\ntitle = {}{}\nlevel = {}{}\nyear = {}{}\nlanguage = \"{language}\"\nmax = {}",
        quote(&doc.id),
        check("--id"),
        quote(&doc.title),
        check("--title"),
        quote(&doc.level),
        check("--level"),
        doc.year,
        check("--year"),
        number(doc.total)
    );
    let on = doc
        .date
        .map(|d| format!(" on {}", d.iso()))
        .unwrap_or_default();
    let (leaves, inferred) = leaves_and_rules(rows);
    let _ = writeln!(
        out,
        "\n[origin]\nauthority = {}{}\nsource = {}\nstatus = \"transcribed\"\nnotes = {}",
        quote(&doc.authority),
        check("--authority"),
        quote(&doc.file),
        quote(&format!(
            "Imported from {}{on} by parindex import: {inferred} of {leaves} leaves with a rule inferred from the printed guidance.",
            doc.file
        ))
    );
    out.push_str(
        "\n# Policy: the table gives none. These are the format's defaults (criteria/FORMAT.md), to check\n# against the decision.\n[policy]\nscale = 100\ndecimals = 2\nrounding = \"half-away-from-zero\"\nnot_applicable = \"reduce-maximum\"\nmissing = \"zero-with-warning\"\nstages = [\"self\", \"appraisal\"]\nties = \"competition\"\n\n# No [[band]]s: the table gives none.\n",
    );
    for row in rows {
        node(&mut out, row);
    }
    out
}
