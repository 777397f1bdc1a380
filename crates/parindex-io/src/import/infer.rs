//! Rule inference: a row's printed scoring guidance → a rule of criteria/FORMAT.md.
//!
//! The guidance is first split into answers, each a label and its points, in either of the
//! printed notations:
//!
//! - Vietnamese: `Ban hành đúng hạn: 1 điểm; chậm: 0,5 điểm; không ban hành: 0 điểm`, answers
//!   separated by `;`, a line break or a full stop, the points after a colon (or in
//!   parentheses, or after the label followed by `điểm`), decimals with a comma or a point;
//! - arrows, as the research tables write them: `issued on time → 1.5 | issued late → 1`.
//!
//! The answers are then read as the rule they print, in this order unless the table's rule
//! type column names the kind: tiers over a percent (`≥100%`, `50–<100%`, `dưới 80%`, the
//! fractions `≥3/4` of an expected count), tiers over a count (`từ 02 … trở lên`, `01 – 02`,
//! `không có`), timeliness (on time / late / not issued), yes-no (two answers), levels (three
//! or more). Whatever cannot be read is an error that names the answer, and the row is left
//! for a person.

use parindex_core::{Bound, Condition, Level, Measure, Rule, SurveyMode, Tier};
use rust_decimal::Decimal;

use parindex_core::text::nfc;

/// The longest guidance read; longer text is left to a person.
const MAX_GUIDANCE_CHARS: usize = 4_000;

/// The most answers of one rule: the criteria format's limit on tiers and levels.
const MAX_ANSWERS: usize = parindex_core::load::MAX_LIST_ITEMS;

/// One printed answer: its label and the points it earns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) label: String,
    pub(crate) points: Decimal,
}

/// The kind of rule a table's rule type column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    /// Scored by the rows under it.
    Parent,
    YesNo,
    Timeliness,
    PercentTiers,
    /// Tiers over a fraction of an expected count (all / at least 3/4 / fewer).
    Fraction,
    CountTiers,
    Survey,
    Levels,
    Direct,
    /// A kind of the format whose parameters are not read from text (proportional, per-item,
    /// relative, branch).
    Unsupported,
}

/// The hint a rule type names, or `None` for a name not known.
pub(crate) fn hint(text: &str) -> Option<Hint> {
    let key: String = nfc(text)
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == '_' || c == ' ' { '-' } else { c })
        .collect();
    let hint = match key.as_str() {
        "sum-of-children" | "sum" | "parent" => Hint::Parent,
        "binary" | "yes-no" | "yesno" | "yes/no" | "compliance" | "có-không" | "có/không" => {
            Hint::YesNo
        }
        "timeliness" | "deadline" => Hint::Timeliness,
        "percent-tiers" | "tiers" | "percent" | "ratio-tiers" => Hint::PercentTiers,
        "count-fraction" | "fraction" => Hint::Fraction,
        "count-tiers" | "count" => Hint::CountTiers,
        "survey-tiers" | "survey" | "survey-share" => Hint::Survey,
        "ordinal-levels" | "levels" | "nominal-levels" => Hint::Levels,
        "direct" => Hint::Direct,
        "proportional" | "per-item" | "relative" | "branch" => Hint::Unsupported,
        _ => return None,
    };
    Some(hint)
}

/// A rule read from a row's guidance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Inferred {
    pub(crate) rule: Rule,
    /// Whether the row is measured by a survey (`source = "survey"`).
    pub(crate) survey: bool,
    /// A note for the node: the printed answers a rule cannot label, how to feed it.
    pub(crate) note: Option<String>,
    /// How the guidance was read where it is not plain, for the file's comments.
    pub(crate) remarks: Vec<String>,
    /// Whether a decimal comma was read (`0,5`).
    pub(crate) comma: bool,
}

impl Inferred {
    fn new(rule: Rule) -> Self {
        Inferred {
            rule,
            survey: false,
            note: None,
            remarks: Vec::new(),
            comma: false,
        }
    }
}

/// A number written as an office writes it, `1.5`, `1,5`, `0,5 điểm`, `2đ`: for maxima.
pub(crate) fn read_number(text: &str) -> Result<(Decimal, bool), String> {
    let chars: Vec<char> = text.trim().chars().collect();
    let fail = || {
        format!(
            "\"{}\" is not a number of points (write 1.5, 1,5 or 1,5 điểm)",
            text.trim()
        )
    };
    let Some(found) = number_at(&chars, 0) else {
        return Err(fail());
    };
    let (value, end, comma) = found?;
    let rest: String = chars[end..].iter().collect();
    let rest = rest.trim();
    let unit = rest.is_empty() || UNITS.iter().any(|u| rest.eq_ignore_ascii_case(u));
    if unit {
        Ok((value, comma))
    } else {
        Err(fail())
    }
}

/// Words that may follow points.
const UNITS: [&str; 7] = ["điểm", "diem", "đ", "points", "point", "pts", "pt"];

/// The number starting at `at`, if a digit (or `-` and a digit) is there: its value, where it
/// ends, and whether it has a decimal comma. A comma before exactly three digits after a whole
/// number (`1,500`) could also group thousands, and is refused with both readings.
fn number_at(chars: &[char], at: usize) -> Option<Result<(Decimal, usize, bool), String>> {
    let mut i = at;
    let negative = chars.get(i) == Some(&'-');
    if negative {
        i += 1;
    }
    if !chars.get(i).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let whole_start = i;
    while chars.get(i).is_some_and(char::is_ascii_digit) {
        i += 1;
    }
    let whole: String = chars[whole_start..i].iter().collect();
    let mut fraction = String::new();
    let mut comma = false;
    if let Some(&mark) = chars.get(i).filter(|c| **c == '.' || **c == ',') {
        if chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            let mut j = i + 1;
            while chars.get(j).is_some_and(char::is_ascii_digit) {
                j += 1;
            }
            fraction = chars[i + 1..j].iter().collect();
            comma = mark == ',';
            i = j;
        }
    }
    let written: String = chars[at..i].iter().collect();
    if whole.len() + fraction.len() > 20 {
        return Some(Err(format!("\"{written}\" has too many digits")));
    }
    if comma && fraction.len() == 3 && !whole.trim_start_matches('0').is_empty() {
        return Some(Err(format!(
            "\"{written}\" could be {whole}.{fraction} or {whole}{fraction}: write it with a decimal point"
        )));
    }
    let digits = if fraction.is_empty() {
        whole
    } else {
        format!("{whole}.{fraction}")
    };
    let sign = if negative { "-" } else { "" };
    Some(
        parindex_core::value::exact_decimal(&format!("{sign}{digits}"), false)
            .map(|d| (d.normalize(), i, comma))
            .map_err(|e| format!("\"{written}\": {e}")),
    )
}

