//! What a unit reports for a leaf, read from the text an office writes.

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;

use crate::date::Date;
use crate::text::{nfc, one_of};

/// A measurement given for one leaf, already interpreted for the leaf's rule.
///
/// Not applicable and missing are not values: see [`Input`] and [`crate::Batch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Yes or no.
    Bool(bool),
    /// A number: a percent (`87.5`), a count, points, or any other measured quantity.
    Number(Decimal),
    /// An exact ratio `numerator / denominator`, read from text like `45/50`.
    Ratio {
        /// Items done, reports sent, respondents satisfied.
        numerator: Decimal,
        /// Items expected; always positive.
        denominator: Decimal,
    },
    /// A date.
    Date(Date),
    /// The position of a named level or outcome in the rule, 0 for the first.
    Choice(u16),
    /// Text not yet interpreted, for rules that decide how to read it later (branches).
    Text(Box<str>),
    /// Survey responses.
    Survey(Box<Survey>),
}

/// Survey responses for one leaf: one part per respondent group, or one unnamed part.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Survey {
    /// `(group, responses)`; the group is `None` when responses are not split by group.
    pub parts: Vec<(Option<String>, Responses)>,
}

impl Survey {
    /// A survey of one unnamed part: the share satisfied, `satisfied / respondents`.
    pub fn share(satisfied: Decimal, respondents: Decimal) -> Self {
        Survey {
            parts: vec![(
                None,
                Responses::Share {
                    satisfied,
                    respondents,
                },
            )],
        }
    }
}

/// The responses of one respondent group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Responses {
    /// The share satisfied, `satisfied / respondents`.
    Share {
        /// Respondents satisfied (or the percent, over 100).
        satisfied: Decimal,
        /// Respondents asked (or 100).
        respondents: Decimal,
    },
    /// Respondents per answer option.
    Counts(Vec<(String, Decimal)>),
}

/// What the input for a leaf at one stage says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The leaf does not apply to the unit (`N/A`, `KAD`, `không áp dụng`).
    NotApplicable,
    /// A measurement.
    Value(Value),
}

impl Value {
    /// The value as a ratio `(numerator, denominator)` of a whole, when it is one; a plain
    /// number is read as a percent.
    pub fn as_percent_ratio(&self) -> Option<(Decimal, Decimal)> {
        match self {
            Value::Number(n) => Some((*n, Decimal::ONE_HUNDRED)),
            Value::Ratio {
                numerator,
                denominator,
            } => Some((*numerator, *denominator)),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(true) => f.write_str("có"),
            Value::Bool(false) => f.write_str("không"),
            Value::Number(n) => write!(f, "{}", n.normalize()),
            Value::Ratio {
                numerator,
                denominator,
            } => {
                write!(f, "{}/{}", numerator.normalize(), denominator.normalize())
            }
            Value::Date(d) => write!(f, "{d}"),
            Value::Choice(i) => write!(f, "#{}", i + 1),
            Value::Text(t) => f.write_str(t),
            Value::Survey(s) => write!(f, "{s}"),
        }
    }
}

impl fmt::Display for Survey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (group, responses)) in self.parts.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            if let Some(group) = group {
                write!(f, "{group}: ")?;
            }
            match responses {
                Responses::Share {
                    satisfied,
                    respondents,
                } if *respondents == Decimal::ONE_HUNDRED => {
                    write!(f, "{}%", satisfied.normalize())?
                }
                Responses::Share {
                    satisfied,
                    respondents,
                } => write!(f, "{}/{}", satisfied.normalize(), respondents.normalize())?,
                Responses::Counts(counts) => {
                    let parts: Vec<String> = counts
                        .iter()
                        .map(|(o, c)| format!("{o}={}", c.normalize()))
                        .collect();
                    f.write_str(&parts.join(" "))?
                }
            }
        }
        Ok(())
    }
}

/// Whether a cell says "not applicable": `N/A`, `NA`, `KAD`, `không áp dụng`, in any case and
/// however the marks are encoded.
pub fn is_not_applicable(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "n/a",
        "na",
        "kad",
        "không áp dụng",
        "khong ap dung",
        "not applicable",
    ];
    let t = text.trim();
    // The words are 2 to under 40 bytes long, however their marks are typed, and begin with
    // an n or a k: other text is not brought to NFC to find out.
    let could_be = match t.bytes().next() {
        Some(b) if b.is_ascii() => matches!(b, b'n' | b'N' | b'k' | b'K'),
        Some(_) => true,
        None => false,
    };
    could_be && t.len() >= 2 && t.len() <= 40 && one_of(&nfc(t), WORDS)
}

