//! The cell grammar: how one cell, from any door, becomes the text a criterion's rule reads.
//!
//! Every door hands cells over as [`CellValue`]s: a CSV field is text; a workbook cell is
//! text, a number, a boolean, a date or an Excel error; a JSON value or a Python object is
//! text, a number, a boolean, a date or nothing. This module is the only place where such a
//! value is turned into text for the core's readers, so a value reads the same whatever the
//! door:
//!
//! - **Unicode**: text is NFC-normalised, so `có` typed composed or decomposed is one word.
//! - **Binary floats** (from Excel, pandas, polars or JSON) are read as Excel shows them, at
//!   15 significant digits: `0.1 + 0.2` is `0.3`. A float is never read digit for digit.
//! - **Percentages**: a bare number on a criterion measured in percent is a percentage
//!   (`87.5` is 87.5%), unless the caller declares that percentages arrive as fractions of 1
//!   ([`PercentScale::Fraction`]: `0.875` is 87.5%). A bare number between 0 and 1 is refused
//!   as ambiguous under the default scale (the core's reader says so), never read as 0.875%.
//! - **Dates**: a date cell is read as a date where the criterion takes one, and refused
//!   elsewhere; a number on a date criterion is refused (it is Excel's day count).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use compact_str::CompactString;
pub(crate) use parindex_core::text::nfc;
use parindex_core::{InputShape, Rule};
use rust_decimal::Decimal;

/// One cell as a door hands it over, before a criterion's rule reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// Nothing: a missing value.
    Empty,
    /// Text, as typed: kept in place when short (24 bytes, most cells), so that a table of
    /// answers is read without an allocation per cell.
    Text(CompactString),
    /// A binary float: a number cell of a workbook, a JSON number, a float of a frame.
    Number(f64),
    /// A boolean cell.
    Bool(bool),
    /// A calendar date.
    Date {
        /// The year.
        year: i32,
        /// The month, 1–12.
        month: u32,
        /// The day, 1–31.
        day: u32,
    },
    /// An Excel error value such as `#N/A` or `#DIV/0!`.
    Error(String),
}

impl CellValue {
    /// Whether the cell is empty or holds only blanks.
    pub fn is_empty(&self) -> bool {
        match self {
            CellValue::Empty => true,
            CellValue::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as plain text, NFC, without surrounding blanks: for ids, names, headers,
    /// stages and attributes.
    pub(crate) fn plain(&self) -> Cow<'_, str> {
        match self {
            CellValue::Empty => Cow::Borrowed(""),
            CellValue::Text(t) => nfc(t.trim()),
            CellValue::Number(x) => {
                Cow::Owned(float_to_decimal(*x).map_or_else(|| x.to_string(), |d| d.to_string()))
            }
            CellValue::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            CellValue::Date { year, month, day } => {
                Cow::Owned(format!("{day:02}/{month:02}/{year:04}"))
            }
            CellValue::Error(e) => Cow::Owned(e.clone()),
        }
    }
}

/// How a bare number on a criterion measured in percent is read.
///
/// ```
/// use parindex_io::PercentScale;
/// let scale: PercentScale = "fraction".parse()?;
/// assert_eq!(scale, PercentScale::Fraction);
/// assert_eq!(PercentScale::default().as_str(), "percent");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PercentScale {
    /// `87.5` is 87.5%; a bare number strictly between 0 and 1 is refused as ambiguous.
    #[default]
    Percent,
    /// `0.875` is 87.5% and `1` is 100%: how pandas, polars and Excel hold a column
    /// formatted as a percentage. A bare number above 1 is refused.
    Fraction,
}

impl PercentScale {
    /// Every scale, in order.
    pub const ALL: [PercentScale; 2] = [PercentScale::Percent, PercentScale::Fraction];

    /// The scale's name: `percent` or `fraction`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PercentScale::Percent => "percent",
            PercentScale::Fraction => "fraction",
        }
    }
}

impl fmt::Display for PercentScale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a [`PercentScale`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a percent scale (percent or fraction)")]
pub struct UnknownPercentScale(pub String);

impl FromStr for PercentScale {
    type Err = UnknownPercentScale;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        PercentScale::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownPercentScale(text.to_owned()))
    }
}

/// How the cells of a run are read: the options every door shares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// How a bare number on a percent criterion is read.
    pub percents: PercentScale,
}