/// Whether `pattern` is at `at`.
fn matches_at(chars: &[char], at: usize, pattern: &str) -> bool {
    pattern
        .chars()
        .enumerate()
        .all(|(k, p)| chars.get(at + k) == Some(&p))
}

/// Bullets that start a printed answer.
const BULLETS: [char; 8] = ['-', '+', '•', '*', '–', '—', '·', '○'];

/// A label as printed, without bullets, blanks and the punctuation that led to its points.
fn clean_label(chars: &[char]) -> String {
    let text: String = chars.iter().collect();
    let mut label = text.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let before = label.clone();
        if let Some(rest) = label.strip_prefix(BULLETS) {
            label = rest.trim_start().to_owned();
        }
        // "a) …", "1) …"
        let mut cs = label.chars();
        if let (Some(c), Some(')')) = (cs.next(), cs.next()) {
            if c.is_alphanumeric() {
                label = cs.as_str().trim_start().to_owned();
            }
        }
        for tail in [":", "=", ",", "-", "–", "được", "thì", "cho"] {
            if let Some(rest) = label.strip_suffix(tail) {
                let cut = rest.trim_end();
                // A word is cut whole only.
                if tail.chars().all(char::is_alphabetic)
                    && !rest.is_empty()
                    && !rest.ends_with(char::is_whitespace)
                {
                    continue;
                }
                label = cut.to_owned();
            }
        }
        if label == before {
            return label;
        }
    }
}

/// Whether an answer starts at `at`, on a new line: a line break followed by a bullet.
fn bullet_line(chars: &[char], at: usize) -> bool {
    let mut i = at;
    while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\t') {
        i += 1;
    }
    chars.get(i).is_some_and(|c| BULLETS.contains(c))
}

/// Points after a separator at `at`: the points, where they end, whether with a comma; `None`
/// when no points follow (the separator is part of a label).
fn points_after(
    chars: &[char],
    at: usize,
    unit_required: bool,
    paren: bool,
) -> Result<Option<(Decimal, usize, bool)>, String> {
    let skip = |mut i: usize| {
        while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\t') {
            i += 1;
        }
        i
    };
    let mut i = skip(at);
    for filler in ["được ", "cho ", "tính "] {
        if matches_at(chars, i, filler) {
            i = skip(i + filler.chars().count());
        }
    }
    let (value, end, comma) = match number_at(chars, i) {
        None => return Ok(None),
        Some(Err(_)) if unit_required => return Ok(None),
        Some(found) => found?,
    };
    // A percent, a fraction or a date in a label, not points.
    let next = skip(end);
    let code_like =
        chars.get(end) == Some(&'.') && chars.get(end + 1).is_some_and(char::is_ascii_digit);
    if matches!(chars.get(next), Some('%' | '/')) || code_like {
        return Ok(None);
    }
    let mut i = next;
    let mut unit = false;
    for u in UNITS {
        if matches_at(chars, i, u)
            && !chars
                .get(i + u.chars().count())
                .is_some_and(|c| c.is_alphanumeric())
        {
            i = skip(i + u.chars().count());
            unit = true;
            break;
        }
    }
    if unit_required && !unit {
        return Ok(None);
    }
    if paren && chars.get(i) == Some(&')') {
        i = skip(i + 1);
    }
    if i >= chars.len() {
        return Ok(Some((value, i, comma)));
    }
    if matches!(chars[i], ';' | '|' | '\n' | ',' | '.') {
        while chars
            .get(i)
            .is_some_and(|c| matches!(c, ';' | '|' | '\n' | ',' | '.' | ' ' | '\t'))
        {
            i += 1;
        }
        return Ok(Some((value, i, comma)));
    }
    if unit_required {
        return Ok(None);
    }
    let rest: String = chars[i..].iter().take(40).collect();
    Err(format!(
        "cannot read \"{}\" after the points {}",
        rest.trim(),
        value
    ))
}

/// Splits printed guidance into its answers; the flag tells whether a decimal comma was read.
pub(crate) fn answers(text: &str) -> Result<(Vec<Answer>, bool), String> {
    let text = nfc(text).replace("\r\n", "\n").replace('\r', "\n");
    let chars: Vec<char> = text.chars().collect();
    let arrow = text.contains(['→', '⇒', '⟶']) || text.contains("->") || text.contains("=>");
    let separators: &[(&str, bool)] = if arrow {
        &[
            ("→", false),
            ("⇒", false),
            ("⟶", false),
            ("->", false),
            ("=>", false),
        ]
    } else {
        &[
            (":", false),
            ("(", false),
            ("=", false),
            (" được ", true),
            (" ", true),
        ]
    };
    let mut found = Vec::new();
    let mut comma = false;
    let (mut start, mut i) = (0, 0);
    while i < chars.len() {
        let Some((separator, unit_required)) =
            separators.iter().find(|(s, _)| matches_at(&chars, i, s))
        else {
            i += 1;
            continue;
        };
        let after = i + separator.chars().count();
        let Some((points, end, with_comma)) =
            points_after(&chars, after, *unit_required, *separator == "(")?
        else {
            i += 1;
            continue;
        };
        let raw = &chars[start..i];
        // An answer without points before this one: "đúng hạn; chậm: 0,5".
        let cut = raw
            .iter()
            .enumerate()
            .rposition(|(k, c)| matches!(c, ';' | '|') || (c == &'\n' && bullet_line(raw, k + 1)));
        if let Some(cut) = cut {
            let before = clean_label(&raw[..cut]);
            let before = if before.is_empty() {
                clean_label(&raw[cut + 1..])
            } else {
                before
            };
            return Err(format!("\"{before}\" has no points"));
        }
        let label = clean_label(raw);
        if ["trừ", "minus", "deduct"].iter().any(|w| {
            label
                .to_lowercase()
                .strip_suffix(w)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with(' '))
        }) {
            return Err(format!(
                "\"{label}\" takes points off (a penalty): not read"
            ));
        }
        if label.is_empty() {
            return Err(format!("the points {points} follow no answer"));
        }
        found.push(Answer { label, points });
        if found.len() > MAX_ANSWERS {
            return Err(format!("more than {MAX_ANSWERS} answers"));
        }
        comma |= with_comma;
        start = end;
        i = end;
    }
    let rest = clean_label(&chars[start..]);
    let rest = rest.trim_matches(|c: char| matches!(c, ';' | '|' | '.' | ','));
    if !rest.trim().is_empty() {
        return Err(format!("\"{}\" has no points", rest.trim()));
    }
    if found.is_empty() {
        return Err("no answer with its points".to_owned());
    }
    Ok((found, comma))
}

/// Whether `needle` is in `hay` as whole words.
fn has_words(hay: &str, needle: &str) -> bool {
    word_at(hay, needle).is_some()
}