/// Reads yes/no as offices write it: có/không, yes/no, 1/0, true/false, x, đạt/không đạt, in any
/// case and however the marks are encoded.
pub fn parse_bool(text: &str) -> Option<bool> {
    const YES: &[&str] = &[
        "có", "co", "yes", "y", "1", "true", "x", "đạt", "đúng", "done",
    ];
    const NO: &[&str] = &[
        "không",
        "khong",
        "no",
        "n",
        "0",
        "false",
        "không đạt",
        "chưa",
        "sai",
    ];
    let t = nfc(text);
    let t = t.trim();
    if one_of(t, YES) {
        Some(true)
    } else if one_of(t, NO) {
        Some(false)
    } else {
        None
    }
}

/// The most significant digits, and the most decimals, that the engine carries exactly.
pub const MAX_DIGITS: usize = 28;

/// Why a text is not an exact decimal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Not written as a number at all: letters, a `_`, two points, nothing.
    #[error("not a number")]
    NotANumber,
    /// A number, but one that the engine cannot carry exactly; the text says why.
    #[error("{0}")]
    Inexact(String),
}

/// Reads a decimal number exactly, or refuses it: `[+-]digits[.digits]`, and with `exponent`
/// also `[eE][+-]digits` after it. Nothing else is a number: no `_` between digits, no
/// thousands separator, no blank inside.
///
/// A number is never rounded: one with more than [`MAX_DIGITS`] significant digits, or more
/// than [`MAX_DIGITS`] decimals (zeros at its end aside), is refused with the reason, because
/// rounding `49.999…9` to `50` would change which tier a value falls in.
///
/// ```
/// use parindex_core::value::{exact_decimal, DecimalError};
/// assert_eq!(exact_decimal("87.50", false)?.to_string(), "87.50");
/// assert_eq!(exact_decimal("1.5e2", true)?.to_string(), "150");
/// assert_eq!(exact_decimal("8_7.5", false), Err(DecimalError::NotANumber));
/// assert!(matches!(exact_decimal("49.99999999999999999999999999999", false), Err(DecimalError::Inexact(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn exact_decimal(text: &str, exponent: bool) -> Result<Decimal, DecimalError> {
    let t = text.trim();
    let (negative, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if let Some(short) = short_decimal(negative, body) {
        return Ok(short);
    }
    let (mantissa, power) = match body.find(['e', 'E']) {
        Some(at) if exponent => {
            let written = &body[at + 1..];
            let digits = written.strip_prefix(['+', '-']).unwrap_or(written);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DecimalError::NotANumber);
            }
            // An exponent of more than four digits is far outside what a decimal holds.
            if digits.len() > 4 {
                return Err(DecimalError::Inexact(format!(
                    "\"{t}\" is beyond the numbers the engine carries"
                )));
            }
            let power: i64 = written.parse().map_err(|_| DecimalError::NotANumber)?;
            (&body[..at], power)
        }
        _ => (body, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return Err(DecimalError::NotANumber);
    }
    // value = digits × 10^-scale
    let mut digits: String = whole.chars().chain(fraction.chars()).collect();
    let mut scale = i64::try_from(fraction.len()).unwrap_or(i64::MAX) - power;
    let significant = |d: &str| d.trim_start_matches('0').len();
    if scale < 0 {
        if significant(&digits) > 0 {
            let zeros = usize::try_from(-scale).unwrap_or(usize::MAX);
            if significant(&digits).saturating_add(zeros) > MAX_DIGITS {
                return Err(DecimalError::Inexact(format!(
                    "\"{t}\" has more than {MAX_DIGITS} digits; numbers are read exactly, to at most {MAX_DIGITS} digits"
                )));
            }
            digits.extend(std::iter::repeat_n('0', zeros));
        }
        scale = 0;
    }
    // Zeros at the end of the decimals change nothing: they are checked without, and kept as
    // written where they fit (`87.50` stays `87.50`).
    let written_scale = scale;
    while scale > 0 && digits.ends_with('0') {
        digits.pop();
        scale -= 1;
    }
    let kept = significant(&digits);
    if kept == 0 {
        return Ok(Decimal::ZERO);
    }
    if kept > MAX_DIGITS {
        return Err(DecimalError::Inexact(format!(
            "\"{t}\" has {kept} significant digits; numbers are read exactly, to at most {MAX_DIGITS}"
        )));
    }
    if scale > MAX_DIGITS as i64 {
        return Err(DecimalError::Inexact(format!(
            "\"{t}\" has more than {MAX_DIGITS} decimals; numbers are read exactly, to at most {MAX_DIGITS} decimals"
        )));
    }
    let mut width = kept;
    while scale < written_scale && scale < MAX_DIGITS as i64 && width < MAX_DIGITS {
        digits.push('0');
        scale += 1;
        width += 1;
    }
    let mut mantissa: i128 = digits
        .trim_start_matches('0')
        .parse()
        .map_err(|_| DecimalError::NotANumber)?;
    if negative {
        mantissa = -mantissa;
    }
    let scale = u32::try_from(scale).map_err(|_| DecimalError::NotANumber)?;
    Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| {
        DecimalError::Inexact(format!("\"{t}\" is beyond the numbers the engine carries"))
    })
}