/// A float as the decimal Excel shows: 15 significant digits.
pub(crate) fn float_to_decimal(x: f64) -> Option<Decimal> {
    if !x.is_finite() {
        return None;
    }
    let text = format!("{x:.14e}");
    Decimal::from_scientific(&text).ok().map(|d| d.normalize())
}

/// What reading a cell needs to know of its leaf's rule, asked of the rule's input shape once
/// per leaf rather than once per cell.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeafReading {
    /// A bare number is a percentage.
    pub(crate) percent: bool,
    /// A date may be given.
    pub(crate) date: bool,
    /// A date cell is kept as a date: the rule takes dates, or a branch's case decides.
    pub(crate) date_cell: bool,
    /// The rule compares with the unit's own year before (`80 → 85`).
    pub(crate) trend: bool,
    /// The check code of a value the rule refuses ([`crate::InputProblem::check`]).
    pub(crate) check: &'static str,
}

impl LeafReading {
    /// A leaf without a rule: nothing is read into it.
    pub(crate) const NONE: LeafReading = LeafReading {
        percent: false,
        date: false,
        date_cell: false,
        trend: false,
        check: "value-number",
    };

    /// How a cell for `rule` is read.
    pub(crate) fn of(rule: &Rule) -> Self {
        let shape = rule.input();
        LeafReading {
            percent: shape.measures_percent(),
            date: shape.takes_date(),
            date_cell: matches!(shape, InputShape::Date { .. } | InputShape::ByCase),
            trend: shape == InputShape::Trend,
            check: shape.check_code(),
        }
    }
}

/// The text a leaf's rule reads, from a cell.
/// [`leaf_text`] of a text cell: the text in NFC, or a fraction typed where percents are
/// read as fractions as its percent.
pub(crate) fn typed_leaf_text(
    typed: &str,
    reading: LeafReading,
    options: ReadOptions,
) -> Result<Cow<'_, str>, String> {
    let t = nfc(typed);
    if reading.percent && options.percents == PercentScale::Fraction {
        if let Some(n) = bare_number(&t) {
            return fraction_as_percent(n).map(Cow::Owned);
        }
    }
    Ok(t)
}

pub(crate) fn leaf_text(
    cell: &CellValue,
    reading: LeafReading,
    options: ReadOptions,
) -> Result<Cow<'_, str>, String> {
    let percent = reading.percent;
    match cell {
        CellValue::Empty => Ok(Cow::Borrowed("")),
        CellValue::Text(t) => typed_leaf_text(t, reading, options),
        CellValue::Bool(b) => Ok(Cow::Borrowed(if *b { "có" } else { "không" })),
        CellValue::Number(x) if reading.date => {
            // A date typed into a General cell keeps Excel's day count.
            let shown = float_to_decimal(*x).map_or_else(|| format!("{x:e}"), |d| d.to_string());
            let counted = date_of_serial(*x)
                .map(|(y, m, d)| format!(" (Excel's day number of {d:02}/{m:02}/{y:04})"))
                .unwrap_or_default();
            Err(format!(
                "is the number {shown}{counted}, not a date: format the cell as a date (dd/mm/yyyy) or type the date as text"
            ))
        }
        CellValue::Number(x) => {
            let n = float_to_decimal(*x).ok_or_else(|| format!("the number {x:e} is too large"))?;
            if percent && options.percents == PercentScale::Fraction {
                fraction_as_percent(n).map(Cow::Owned)
            } else {
                Ok(Cow::Owned(n.to_string()))
            }
        }
        CellValue::Date { year, month, day } => {
            let (y, m, d) = (year, month, day);
            if reading.date_cell {
                Ok(Cow::Owned(format!("{d:02}/{m:02}/{y:04}")))
            } else if percent {
                Err(format!(
                    "Excel turned this cell into the date {d:02}/{m:02}/{y:04}: if it is a ratio such as {d}/{m}, type it as text ('{d}/{m}) or as a percentage"
                ))
            } else {
                Err(format!(
                    "is the date {d:02}/{m:02}/{y:04}, but this criterion does not take a date"
                ))
            }
        }
        CellValue::Error(e) => Err(format!(
            "the cell holds the Excel error {e}: write N/A (without #) for not applicable, or the value"
        )),
    }
}