/// Where `needle` first stands in `hay` as whole words.
fn word_at(hay: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = hay[from..].find(needle) {
        let at = from + found;
        let end = at + needle.len();
        let before = hay[..at].chars().next_back();
        let after = hay[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return Some(at);
        }
        from = at + needle.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// How an answer of a timeliness rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timing {
    /// On time; `deadline` when said with a deadline's words (đúng hạn, on time) rather than
    /// "timely" (kịp thời).
    OnTime {
        deadline: bool,
    },
    Late,
    Missing,
    /// "Not on time", "không kịp thời": the negation of the first answer, not an outcome.
    NotOnTime,
}

const ON_TIME: [(&str, bool); 7] = [
    ("đúng hạn", true),
    ("đúng thời hạn", true),
    ("on time", true),
    ("in time", true),
    ("đúng thời gian", false),
    ("kịp thời", false),
    ("timely", false),
];
const LATE: [&str; 7] = [
    "chậm",
    "trễ",
    "muộn",
    "quá hạn",
    "late",
    "overdue",
    "delayed",
];
const MISSING: [&str; 14] = [
    "không ban hành",
    "chưa ban hành",
    "không gửi",
    "chưa gửi",
    "không thực hiện",
    "chưa thực hiện",
    "không có",
    "chưa có",
    "not issued",
    "not sent",
    "not done",
    "no/not done",
    "missing",
    "none",
];
const NEGATIONS: [&str; 4] = ["không", "chưa", "not", "ko"];

fn timing(label: &str) -> Option<Timing> {
    let label = label.to_lowercase();
    for (phrase, deadline) in ON_TIME {
        if let Some(at) = word_at(&label, phrase) {
            let before = label[..at].split_whitespace().next_back();
            if before.is_some_and(|w| NEGATIONS.contains(&w)) {
                return Some(Timing::NotOnTime);
            }
            return Some(Timing::OnTime { deadline });
        }
    }
    if LATE.iter().any(|w| has_words(&label, w)) {
        return Some(Timing::Late);
    }
    let bare = ["không", "chưa", "no"].contains(&label.trim());
    if bare || MISSING.iter().any(|w| has_words(&label, w)) {
        return Some(Timing::Missing);
    }
    None
}

/// The printed answers as a note: `issued on time → 1.5 | issued late → 1`.
fn printed(answers: &[Answer]) -> String {
    answers
        .iter()
        .map(|a| format!("{} → {}", a.label, a.points))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn timeliness(answers: &[Answer]) -> Result<Inferred, String> {
    let mut on_time = None;
    let mut late = None;
    let mut missing = None;
    let mut deadline = false;
    for answer in answers {
        let slot = match timing(&answer.label) {
            Some(Timing::OnTime { deadline: d }) => {
                deadline = d;
                &mut on_time
            }
            Some(Timing::Late) => &mut late,
            Some(Timing::Missing) => &mut missing,
            Some(Timing::NotOnTime) => {
                return Err(format!(
                    "\"{}\" is the negation of on time, not late or not issued",
                    answer.label
                ));
            }
            None => {
                return Err(format!(
                    "\"{}\" is not on time, late or not issued",
                    answer.label
                ));
            }
        };
        if slot.is_some() {
            return Err(format!(
                "\"{}\" is a second answer of the same outcome",
                answer.label
            ));
        }
        *slot = Some(answer.points);
    }
    let Some(on_time) = on_time else {
        return Err("no answer is on time".to_owned());
    };
    if late.is_none() && !(missing.is_some() && deadline) {
        return Err("no answer is late, and the on-time answer names no deadline".to_owned());
    }
    let missing_points = missing.unwrap_or(Decimal::ZERO);
    let mut note = format!("Printed answers: {}.", printed(answers));
    if missing.is_none() {
        note.push_str(" \"Not issued\" is not printed: scored 0.");
    }
    if late.is_none() {
        note.push_str(&format!(
            " \"Late\" is not printed: scored as not issued ({missing_points})."
        ));
    }
    let mut inferred = Inferred::new(Rule::Timeliness(parindex_core::Timeliness {
        due: None,
        on_time,
        late: late.unwrap_or(missing_points),
        missing: missing_points,
        per_day_late: None,
        due_after: None,
        windows: Vec::new(),
    }));
    inferred.note = Some(note);
    Ok(inferred)
}

fn yes_no(answers: &[Answer]) -> Result<Inferred, String> {
    let [first, second] = answers else {
        return Err(format!(
            "{} answers are printed, not the two of yes and no",
            answers.len()
        ));
    };
    if first.points == second.points {
        return Err("both answers give the same points".to_owned());
    }
    let (yes, no) = if first.points > second.points {
        (first, second)
    } else {
        (second, first)
    };
    Ok(Inferred::new(Rule::YesNo(parindex_core::YesNo {
        yes: yes.points,
        no: no.points,
        yes_label: Some(yes.label.clone()),
        no_label: Some(no.label.clone()),
    })))
}

/// Vietnamese letters without their marks, for keys: `Có ban hành` → `co ban hanh`.
fn fold(text: &str) -> String {
    const GROUPS: [(char, &str); 7] = [
        ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
        ('e', "èéẻẽẹêềếểễệ"),
        ('i', "ìíỉĩị"),
        ('o', "òóỏõọôồốổỗộơờớởỡợ"),
        ('u', "ùúủũụưừứửữự"),
        ('y', "ỳýỷỹỵ"),
        ('d', "đ"),
    ];
    nfc(text)
        .to_lowercase()
        .chars()
        .map(|c| {
            GROUPS
                .iter()
                .find(|(_, marked)| marked.contains(c))
                .map_or(c, |(base, _)| *base)
        })
        .collect()
}

/// A short key for a level from its label: its first words in ASCII, `≥50%` → `min-50`.
pub(crate) fn slug(label: &str, words: usize) -> String {
    let spelled = fold(label)
        .replace(">=", " min ")
        .replace('≥', " min ")
        .replace("<=", " max ")
        .replace('≤', " max ")
        .replace('<', " under ")
        .replace('>', " over ")
        .replace('%', " pct ");
    let parts: Vec<String> = spelled
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(words)
        .map(str::to_owned)
        .collect();
    parts.join("-")
}

fn levels(answers: &[Answer]) -> Result<Inferred, String> {
    if answers.len() < 2 {
        return Err("a single answer is printed".to_owned());
    }
    // The fewest words that tell every answer apart.
    let words = [3, 5, 8]
        .into_iter()
        .find(|n| {
            let slugs: Vec<String> = answers.iter().map(|a| slug(&a.label, *n)).collect();
            slugs
                .iter()
                .enumerate()
                .all(|(i, s)| !slugs[..i].contains(s))
        })
        .unwrap_or(8);
    let mut keys: Vec<String> = Vec::new();
    for (i, answer) in answers.iter().enumerate() {
        let mut key = slug(&answer.label, words);
        // A key of digits alone would read as a level's position.
        if key.is_empty() || key.chars().all(|c| c.is_ascii_digit() || c == '-') {
            key = format!("level-{}", i + 1);
        }
        let mut unique = key.clone();
        let mut n = 2;
        while keys.contains(&unique) {
            unique = format!("{key}-{n}");
            n += 1;
        }
        keys.push(unique);
    }
    let levels = answers
        .iter()
        .zip(keys)
        .map(|(a, key)| Level {
            key,
            label: Some(a.label.clone()),
            points: a.points,
            min: None,
            step: None,
        })
        .collect();
    Ok(Inferred::new(Rule::Levels(parindex_core::Levels {
        levels,
    })))
}

/// A range as printed, before it is set among the others.
#[derive(Debug, Clone, PartialEq)]
enum Printed {
    /// A range with its bounds.
    Range(Condition),
    /// A value alone: `100%`, `đạt 90%`, `01 giải pháp`.
    Lone(Decimal),
    /// `từ 50 đến dưới …`: the upper bound is not printed.
    OpenUpper(Decimal),
    /// `all …`, `tất cả`.
    All,
    /// `không có`, `no/not done`: nothing.
    Zero,
}

/// A number of a label: its value and whether it is written as a percent or a fraction.
#[derive(Debug, Clone, Copy)]
struct Figure {
    value: Decimal,
    percent: bool,
    fraction: bool,
    start: usize,
    end: usize,
}

/// The figures of a label, or why one cannot be read (a fraction that is not an exact
/// percent, such as 2/3).
fn figures(chars: &[char]) -> Result<Vec<Figure>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit()
            && !(i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '.'));
        if !starts_number {
            i += 1;
            continue;
        }
        let Some(number) = number_at(chars, i) else {
            i += 1;
            continue;
        };
        let (value, mut end, _) = number?;
        let mut figure = Figure {
            value,
            percent: false,
            fraction: false,
            start: i,
            end,
        };
        let mut j = end;
        while chars.get(j) == Some(&' ') {
            j += 1;
        }
        if matches!(chars.get(j), Some('%' | '％')) {
            figure.percent = true;
            end = j + 1;
        } else if chars.get(end) == Some(&'/') {
            if let Some(Ok((denominator, after, _))) = number_at(chars, end + 1) {
                if denominator.is_zero() || value > denominator {
                    return Err(format!(
                        "{}/{} is not a fraction of an expected count",
                        value, denominator
                    ));
                }
                let percent = value
                    .checked_mul(Decimal::ONE_HUNDRED)
                    .and_then(|v| v.checked_div(denominator))
                    .map(|p| p.normalize())
                    .filter(|p| p.checked_mul(denominator) == value.checked_mul(Decimal::ONE_HUNDRED) && p.scale() <= 6)
                    .ok_or_else(|| {
                        format!("{value}/{denominator} is no exact percent: write the tier's bound as a percent")
                    })?;
                figure.value = percent;
                figure.fraction = true;
                end = after;
            }
        }
        figure.end = end;
        out.push(figure);
        i = end;
    }
    Ok(out)
}