/// The common case of [`exact_decimal`], read without building a string: at most 18 digits,
/// an optional point, no exponent. It gives the same decimal the general reading gives, with
/// the scale as written; `None` for anything else.
fn short_decimal(negative: bool, body: &str) -> Option<Decimal> {
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let digits = whole.len() + fraction.len();
    if digits == 0 || digits > 18 {
        return None;
    }
    let mut mantissa: u64 = 0;
    for b in whole.bytes().chain(fraction.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + u64::from(b - b'0');
    }
    if mantissa == 0 {
        return Some(Decimal::ZERO);
    }
    let signed = if negative {
        -i128::from(mantissa)
    } else {
        i128::from(mantissa)
    };
    Decimal::try_from_i128_with_scale(signed, u32::try_from(fraction.len()).ok()?).ok()
}

/// Reads a decimal as offices write it: `87.5`, or with a decimal comma the Vietnamese way
/// (`85,5`, `0,5 điểm`). A comma that could be a thousands separator (`1,500`: 1.5 or 1500?)
/// is refused, with a hint. The number is read exactly ([`exact_decimal`]).
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    let number = strip_points_word(t);
    let number = decimal_comma(number).map_err(|hint| format!("\"{t}\" {hint}"))?;
    exact_decimal(&number, false).map_err(|e| match e {
        DecimalError::NotANumber => format!("\"{t}\" is not a number"),
        DecimalError::Inexact(message) => message,
    })
}

/// `0,5 điểm` → `0,5`: the unit an office may write after points.
fn strip_points_word(text: &str) -> &str {
    const WORD: &str = "điểm";
    // Only a text that ends in a letter can end in the word; digits are the common case.
    if text.ends_with(|c: char| c.is_ascii_digit() || c == '%') {
        return text;
    }
    let lower = text.to_lowercase();
    match lower.strip_suffix(WORD) {
        Some(rest) if !rest.trim().is_empty() => text[..rest.len()].trim_end(),
        _ => text,
    }
}

/// A number written with a decimal comma (`85,5`, `0,125`) as the same number with a point;
/// an error, the hint, when the comma could also be a thousands separator (`1,500`).
fn decimal_comma(number: &str) -> Result<Cow<'_, str>, String> {
    let Some((whole, fraction)) = number.split_once(',') else {
        return Ok(Cow::Borrowed(number));
    };
    let digits = whole.trim_start_matches(['-', '+']);
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if number.contains('.') || fraction.contains(',') || !plain(digits) || !plain(fraction) {
        return Err("mixes separators: write the number with one decimal point (85.5)".to_owned());
    }
    // 1,500 groups thousands as often as it writes 1.5; 0,500 and 85,5 can only be decimals.
    if fraction.len() == 3 && digits.len() <= 3 && !digits.starts_with('0') {
        return Err(format!(
            "could be {whole}.{fraction} or {whole}{fraction}: write it with a decimal point ({whole}.{fraction}) or without a separator ({whole}{fraction})"
        ));
    }
    Ok(Cow::Owned(format!("{whole}.{fraction}")))
}