/// A text that is only a number (`0.875`, ` 1 `), without `%` or `/`.
fn bare_number(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    t.parse().ok()
}

/// A fraction of 1 as percentage text: `0.875` → `87.5%`.
fn fraction_as_percent(n: Decimal) -> Result<String, String> {
    if n < Decimal::ZERO || n > Decimal::ONE {
        return Err(format!(
            "{n} is outside 0–1, but percentages are declared as fractions of 1 (percents = fraction): write it as {}",
            n.normalize()
        ) + "%");
    }
    Ok(format!("{}%", (n * Decimal::ONE_HUNDRED).normalize()))
}

/// The calendar date of an Excel serial day number (1900 system, from 1900-03-01).
pub(crate) fn date_of_serial(serial: f64) -> Option<(i32, u32, u32)> {
    if !serial.is_finite() || !(61.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    // Days since 1970-01-01: serial 25569 is 1970-01-01.
    let days = serial.floor() as i64 - 25_569;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    Some((
        i32::try_from(y).ok()?,
        u32::try_from(m).ok()?,
        u32::try_from(d).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use parindex_core::{Direct, Proportional};

    fn text(cell: &CellValue, rule: &Rule, percents: PercentScale) -> Result<String, String> {
        leaf_text(cell, LeafReading::of(rule), ReadOptions { percents }).map(Cow::into_owned)
    }

    fn percent_rule() -> Rule {
        Rule::Proportional(Proportional {
            target: None,
            floor: None,
            cap: None,
            round: None,
            clip: false,
        })
    }

    #[test]
    fn floats_read_as_excel_shows_them() {
        let shown = |x: f64| float_to_decimal(x).map(|d| d.to_string());
        assert_eq!(shown(0.875).as_deref(), Some("0.875"));
        assert_eq!(shown(0.1 + 0.2).as_deref(), Some("0.3"));
        assert_eq!(shown(87.5).as_deref(), Some("87.5"));
        assert_eq!(shown(12.0).as_deref(), Some("12"));
        assert_eq!(shown(f64::NAN), None);
    }

    #[test]
    fn excel_serials_are_dates() {
        assert_eq!(date_of_serial(45_306.0), Some((2024, 1, 15)));
        assert_eq!(date_of_serial(25_569.0), Some((1970, 1, 1)));
        assert_eq!(date_of_serial(60.0), None);
    }

    #[test]
    fn text_is_nfc() {
        let rule = Rule::Direct(Direct {
            min: None,
            step: None,
        });
        let decomposed = CellValue::Text("co\u{301}".into());
        assert_eq!(
            text(&decomposed, &rule, PercentScale::Percent).as_deref(),
            Ok("có")
        );
        assert_eq!(decomposed.plain(), "có");
    }

    #[test]
    fn percent_scales() {
        let rule = percent_rule();
        let number = |x: f64, scale| text(&CellValue::Number(x), &rule, scale);
        // The default scale hands the number over as written; the core refuses 0.875.
        assert_eq!(number(87.5, PercentScale::Percent).as_deref(), Ok("87.5"));
        assert_eq!(number(0.875, PercentScale::Percent).as_deref(), Ok("0.875"));
        assert_eq!(
            number(0.875, PercentScale::Fraction).as_deref(),
            Ok("87.5%")
        );
        assert_eq!(number(1.0, PercentScale::Fraction).as_deref(), Ok("100%"));
        assert_eq!(
            number(0.1 + 0.2, PercentScale::Fraction).as_deref(),
            Ok("30%")
        );
        assert!(number(87.5, PercentScale::Fraction).is_err());
        let typed = |t: &str, scale| text(&CellValue::Text(t.into()), &rule, scale);
        assert_eq!(
            typed("0.875", PercentScale::Fraction).as_deref(),
            Ok("87.5%")
        );
        // An explicit percent sign or ratio is never rescaled.
        assert_eq!(typed("0.5%", PercentScale::Fraction).as_deref(), Ok("0.5%"));
        assert_eq!(
            typed("45/50", PercentScale::Fraction).as_deref(),
            Ok("45/50")
        );
    }

    #[test]
    fn scale_names_round_trip() {
        for scale in PercentScale::ALL {
            assert_eq!(scale.as_str().parse::<PercentScale>(), Ok(scale));
        }
        assert!("percentage".parse::<PercentScale>().is_err());
    }
}