/// Words before a figure that make it a bound, longest first within each list.
const AT_LEAST: [&str; 7] = [
    "không thấp hơn",
    "không dưới",
    "tối thiểu",
    "at least",
    "ít nhất",
    ">=",
    "≥",
];
const AT_MOST: [&str; 7] = [
    "không vượt quá",
    "không cao hơn",
    "không quá",
    "at most",
    "tối đa",
    "<=",
    "≤",
];
const BELOW: [&str; 10] = [
    "không đạt",
    "thấp hơn",
    "fewer than",
    "less than",
    "ít hơn",
    "below",
    "under",
    "dưới",
    "chưa đạt",
    "<",
];
const ABOVE: [&str; 9] = [
    "greater than",
    "nhiều hơn",
    "more than",
    "cao hơn",
    "above",
    "over",
    "trên",
    "hơn",
    ">",
];

fn ends_with_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| {
        text.strip_suffix(w).is_some_and(|rest| {
            !w.chars().next().is_some_and(char::is_alphabetic)
                || !rest.chars().next_back().is_some_and(char::is_alphanumeric)
        })
    })
}

fn bound(value: Decimal, inclusive: bool) -> Option<Bound> {
    Some(Bound { value, inclusive })
}

/// The range a label prints, `None` when it prints none.
fn read_range(label: &str) -> Result<Option<Printed>, String> {
    let text = nfc(label).to_lowercase().replace(['–', '—', '−'], "-");
    let chars: Vec<char> = text.chars().collect();
    let found = figures(&chars)?;
    let slice =
        |a: usize, b: usize| -> String { chars[a..b].iter().collect::<String>().trim().to_owned() };
    let starts = |t: &str, words: &[&str]| {
        words
            .iter()
            .any(|w| t == *w || t.starts_with(&format!("{w} ")) || t.starts_with(&format!("{w}/")))
    };
    match found.as_slice() {
        [] => {
            let t = text.trim();
            if starts(t, &["all", "tất cả", "toàn bộ"]) {
                return Ok(Some(Printed::All));
            }
            if starts(t, &["không", "chưa", "no", "none", "not"]) {
                return Ok(Some(Printed::Zero));
            }
            Ok(None)
        }
        [one] => {
            let before = slice(0, one.start);
            let after = slice(one.end, chars.len());
            let v = one.value;
            let condition = |lower: Option<Bound>, upper: Option<Bound>| {
                Ok(Some(Printed::Range(Condition { lower, upper })))
            };
            if ends_with_any(&before, &AT_LEAST) {
                return condition(bound(v, true), None);
            }
            if ends_with_any(&before, &AT_MOST) {
                return condition(None, bound(v, true));
            }
            if ends_with_any(&before, &BELOW) {
                return condition(None, bound(v, false));
            }
            if ends_with_any(&before, &ABOVE) {
                return condition(bound(v, false), None);
            }
            if before.ends_with('=') {
                return condition(bound(v, true), bound(v, true));
            }
            if ["đến dưới", "to under", "to below", "-<", "- <"]
                .iter()
                .any(|w| after.starts_with(w))
            {
                return Ok(Some(Printed::OpenUpper(v)));
            }
            if [
                "trở lên",
                "or more",
                "and above",
                "and more",
                "hoặc hơn",
                "+",
            ]
            .iter()
            .any(|w| has_words(&after, w) || after.starts_with(w))
            {
                return condition(bound(v, true), None);
            }
            if ["trở xuống", "or less", "or fewer", "and below"]
                .iter()
                .any(|w| has_words(&after, w))
            {
                return condition(None, bound(v, true));
            }
            if ends_with_any(&before, &["từ", "from"]) {
                return condition(bound(v, true), None);
            }
            Ok(Some(Printed::Lone(v)))
        }
        [low, high] => {
            let before = slice(0, low.start);
            let between: String = slice(low.end, high.start)
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '%')
                .collect();
            let ranged = ["-", "đến", "to", "tới", "~", ".."]
                .iter()
                .any(|w| between.contains(w));
            if !ranged || low.value > high.value {
                return Ok(None);
            }
            let exclusive_upper = between.contains('<') && !between.contains("<=")
                || ["dưới", "under", "below", "lessthan"]
                    .iter()
                    .any(|w| between.contains(w));
            let exclusive_lower = ends_with_any(&before, &ABOVE);
            Ok(Some(Printed::Range(Condition {
                lower: bound(low.value, !exclusive_lower),
                upper: bound(high.value, !exclusive_upper),
            })))
        }
        _ => Ok(None),
    }
}