/// Reads a share of a whole: `87.5`, `87.5%` or `45/50`, within [0, 100]%. A bare number
/// strictly between 0 and 1 (`0.875`) is refused as ambiguous: `87.5%` or `0.875%`?
pub fn parse_percent(text: &str) -> Result<Value, String> {
    parse_share(text, false)
}

/// Reads a share like [`parse_percent`]; with `over_100`, a share above 100% (`110%`, `11/10`)
/// is read as written, for a rule that counts it as 100% ("100% or more").
pub fn parse_share(text: &str, over_100: bool) -> Result<Value, String> {
    let t = text.trim();
    let not_a_percent = || format!("\"{t}\" is not a percentage (write 87.5, 87.5% or 45/50)");
    let value = if let Some((num, den)) = t.split_once('/') {
        let part = |p: &str| {
            exact_decimal(p, false).map_err(|e| match e {
                DecimalError::NotANumber => not_a_percent(),
                DecimalError::Inexact(message) => message,
            })
        };
        let numerator = part(num)?;
        let denominator = part(den)?;
        if denominator <= Decimal::ZERO {
            return Err(format!("\"{t}\" has a denominator that is not positive"));
        }
        if numerator < Decimal::ZERO || (numerator > denominator && !over_100) {
            return Err(format!("\"{t}\" is outside 0–100%"));
        }
        Value::Ratio {
            numerator,
            denominator,
        }
    } else {
        let written = t.strip_suffix('%').unwrap_or(t).trim();
        let number = decimal_comma(written).map_err(|hint| format!("\"{t}\" {hint}"))?;
        let n = exact_decimal(&number, false).map_err(|e| match e {
            DecimalError::NotANumber => not_a_percent(),
            DecimalError::Inexact(message) => message,
        })?;
        if n < Decimal::ZERO || (n > Decimal::ONE_HUNDRED && !over_100) {
            return Err(format!("\"{t}\" is outside 0–100%"));
        }
        // 0.875 is what a spreadsheet or a frame holds for 87.5%; read as 0.875% it would
        // score a unit at almost nothing without a word. Only a percent sign settles it.
        if written.len() == t.len() && n > Decimal::ZERO && n < Decimal::ONE {
            let n = n.normalize();
            let percent = (n * Decimal::ONE_HUNDRED).normalize();
            return Err(format!(
                "\"{t}\" is ambiguous: write {percent}% if it is a fraction of 1, or {n}% if it is under one percent (or declare that percentages are fractions of 1: percents = fraction)"
            ));
        }
        Value::Number(n)
    };
    Ok(value)
}

/// Reads a count: a whole number, at least 0.
pub fn parse_count(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    match t.parse::<u64>() {
        Ok(n) => Ok(Decimal::from(n)),
        Err(_) => Err(format!(
            "\"{t}\" is not a count (a whole number, 0 or more)"
        )),
    }
}