/// Whether a label writes a percent or a fraction.
fn writes_percent(label: &str) -> bool {
    let chars: Vec<char> = nfc(label).chars().collect();
    figures(&chars).is_ok_and(|f| f.iter().any(|f| f.percent || f.fraction))
}

/// Whether a label writes a fraction of an expected count.
fn writes_fraction(label: &str) -> bool {
    let chars: Vec<char> = nfc(label).chars().collect();
    figures(&chars).is_ok_and(|f| f.iter().any(|f| f.fraction))
}

/// Why a set of answers is no tier set.
#[derive(Debug, Clone, PartialEq, Eq)]
enum NotTiers {
    /// An answer is no range of the measure and no value is left for it, the tiers above
    /// covering everything below theirs: the answers are choices, not ranges.
    Choices(String),
    /// Anything else.
    Other(String),
}

fn tiers(answers: &[Answer], measure: Measure) -> Result<(Vec<Tier>, Vec<String>), NotTiers> {
    let count = measure == Measure::Count;
    let mut conditions: Vec<Option<Condition>> = Vec::new();
    let mut remarks = Vec::new();
    for (i, answer) in answers.iter().enumerate() {
        let printed = read_range(&answer.label).map_err(NotTiers::Other)?;
        let previous_lower = conditions
            .last()
            .and_then(|c| c.as_ref())
            .and_then(|c| c.lower);
        let condition = match printed {
            Some(Printed::Range(c)) => Some(c),
            Some(Printed::Lone(v)) if i == 0 => Some(Condition {
                lower: bound(v, true),
                upper: None,
            }),
            Some(Printed::Lone(v)) if count => Some(Condition {
                lower: bound(v, true),
                upper: bound(v, true),
            }),
            Some(Printed::All) if !count => Some(Condition {
                lower: bound(Decimal::ONE_HUNDRED, true),
                upper: None,
            }),
            Some(Printed::Zero) if count => Some(Condition {
                lower: bound(Decimal::ZERO, true),
                upper: bound(Decimal::ZERO, true),
            }),
            Some(Printed::OpenUpper(v)) => match previous_lower {
                Some(p) if p.value > v => {
                    remarks.push(format!(
                        "\"{}\" prints no upper bound: read as up to the tier above, {}.",
                        answer.label,
                        Condition {
                            lower: bound(v, true),
                            upper: bound(p.value, !p.inclusive),
                        }
                    ));
                    Some(Condition {
                        lower: bound(v, true),
                        upper: bound(p.value, !p.inclusive),
                    })
                }
                _ => None,
            },
            _ => None,
        };
        conditions.push(condition);
    }
    let missing: Vec<usize> = (0..conditions.len())
        .filter(|i| conditions[*i].is_none())
        .collect();
    match missing.as_slice() {
        [] => {}
        [last] if *last == conditions.len() - 1 && *last > 0 => {
            let label = &answers[*last].label;
            let read: Vec<&Condition> = conditions.iter().flatten().collect();
            let lowest = read
                .iter()
                .map(|c| c.lower)
                .try_fold(None::<Bound>, |low, b| {
                    let b = b?;
                    Some(Some(match low {
                        Some(l) if l.value < b.value || (l.value == b.value && l.inclusive) => l,
                        _ => b,
                    }))
                })
                .flatten();
            let Some(lowest) = lowest.filter(|l| l.value > Decimal::ZERO || !l.inclusive) else {
                return Err(NotTiers::Choices(format!(
                    "\"{label}\" is no range, and the tiers above already cover every value below theirs"
                )));
            };
            let condition = if count && lowest.inclusive && lowest.value == Decimal::ONE {
                Condition {
                    lower: bound(Decimal::ZERO, true),
                    upper: bound(Decimal::ZERO, true),
                }
            } else {
                Condition {
                    lower: None,
                    upper: bound(lowest.value, !lowest.inclusive),
                }
            };
            remarks.push(format!(
                "\"{label}\" is no range: read as `{condition}`, the values below the tiers above."
            ));
            conditions[*last] = Some(condition);
        }
        _ => {
            let i = missing[0];
            return Err(NotTiers::Other(format!(
                "\"{}\" is not a range of the {}",
                answers[i].label,
                if count { "count" } else { "percent" }
            )));
        }
    }
    let mut out: Vec<Tier> = Vec::new();
    for (answer, condition) in answers.iter().zip(conditions) {
        let Some(mut condition) = condition else {
            continue;
        };
        // "≥3/4" below "all": up to the tier above, as the first match would take it.
        if let (Some(previous), Some(_), None) = (out.last(), condition.lower, condition.upper) {
            if let Some(p) = previous.when.lower {
                if condition.lower.is_some_and(|l| l.value < p.value) {
                    condition.upper = bound(p.value, !p.inclusive);
                }
            }
        }
        if !count
            && condition
                .bounds()
                .any(|b| b < Decimal::ZERO || b > Decimal::ONE_HUNDRED)
        {
            return Err(NotTiers::Other(format!(
                "\"{}\" is outside 0–100%",
                answer.label
            )));
        }
        if count
            && condition
                .bounds()
                .any(|b| b < Decimal::ZERO || !b.fract().is_zero())
        {
            return Err(NotTiers::Other(format!(
                "\"{}\" is not a count",
                answer.label
            )));
        }
        out.push(Tier {
            when: condition,
            points: answer.points,
            label: Some(answer.label.clone()),
        });
    }
    Ok((out, remarks))
}

/// Whether the answers read as tiers over a count: no percent, every answer a range of whole
/// numbers, one of them open (`trở lên`, `≥`), and some number printed.
fn looks_like_count(answers: &[Answer]) -> bool {
    if answers.len() < 2 || answers.iter().any(|a| writes_percent(&a.label)) {
        return false;
    }
    let mut open = false;
    let mut numbers = false;
    for answer in answers {
        match read_range(&answer.label) {
            Ok(Some(Printed::Range(c))) => {
                numbers = true;
                open |= c.upper.is_none() || c.lower.is_none();
            }
            Ok(Some(Printed::Lone(_))) => numbers = true,
            Ok(Some(Printed::Zero)) => {}
            _ => return false,
        }
    }
    numbers && open
}

fn percent_tiers(answers: &[Answer], survey: bool) -> Result<Inferred, NotTiers> {
    let (tiers, remarks) = tiers(answers, Measure::Percent)?;
    let rule = if survey {
        Rule::Survey(parindex_core::SurveyRule {
            mode: SurveyMode::Share { tiers, gap: None },
            groups: Vec::new(),
            satisfied: Vec::new(),
        })
    } else {
        Rule::Tiers(parindex_core::Tiers {
            measure: Measure::Percent,
            better: parindex_core::Better::Higher,
            tiers,
            clip: false,
            gap: None,
        })
    };
    let mut inferred = Inferred::new(rule);
    inferred.survey = survey;
    inferred.remarks = remarks;
    if answers.iter().any(|a| writes_fraction(&a.label)) {
        inferred.note =
            Some("A share of an expected count: input done/expected, e.g. 11/12.".to_owned());
    }
    Ok(inferred)
}

fn count_tiers(answers: &[Answer]) -> Result<Inferred, NotTiers> {
    let (tiers, remarks) = tiers(answers, Measure::Count)?;
    let mut inferred = Inferred::new(Rule::Tiers(parindex_core::Tiers {
        measure: Measure::Count,
        better: parindex_core::Better::Higher,
        tiers,
        clip: false,
        gap: None,
    }));
    inferred.remarks = remarks;
    Ok(inferred)
}

/// Reads the answers as the rule they print, trying each kind in turn.
fn from_text(answers: &[Answer]) -> Result<Inferred, String> {
    if answers.iter().any(|a| writes_percent(&a.label)) {
        match percent_tiers(answers, false) {
            Ok(inferred) => return Ok(inferred),
            Err(NotTiers::Choices(_)) => {}
            Err(NotTiers::Other(why)) => {
                if answers.len() < 3 {
                    return Err(why);
                }
            }
        }
    } else if looks_like_count(answers) {
        if let Ok(inferred) = count_tiers(answers) {
            return Ok(inferred);
        }
    }
    if let Ok(inferred) = timeliness(answers) {
        return Ok(inferred);
    }
    match answers.len() {
        1 => Err(format!(
            "only one answer is printed (\"{}\")",
            answers.first().map_or("", |a| a.label.as_str())
        )),
        2 => yes_no(answers),
        _ => levels(answers),
    }
}

/// The name of a rule's kind, with its measure: `tiers over a percent`.
fn described(inferred: &Inferred) -> String {
    match &inferred.rule {
        Rule::Tiers(parindex_core::Tiers {
            measure: Measure::Count,
            ..
        }) => "tiers over a count".to_owned(),
        Rule::Tiers(parindex_core::Tiers { .. }) => "tiers over a percent".to_owned(),
        Rule::Survey(parindex_core::SurveyRule { .. }) => "a survey share".to_owned(),
        rule => rule.kind().as_str().to_owned(),
    }
}