/// Reads survey responses: a share (`85%`, `17/20`), counts (`A=10 B=5`), or parts per group
/// separated by `;` (`citizens: A=10 B=5; businesses: 80%`). Group and option names are read
/// into NFC.
pub fn parse_survey(text: &str) -> Result<Survey, String> {
    let text = nfc(text);
    let mut survey = Survey::default();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (group, body) = match part.split_once(':') {
            Some((g, b)) => (Some(g.trim().to_owned()), b.trim()),
            None => (None, part),
        };
        let responses = if body.contains('=') {
            let mut counts = Vec::new();
            for pair in body.split([' ', ',']).filter(|p| !p.is_empty()) {
                let (option, count) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("\"{pair}\" is not an answer count (write A=10)"))?;
                counts.push((option.trim().to_owned(), parse_count(count)?));
            }
            counts.shrink_to_fit();
            Responses::Counts(counts)
        } else {
            match parse_percent(body)? {
                Value::Ratio {
                    numerator,
                    denominator,
                } => Responses::Share {
                    satisfied: numerator,
                    respondents: denominator,
                },
                Value::Number(n) => Responses::Share {
                    satisfied: n,
                    respondents: Decimal::ONE_HUNDRED,
                },
                _ => return Err(format!("\"{body}\" is not a survey result")),
            }
        };
        survey.parts.push((group, responses));
    }
    if survey.parts.is_empty() {
        return Err("empty survey result".to_owned());
    }
    // Kept for the whole run, one per unit and survey leaf: no spare capacity.
    survey.parts.shrink_to_fit();
    Ok(survey)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().expect("decimal")
    }

    /// The short reading gives what the general one gives (reached here through an
    /// exponent of 0), to the scale, for every shape of short number.
    #[test]
    fn short_numbers_read_as_the_general_reading_does() {
        let mut texts = vec![
            "0",
            "-0",
            "00",
            "0.0",
            "0.50",
            "-0.000",
            "7",
            "007",
            "87.5",
            "87.50",
            "100",
            "-12.25",
            "+3.0",
            "999999999999999999",
            "0.000000000000000001",
            "12345678.9012345678",
            ".5",
            "5.",
            "1.2.3",
            "",
            ".",
            "-",
            "1e2",
            "½",
            "١٢",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        for whole in ["", "0", "1", "10", "120", "9876543210"] {
            for fraction in ["", "0", "5", "50", "125", "00001", "1234567890"] {
                texts.push(format!("{whole}.{fraction}"));
                texts.push(format!("-{whole}{fraction}"));
            }
        }
        for text in &texts {
            let short = exact_decimal(text, false).map(|d| d.to_string());
            let general = exact_decimal(&format!("{text}e0"), true).map(|d| d.to_string());
            assert_eq!(short, general, "{text:?}");
        }
    }

    #[test]
    fn reads_percent_forms() {
        assert_eq!(parse_percent("87.5"), Ok(Value::Number(d("87.5"))));
        assert_eq!(parse_percent(" 87.5% "), Ok(Value::Number(d("87.5"))));
        assert_eq!(
            parse_percent("45/50"),
            Ok(Value::Ratio {
                numerator: d("45"),
                denominator: d("50")
            })
        );
    }

    #[test]
    fn refuses_bad_percents_with_the_reason() {
        assert_eq!(
            parse_percent("1,500%").unwrap_err(),
            "\"1,500%\" could be 1.500 or 1500: write it with a decimal point (1.500) or without a separator (1500)"
        );
        assert_eq!(
            parse_percent("101").unwrap_err(),
            "\"101\" is outside 0–100%"
        );
        assert_eq!(
            parse_percent("51/50").unwrap_err(),
            "\"51/50\" is outside 0–100%"
        );
        assert_eq!(
            parse_percent("3/0").unwrap_err(),
            "\"3/0\" has a denominator that is not positive"
        );
        assert!(parse_percent("most").is_err());
    }

    #[test]
    fn numbers_are_read_exactly_or_refused() {
        assert_eq!(parse_decimal("87.5"), Ok(d("87.5")));
        assert_eq!(parse_decimal("-0.25"), Ok(d("-0.25")));
        assert_eq!(parse_decimal(".5"), Ok(d("0.5")));
        assert_eq!(parse_decimal("5."), Ok(d("5")));
        assert_eq!(
            parse_decimal("90.000000000000000000000000000000"),
            Ok(d("90"))
        );
        assert_eq!(
            parse_decimal("8_7.5").unwrap_err(),
            "\"8_7.5\" is not a number"
        );
        assert_eq!(
            parse_decimal("1 000").unwrap_err(),
            "\"1 000\" is not a number"
        );
        assert_eq!(parse_decimal("1e5").unwrap_err(), "\"1e5\" is not a number");
        assert_eq!(parse_decimal("--1").unwrap_err(), "\"--1\" is not a number");
        assert_eq!(parse_decimal("").unwrap_err(), "\"\" is not a number");
        assert_eq!(
            parse_decimal("49.99999999999999999999999999999").unwrap_err(),
            "\"49.99999999999999999999999999999\" has 31 significant digits; numbers are read exactly, to at most 28"
        );
        assert_eq!(
            parse_decimal("0.00000000000000000000000000001").unwrap_err(),
            "\"0.00000000000000000000000000001\" has more than 28 decimals; numbers are read exactly, to at most 28 decimals"
        );
        assert_eq!(
            exact_decimal("1e-30", true),
            Err(DecimalError::Inexact(
                "\"1e-30\" has more than 28 decimals; numbers are read exactly, to at most 28 decimals"
                    .to_owned()
            ))
        );
        assert_eq!(exact_decimal("1.25E+3", true), Ok(d("1250")));
        assert!(matches!(
            exact_decimal("0e99999", true),
            Err(DecimalError::Inexact(_))
        ));
        assert!(matches!(
            exact_decimal("1e40", true),
            Err(DecimalError::Inexact(_))
        ));
        assert_eq!(
            parse_percent("8_7.5%").unwrap_err(),
            "\"8_7.5%\" is not a percentage (write 87.5, 87.5% or 45/50)"
        );
        assert!(parse_percent("49.99999999999999999999999999999").is_err());
    }

    #[test]
    fn reads_yes_no_in_both_languages() {
        for yes in ["có", "Có", "yes", "1", "TRUE", "x"] {
            assert_eq!(parse_bool(yes), Some(true), "{yes}");
        }
        for no in ["không", "No", "0", "false"] {
            assert_eq!(parse_bool(no), Some(false), "{no}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn reads_decomposed_marks_as_the_composed_word() {
        // As composing keyboards and pasted text write them: a base letter, then its marks.
        assert_eq!(parse_bool("co\u{301}"), Some(true));
        assert_eq!(parse_bool("C\u{301}"), None, "not a word");
        assert_eq!(parse_bool("CO\u{301}"), Some(true));
        assert_eq!(parse_bool("kho\u{302}ng"), Some(false));
        assert_eq!(parse_bool("kho\u{302}ng đa\u{323}t"), Some(false));
        assert_eq!(parse_bool("đu\u{301}ng"), Some(true));
        assert!(is_not_applicable("kho\u{302}ng a\u{301}p du\u{323}ng"));
        assert!(is_not_applicable(" Kho\u{302}ng A\u{301}p Du\u{323}ng "));
        let survey = parse_survey("ngu\u{31b}o\u{31b}\u{300}i da\u{302}n: A=3").expect("survey");
        assert_eq!(survey.parts[0].0.as_deref(), Some("người dân"));
    }

    #[test]
    fn knows_not_applicable() {
        for na in ["N/A", "n/a", "KAD", "Không áp dụng", "NA"] {
            assert!(is_not_applicable(na), "{na}");
        }
        assert!(!is_not_applicable("0"));
    }

    #[test]
    fn reads_counts_and_surveys() {
        assert_eq!(parse_count("3"), Ok(d("3")));
        assert!(parse_count("-1").is_err());
        assert!(parse_count("2.5").is_err());
        let survey = parse_survey("citizens: A=10 B=5; businesses: 17/20").expect("survey");
        assert_eq!(survey.parts.len(), 2);
        assert_eq!(survey.to_string(), "citizens: A=10 B=5; businesses: 17/20");
        assert_eq!(
            parse_survey("85%").expect("share").parts[0].1,
            Responses::Share {
                satisfied: d("85"),
                respondents: d("100")
            }
        );
    }

    #[test]
    fn decimal_commas_read_where_unambiguous() {
        assert_eq!(parse_percent("85,5%"), Ok(Value::Number(d("85.5"))));
        assert_eq!(parse_percent("87,5"), Ok(Value::Number(d("87.5"))));
        assert_eq!(parse_decimal("0,5 điểm"), Ok(d("0.5")));
        assert_eq!(parse_decimal("0,5 Điểm"), Ok(d("0.5")));
        assert_eq!(parse_decimal("0,500"), Ok(d("0.5")));
        assert_eq!(parse_decimal("1234,5"), Ok(d("1234.5")));
        assert_eq!(
            parse_decimal("1,500").unwrap_err(),
            "\"1,500\" could be 1.500 or 1500: write it with a decimal point (1.500) or without a separator (1500)"
        );
        assert_eq!(
            parse_decimal("1.234,5").unwrap_err(),
            "\"1.234,5\" mixes separators: write the number with one decimal point (85.5)"
        );
        assert!(parse_decimal("điểm").is_err());
        // A fraction written with a comma is as ambiguous as with a point.
        assert!(parse_percent("0,875").unwrap_err().contains("is ambiguous"));
    }
}