/// Reads a leaf's rule from its printed guidance and the table's rule type, if any.
pub(crate) fn infer(guidance: &str, hint: Option<Hint>, max: Decimal) -> Result<Inferred, String> {
    if guidance.chars().count() > MAX_GUIDANCE_CHARS {
        return Err(format!(
            "the guidance is longer than {MAX_GUIDANCE_CHARS} characters"
        ));
    }
    if guidance.trim().is_empty() {
        return match hint {
            Some(Hint::YesNo) => {
                let mut inferred = Inferred::new(Rule::YesNo(parindex_core::YesNo {
                    yes: max,
                    no: Decimal::ZERO,
                    yes_label: None,
                    no_label: None,
                }));
                inferred.remarks.push(
                    "No guidance is printed; yes-no as typed, with the format's points: yes = max, no = 0."
                        .to_owned(),
                );
                Ok(inferred)
            }
            Some(Hint::Direct) => Ok(Inferred::new(Rule::Direct(parindex_core::Direct {
                min: None,
                step: None,
            }))),
            _ => Err("no guidance is printed".to_owned()),
        };
    }
    if hint == Some(Hint::Direct) {
        let mut inferred = Inferred::new(Rule::Direct(parindex_core::Direct {
            min: None,
            step: None,
        }));
        inferred.remarks.push(
            "Points given directly, as typed; the printed guidance is the assessor's.".to_owned(),
        );
        inferred.note = Some(nfc(guidance.trim()).into_owned());
        return Ok(inferred);
    }
    if hint == Some(Hint::Unsupported) {
        return Err("the table types it a kind whose parameters are not read from text".to_owned());
    }
    let (answers, comma) = answers(guidance)?;
    let typed = match hint {
        Some(Hint::YesNo) => Some(yes_no(&answers)),
        Some(Hint::Timeliness) => Some(timeliness(&answers)),
        Some(Hint::PercentTiers | Hint::Fraction) => Some(match percent_tiers(&answers, false) {
            Err(NotTiers::Choices(why)) => levels(&answers).map(|mut l| {
                l.remarks.push(format!(
                    "Typed as tiers, but {why}: levels quoting the printed answers; the assessor picks one."
                ));
                l
            }),
            other => other.map_err(|e| match e {
                NotTiers::Choices(why) | NotTiers::Other(why) => why,
            }),
        }),
        Some(Hint::Survey) => Some(percent_tiers(&answers, true).map_err(|e| match e {
            NotTiers::Choices(why) | NotTiers::Other(why) => why,
        })),
        Some(Hint::CountTiers) => Some(count_tiers(&answers).map_err(|e| match e {
            NotTiers::Choices(why) | NotTiers::Other(why) => why,
        })),
        Some(Hint::Levels) => Some(levels(&answers)),
        Some(Hint::Parent | Hint::Direct | Hint::Unsupported) | None => None,
    };
    let mut inferred = match typed {
        Some(Ok(inferred)) => inferred,
        Some(Err(why)) => {
            let mut inferred = from_text(&answers).map_err(|e| format!("{why}; {e}"))?;
            inferred.remarks.insert(
                0,
                format!(
                    "Its rule type does not fit the printed answers ({why}): read as {}.",
                    described(&inferred)
                ),
            );
            inferred
        }
        None => from_text(&answers)?,
    };
    inferred.comma = comma;
    Ok(inferred)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parindex_core::rule_to_toml;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap_or_default()
    }

    fn rule(guidance: &str, hint_text: Option<&str>) -> Result<String, String> {
        let inferred = infer(guidance, hint_text.and_then(hint), d("2"))?;
        Ok(rule_to_toml(&inferred.rule))
    }

    fn whens(guidance: &str, hint_text: Option<&str>) -> Vec<String> {
        match infer(guidance, hint_text.and_then(hint), d("2")).map(|i| i.rule) {
            Ok(Rule::Tiers(parindex_core::Tiers { tiers, .. }))
            | Ok(Rule::Survey(parindex_core::SurveyRule {
                mode: SurveyMode::Share { tiers, .. },
                ..
            })) => tiers
                .iter()
                .map(|t| format!("{} → {}", t.when, t.points))
                .collect(),
            other => vec![format!("not tiers: {other:?}")],
        }
    }

    #[test]
    fn timeliness_in_vietnamese_and_in_arrows() {
        assert_eq!(
            rule(
                "Ban hành đúng hạn: 1 điểm; chậm: 0,5 điểm; không ban hành: 0 điểm",
                None
            ),
            Ok(r#"{ kind = "timeliness", on_time = 1, late = "0.5", missing = 0 }"#.to_owned())
        );
        let inferred = infer(
            "issued on time → 1.5 | issued late → 1 | not issued → 0",
            hint("timeliness"),
            d("1.5"),
        );
        assert_eq!(
            inferred.as_ref().map(|i| rule_to_toml(&i.rule)),
            Ok(r#"{ kind = "timeliness", on_time = "1.5", late = 1, missing = 0 }"#.to_owned())
        );
        assert_eq!(
            inferred.map(|i| i.note),
            Ok(Some(
                "Printed answers: issued on time → 1.5 | issued late → 1 | not issued → 0."
                    .to_owned()
            ))
        );
        // Only on time and not issued: a late plan scores as not issued.
        assert_eq!(
            rule("issued on time → 1 | not issued → 0", Some("timeliness")),
            Ok(r#"{ kind = "timeliness", on_time = 1, late = 0, missing = 0 }"#.to_owned())
        );
        // Typed timeliness, but the answers are timely / not timely: yes-no quoting them.
        let inferred = infer(
            "Phổ biến kịp thời → 1 | Phổ biến không kịp thời → 0",
            hint("timeliness"),
            d("1"),
        );
        assert_eq!(
            inferred.as_ref().map(|i| rule_to_toml(&i.rule)),
            Ok(r#"{ kind = "yes-no", yes = 1, no = 0, yes_label = "Phổ biến kịp thời", no_label = "Phổ biến không kịp thời" }"#.to_owned())
        );
        assert!(inferred.is_ok_and(|i| i.remarks[0]
            == "Its rule type does not fit the printed answers (\"Phổ biến không kịp thời\" is the negation of on time, not late or not issued): read as yes-no."));
    }

    #[test]
    fn percent_tiers_as_printed() {
        assert_eq!(
            whens(
                "Đạt 100%: 2 điểm; từ 80% đến dưới 100%: 1 điểm; dưới 80%: 0",
                None
            ),
            ["x >= 100 → 2", "80 <= x < 100 → 1", "x < 80 → 0"]
        );
        assert_eq!(
            whens("≥100% → 1 | 50–<100% → 0.5 | <50% → 0", None),
            ["x >= 100 → 1", "50 <= x < 100 → 0.5", "x < 50 → 0"]
        );
        // "A–B%" includes both ends; a lone 100% heads the tiers.
        assert_eq!(
            whens(
                "100%  → 2 | 70–100%  → 1 | 50–<70%  → 0.5 | <50%  → 0",
                Some("percent-tiers")
            ),
            [
                "x >= 100 → 2",
                "70 <= x <= 100 → 1",
                "50 <= x < 70 → 0.5",
                "x < 50 → 0"
            ]
        );
        assert_eq!(
            whens(
                "Trên 90%: 1,5 điểm; từ 70% đến 90%: 1 điểm; không đạt 70%: 0",
                None
            ),
            ["x > 90 → 1.5", "70 <= x <= 90 → 1", "x < 70 → 0"]
        );
    }

    #[test]
    fn fractions_of_an_expected_count_are_percent_tiers() {
        assert_eq!(
            whens(
                "all reports → 1.5 | ≥3/4 of reports → 1 | <3/4 of reports → 0",
                Some("count-fraction")
            ),
            ["x >= 100 → 1.5", "75 <= x < 100 → 1", "x < 75 → 0"]
        );
        // Without the rule type too.
        let inferred = infer(
            "all on time → 1.5 | ≥3/4 on time → 1 | <3/4 on time → 0",
            None,
            d("1.5"),
        );
        assert!(inferred.is_ok_and(|i| i.note.is_some_and(|n| n.contains("11/12"))));
        // A fraction that is no exact percent: the answers are left as choices.
        let inferred = infer(
            "tất cả → 1 | ≥2/3 → 0,5 | <2/3 → 0",
            hint("count-fraction"),
            d("1"),
        );
        assert!(matches!(
            inferred.as_ref().map(|i| &i.rule),
            Ok(Rule::Levels(parindex_core::Levels { .. }))
        ));
        assert!(inferred.is_ok_and(|i| i.remarks[0].contains("2/3 is no exact percent")));
    }

    #[test]
    fn yes_no_with_its_printed_answers() {
        assert_eq!(
            rule("Có: 0,5; Không: 0", None),
            Ok(
                r#"{ kind = "yes-no", yes = "0.5", no = 0, yes_label = "Có", no_label = "Không" }"#
                    .to_owned()
            )
        );
        assert_eq!(
            rule("has plan → 1 | no plan → 0", None),
            Ok(r#"{ kind = "yes-no", yes = 1, no = 0, yes_label = "has plan", no_label = "no plan" }"#.to_owned())
        );
        // Printed worst first.
        assert_eq!(
            rule("Không: 0 điểm. Có: 1 điểm.", Some("binary")),
            Ok(
                r#"{ kind = "yes-no", yes = 1, no = 0, yes_label = "Có", no_label = "Không" }"#
                    .to_owned()
            )
        );
        // One answer per line, with bullets, points in parentheses.
        assert_eq!(
            rule("- Có kế hoạch (1 điểm)\n- Không có kế hoạch (0 điểm)", None),
            Ok(r#"{ kind = "yes-no", yes = 1, no = 0, yes_label = "Có kế hoạch", no_label = "Không có kế hoạch" }"#.to_owned())
        );
    }

    #[test]
    fn named_answers_are_levels_listed_as_printed() {
        let inferred = infer(
            "Có ban hành đầy đủ và chỉ đạo đôn đốc cụ thể → 1.5 | Có ban hành văn bản chỉ đạo, điều hành, đôn đốc nhưng chưa thật cụ thể → 1 | not issued → 0",
            hint("ordinal-levels"),
            d("1.5"),
        );
        let Ok(Rule::Levels(parindex_core::Levels { levels })) = inferred.map(|i| i.rule) else {
            panic!("not levels");
        };
        let keys: Vec<&str> = levels.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(
            keys,
            ["co-ban-hanh-day-du", "co-ban-hanh-van-ban", "not-issued"]
        );
        let points: Vec<String> = levels.iter().map(|l| l.points.to_string()).collect();
        assert_eq!(points, ["1.5", "1", "0"]);
        assert_eq!(
            levels[1].label.as_deref(),
            Some("Có ban hành văn bản chỉ đạo, điều hành, đôn đốc nhưng chưa thật cụ thể")
        );
        // Without a rule type, three named answers are levels too.
        assert!(matches!(
            infer(
                "Triển khai đúng yêu cầu: 1 điểm; Có triển khai nhưng chưa đúng yêu cầu: 0,5 điểm; Chưa triển khai: 0 điểm",
                None,
                d("1")
            )
            .map(|i| i.rule),
            Ok(Rule::Levels(parindex_core::Levels { .. }))
        ));
        // Typed as tiers, but the last answer is no range left by those above: levels.
        let inferred = infer(
            "≥50%  → 1 | <50%  → 0.5 | no/not done → 0",
            hint("percent-tiers"),
            d("1"),
        );
        assert!(matches!(
            inferred.as_ref().map(|i| &i.rule),
            Ok(Rule::Levels(parindex_core::Levels { .. }))
        ));
        let Ok(Rule::Levels(parindex_core::Levels { levels })) = inferred.map(|i| i.rule) else {
            panic!("not levels");
        };
        let keys: Vec<&str> = levels.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["min-50-pct", "under-50-pct", "no-not-done"]);
    }

    #[test]
    fn count_tiers_and_answers_without_a_range() {
        assert_eq!(
            whens(
                "Chủ động đề ra từ 02 giải pháp CCHC sáng tạo, hiệu quả trở lên → 1.5 | Chủ động đề ra 01 giải pháp CCHC sáng tạo, hiệu quả → 1 | Không có giải pháp CCHC sáng tạo → 0",
                Some("count-tiers")
            ),
            ["x >= 2 → 1.5", "x = 1 → 1", "x = 0 → 0"]
        );
        assert_eq!(
            whens(
                "Có 03 hình thức trở lên: 1 điểm; Có từ 01 - 02 hình thức: 0,5 điểm; Không có hình thức nào: 0",
                None
            ),
            ["x >= 3 → 1", "1 <= x <= 2 → 0.5", "x = 0 → 0"]
        );
        // The last answer below the tiers: the values left under them.
        assert_eq!(
            whens("100%  → 1 | Còn để tồn năm sau → 0", Some("percent-tiers")),
            ["x >= 100 → 1", "x < 100 → 0"]
        );
        // A middle answer without its upper bound takes the tier above's.
        assert_eq!(
            whens(
                "100%  → 1.5 | 75–<100%  → 1 | Hoàn thành từ 50 đến dưới số nhiệm vụ được giao → 0.5 | <50%  → 0",
                Some("percent-tiers")
            ),
            [
                "x >= 100 → 1.5",
                "75 <= x < 100 → 1",
                "50 <= x < 75 → 0.5",
                "x < 50 → 0"
            ]
        );
    }

    #[test]
    fn survey_rows_are_survey_shares() {
        let inferred = infer(
            "100%  → 2 | 90–<100%  → 1 | <90%  → 0",
            hint("survey-tiers"),
            d("2"),
        );
        assert!(inferred.as_ref().is_ok_and(|i| i.survey));
        assert_eq!(
            whens(
                "100%  → 2 | 90–<100%  → 1 | <90%  → 0",
                Some("survey-tiers")
            ),
            ["x >= 100 → 2", "90 <= x < 100 → 1", "x < 90 → 0"]
        );
    }

    #[test]
    fn decimals_with_a_comma_and_the_word_diem() {
        assert_eq!(read_number("1,5"), Ok((d("1.5"), true)));
        assert_eq!(read_number("1,5 điểm"), Ok((d("1.5"), true)));
        assert_eq!(read_number("0.25"), Ok((d("0.25"), false)));
        assert_eq!(read_number("2đ"), Ok((d("2"), false)));
        assert_eq!(read_number(" 0,125 "), Ok((d("0.125"), true)));
        assert_eq!(
            read_number("1,500"),
            Err("\"1,500\" could be 1.500 or 1500: write it with a decimal point".to_owned())
        );
        assert_eq!(
            read_number("hai"),
            Err("\"hai\" is not a number of points (write 1.5, 1,5 or 1,5 điểm)".to_owned())
        );
        let inferred = infer("Có: 0,5 điểm; Không: 0 điểm", None, d("0.5"));
        assert!(inferred.is_ok_and(|i| i.comma));
        assert_eq!(
            rule(
                "Đúng hạn 1 điểm; chậm được 0,5 điểm; không ban hành 0 điểm",
                None
            ),
            Ok(r#"{ kind = "timeliness", on_time = 1, late = "0.5", missing = 0 }"#.to_owned())
        );
    }

    #[test]
    fn what_cannot_be_read_says_why() {
        assert_eq!(
            rule(
                "Ban hành đúng hạn; chậm: 0,5 điểm; không ban hành: 0 điểm",
                None
            ),
            Err("\"Ban hành đúng hạn\" has no points".to_owned())
        );
        assert_eq!(
            rule("Ban hành đúng hạn: 1 điểm; chậm", None),
            Err("\"chậm\" has no points".to_owned())
        );
        assert_eq!(
            rule("Mỗi nhiệm vụ không hoàn thành trừ 0,25 điểm", None),
            Err(
                "\"Mỗi nhiệm vụ không hoàn thành trừ\" takes points off (a penalty): not read"
                    .to_owned()
            )
        );
        assert_eq!(
            rule("Tốt, khá, trung bình", None),
            Err("\"Tốt, khá, trung bình\" has no points".to_owned())
        );
        assert_eq!(
            rule("Có: 1 điểm/nhiệm vụ", None),
            Err("cannot read \"/nhiệm vụ\" after the points 1".to_owned())
        );
        assert_eq!(rule("", None), Err("no guidance is printed".to_owned()));
        assert_eq!(
            rule("Đạt: 1 điểm", None),
            Err("only one answer is printed (\"Đạt\")".to_owned())
        );
        assert_eq!(
            rule("tỷ lệ × điểm tối đa", Some("proportional")),
            Err("the table types it a kind whose parameters are not read from text".to_owned())
        );
    }

    proptest::proptest! {
        /// Whatever an office pastes into the guidance column, the inference answers with a
        /// rule or a reason, never a panic, and a rule it gives has points as printed.
        #[test]
        fn any_guidance_gives_a_rule_or_a_reason(
            text in "[0-9,.:;|→<>=≥≤%/() a-zđêơưóạ\n-]{0,80}",
            kind in proptest::option::of("(binary|timeliness|percent-tiers|count-fraction|count-tiers|survey-tiers|ordinal-levels|direct|sum-of-children|other)"),
        ) {
            let _ = infer(&text, kind.as_deref().and_then(hint), Decimal::ONE);
        }

        #[test]
        fn any_text_at_all(text in "\\PC{0,120}") {
            let _ = infer(&text, None, Decimal::ONE);
            let _ = read_number(&text);
        }
    }
}
