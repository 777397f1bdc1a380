//! A programme's targets against what was measured: met, on track, behind or no data.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::names::named;
use crate::text::nfc;
use crate::value::parse_bool;

use super::{Programme, Target, TargetUnit, TargetValue};

/// A value measured for a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measured {
    /// A number in the target's unit: a percent, a count, an index.
    Number(Decimal),
    /// Done or not, met or not: a unit's yes or no.
    Yes(bool),
    /// A word, for a target in words: `completed`, `achieved`.
    Text(String),
}

impl std::fmt::Display for Measured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Measured::Number(n) => write!(f, "{}", n.normalize()),
            Measured::Yes(true) => f.write_str("yes"),
            Measured::Yes(false) => f.write_str("no"),
            Measured::Text(t) => f.write_str(t),
        }
    }
}

/// One measured value: for a target, a year, and a unit or the whole population.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The target's id.
    pub target: String,
    /// The year measured.
    pub year: i32,
    /// The unit measured; `None` for the population as a whole.
    pub unit: Option<String>,
    /// The value.
    pub value: Measured,
    /// Where it came from, for the report: a table and its line, a results document and node,
    /// a plan and task.
    pub from: String,
}

/// Where a target stands in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetStatus {
    /// The measured value meets the target.
    Met,
    /// Not met yet, but the deadline is still ahead and the value is on the straight line
    /// from the baseline to the target, or beyond it.
    OnTrack,
    /// Not met, and the deadline has come (or the target is yearly), or the value is short of
    /// the straight line to the target.
    Behind,
    /// Nothing was measured for the year.
    NoData,
}

named!(TargetStatus, "target status", {
    Met => "met",
    OnTrack => "on-track",
    Behind => "behind",
    NoData => "no-data",
});

/// One target's standing in a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetReport {
    /// The target's id.
    pub target: String,
    /// The year reported.
    pub year: i32,
    /// Met, on track, behind or no data.
    pub status: TargetStatus,
    /// The value measured for the population: the value given for it as a whole, or, from
    /// values per unit, the share (or count) of units that meet the target.
    pub value: Option<Measured>,
    /// For values per unit: the units that meet the target, and the units measured.
    pub units: Option<(usize, usize)>,
    /// The value, as the report shows it: `94.44% (17 of 18 units)`, `completed`.
    pub shown: String,
    /// Where the values came from.
    pub from: Vec<String>,
    /// Before the deadline, the value the straight line from the baseline to the target asks
    /// for in this year.
    pub expected: Option<Decimal>,
    /// Why the status, in words.
    pub reason: String,
}

/// The measurement of one target in one year, reduced to one value.
struct Reduced {
    /// The value compared with the target.
    value: Measured,
    /// The units meeting the target, of those measured, when measured per unit.
    units: Option<(usize, usize)>,
    /// Whether the target is met.
    met: bool,
    /// A number to follow over the years: the value, or the share of units meeting it.
    progress: Option<Decimal>,
    /// Whether the value is the share of units that meet the target (followed towards 100%)
    /// rather than a figure of the target's own.
    share_of_units: bool,
    from: Vec<String>,
}

/// Words that say a target in words is done.
fn done_word(word: &str, target: &TargetValue) -> bool {
    let word = nfc(word).trim().to_lowercase();
    if let TargetValue::Word(expected) = target {
        if word == nfc(expected).trim().to_lowercase() {
            return true;
        }
    }
    parse_bool(&word) == Some(true)
        || matches!(
            word.as_str(),
            "completed" | "achieved" | "operational" | "met" | "hoàn thành" | "đã hoàn thành"
        )
}

fn percent(part: usize, whole: usize) -> Decimal {
    if whole == 0 {
        return Decimal::ZERO;
    }
    Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole)
}

fn two(x: Decimal) -> String {
    crate::Rounding::HalfAwayFromZero
        .round(x, 2)
        .normalize()
        .to_string()
}

impl Target {
    /// Whether one measured value meets the target.
    fn meets(&self, value: &Measured) -> bool {
        match (value, &self.value) {
            (Measured::Number(x), TargetValue::Number(v)) => self.comparator.holds(*x, *v),
            // A number for a target in words: a percent of completion.
            (Measured::Number(x), TargetValue::Word(_)) => *x >= Decimal::ONE_HUNDRED,
            (Measured::Yes(b), _) => *b,
            (Measured::Text(t), target) => done_word(t, target),
        }
    }

    /// The observations of one year reduced to the value compared with the target.
    fn reduce(&self, observations: &[&Observation]) -> Option<Reduced> {
        let mut from: Vec<String> = Vec::new();
        for o in observations {
            if !from.contains(&o.from) {
                from.push(o.from.clone());
            }
        }
        let mut per_unit: BTreeMap<&str, &Measured> = BTreeMap::new();
        for o in observations {
            if let Some(unit) = &o.unit {
                per_unit.entry(unit.as_str()).or_insert(&o.value);
            }
        }
        let meeting = per_unit.values().filter(|v| self.meets(v)).count();
        let units = (!per_unit.is_empty()).then_some((meeting, per_unit.len()));
        if let Some(whole) = observations.iter().find(|o| o.unit.is_none()) {
            let progress = match &whole.value {
                Measured::Number(x) => Some(*x),
                _ => None,
            };
            return Some(Reduced {
                met: self.meets(&whole.value),
                value: whole.value.clone(),
                units,
                progress,
                share_of_units: false,
                from,
            });
        }
        let (meeting, count) = units?;
        let share = percent(meeting, count);
        let numbers = per_unit.values().all(|v| matches!(v, Measured::Number(_)));
        // Values per unit that say yes or no: the share (or count) of units with yes is what
        // the target's figure counts. Numbers per unit: each unit against the target, which is
        // met when every unit meets it.
        let (value, met, share_of_units) = match (numbers, self.unit, &self.value) {
            (false, TargetUnit::Percent, TargetValue::Number(v)) => {
                (share, self.comparator.holds(share, *v), false)
            }
            (false, TargetUnit::Count, TargetValue::Number(v)) => {
                let n = Decimal::from(meeting);
                (n, self.comparator.holds(n, *v), false)
            }
            _ => (share, meeting == count, true),
        };
        Some(Reduced {
            value: Measured::Number(value),
            units: Some((meeting, count)),
            met,
            progress: Some(value),
            share_of_units,
            from,
        })
    }

    /// The value the progress is followed towards: the target's number, or 100% of units.
    fn goal(&self, reduced: &Reduced) -> Option<Decimal> {
        match (&self.value, reduced.share_of_units) {
            (_, true) => Some(Decimal::ONE_HUNDRED),
            (TargetValue::Number(v), false) => Some(*v),
            (TargetValue::Word(_), false) => None,
        }
    }
}

impl Programme {
    /// Each target's standing in `year`, in the programme's order, from `observations` (of
    /// any years: earlier years give the starting point of the line to the target).
    ///
    /// - **no data**: nothing measured for the target in `year`;
    /// - **met**: the measured value meets the target. A value for the whole population is
    ///   compared as it is. Values per unit that say yes or no give the share of units with
    ///   yes (a percent target: "100% of districts" when 17 of 18 do is 94.44%), or their count
    ///   (a count target), or all of them (a target in words); numbers per unit are each
    ///   compared with the target, which is met when every unit meets it;
    /// - **on track**: not met, the target is due after `year`, and the value is at least
    ///   what the straight line from the baseline to the target asks for in `year` (at most,
    ///   for `<` and `<=`). The baseline is the target's own, else the earliest year measured
    ///   before `year`, else zero at the start of the programme's period; a target in words,
    ///   or one where lower is better without a baseline, is on track until it is due;
    /// - **behind**: not met, and due in or before `year` (or every year), or short of the
    ///   line.
    pub fn report(&self, year: i32, observations: &[Observation]) -> Vec<TargetReport> {
        self.targets
            .iter()
            .map(|target| self.report_target(target, year, observations))
            .collect()
    }

    fn report_target(
        &self,
        target: &Target,
        year: i32,
        observations: &[Observation],
    ) -> TargetReport {
        let of_year = |y: i32| -> Vec<&Observation> {
            observations
                .iter()
                .filter(|o| o.target == target.id && o.year == y)
                .collect()
        };
        let mut report = TargetReport {
            target: target.id.clone(),
            year,
            status: TargetStatus::NoData,
            value: None,
            units: None,
            shown: String::new(),
            from: Vec::new(),
            expected: None,
            reason: format!("nothing measured for {year}"),
        };
        let Some(reduced) = target.reduce(&of_year(year)) else {
            return report;
        };
        report.shown = shown(target, &reduced);
        report.value = Some(reduced.value.clone());
        report.units = reduced.units;
        report.from = reduced.from.clone();
        let due = target.due(self);
        let wanted = format!("{} {}", target.comparator, target.value);
        if reduced.met {
            report.status = TargetStatus::Met;
            report.reason = format!("{} meets {wanted}", report.shown);
            return report;
        }
        let Some(due) = due.filter(|due| *due > year) else {
            report.status = TargetStatus::Behind;
            report.reason = match due {
                None => format!("{} does not meet {wanted}, due every year", report.shown),
                Some(due) => format!("{} does not meet {wanted}, due by {due}", report.shown),
            };
            return report;
        };
        let (Some(progress), Some(goal)) = (reduced.progress, target.goal(&reduced)) else {
            report.status = TargetStatus::OnTrack;
            report.reason = format!("not yet {wanted}; due by {due}");
            return report;
        };
        // The starting point: the target's baseline, else the earliest year measured before
        // this one, else nothing done at the start of the period.
        let earlier = (self.period.0.min(year - 50)..year).find_map(|y| {
            target
                .reduce(&of_year(y))
                .and_then(|r| r.progress)
                .map(|p| (y, p))
        });
        let start = target.baseline.or(earlier).or_else(|| {
            (!target.lower_is_better()).then_some((self.period.0.min(year), Decimal::ZERO))
        });
        let Some((from_year, from_value)) = start.filter(|(y, _)| *y < year) else {
            report.status = TargetStatus::OnTrack;
            report.reason = format!("{}: not yet {wanted}; due by {due}", report.shown);
            return report;
        };
        let span = Decimal::from(due - from_year);
        let done = Decimal::from(year - from_year);
        let expected = from_value + (goal - from_value) * done / span;
        let on_track = if target.lower_is_better() {
            progress <= expected
        } else {
            progress >= expected
        };
        report.expected = Some(crate::Rounding::HalfAwayFromZero.round(expected, 2));
        report.status = if on_track {
            TargetStatus::OnTrack
        } else {
            TargetStatus::Behind
        };
        report.reason = format!(
            "{} against {} expected in {year} on the line from {} in {from_year} to {} by {due}",
            report.shown,
            two(expected),
            two(from_value),
            two(goal)
        );
        report
    }
}

/// The value as the report shows it.
fn shown(target: &Target, reduced: &Reduced) -> String {
    let value = match (&reduced.value, target.unit) {
        (Measured::Number(x), TargetUnit::Percent) => format!("{}%", two(*x)),
        (Measured::Number(x), _) if reduced.share_of_units => format!("{}%", two(*x)),
        (Measured::Number(x), _) => two(*x),
        (other, _) => other.to_string(),
    };
    match reduced.units {
        Some((meeting, count)) => format!(
            "{value} ({meeting} of {})",
            crate::text::plural(count, "unit")
        ),
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROGRAMME: &str = r#"
format = 1
[programme]
id = "example/2021-2025"
title = "Example"
authority = "Example province"
period = "2021-2025"
source = "made up for this test"
[[target]]
id = "share"
area = "modernisation"
indicator = "Documents exchanged electronically"
comparator = ">="
value = 70
unit = "percent"
by = 2025
population = "documents"
[[target]]
id = "each"
area = "impact"
indicator = "Satisfaction in each ward"
comparator = ">"
value = 60
unit = "percent"
population = "wards"
[[target]]
id = "yearly"
area = "direction"
indicator = "Thematic areas chosen"
comparator = ">="
value = 1
unit = "count"
yearly = true
population = "the province"
[[target]]
id = "cost"
area = "procedures"
indicator = "Days to handle a dossier"
comparator = "<="
value = 10
unit = "count"
by = 2025
population = "dossiers"
baseline = { year = 2021, value = 30 }
[[target]]
id = "word"
area = "organisation"
indicator = "Overlaps removed"
comparator = "="
value = "basically eliminated"
unit = "text"
by = 2024
population = "departments"
"#;

    fn programme() -> Programme {
        Programme::from_toml(PROGRAMME, "p.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn seen(target: &str, year: i32, unit: Option<&str>, value: Measured) -> Observation {
        Observation {
            target: target.into(),
            year,
            unit: unit.map(str::to_owned),
            value,
            from: "test".into(),
        }
    }

    fn number(n: i64) -> Measured {
        Measured::Number(Decimal::from(n))
    }

    fn status(year: i32, observations: &[Observation], target: &str) -> TargetReport {
        programme()
            .report(year, observations)
            .into_iter()
            .find(|r| r.target == target)
            .unwrap_or_else(|| panic!("{target}"))
    }

    #[test]
    fn before_the_deadline_the_straight_line_decides() {
        // From 0 in 2021 to 70 in 2025: 35 expected in 2023.
        let on = status(2023, &[seen("share", 2023, None, number(40))], "share");
        assert_eq!(on.status, TargetStatus::OnTrack);
        assert_eq!(on.expected, Some(Decimal::new(3500, 2)));
        let short = status(2023, &[seen("share", 2023, None, number(30))], "share");
        assert_eq!(short.status, TargetStatus::Behind);
        // An earlier year's value is the start of the line: 50 in 2022 to 70 in 2025 asks for
        // 50 + 20 × 2/3 = 63.33 in 2024.
        let earlier = [
            seen("share", 2022, None, number(50)),
            seen("share", 2024, None, number(58)),
        ];
        let r = status(2024, &earlier, "share");
        assert_eq!(
            (r.status, r.expected),
            (TargetStatus::Behind, Some(Decimal::new(6333, 2)))
        );
        assert_eq!(
            status(2025, &[seen("share", 2025, None, number(70))], "share").status,
            TargetStatus::Met
        );
        assert_eq!(
            status(2025, &[seen("share", 2025, None, number(69))], "share").status,
            TargetStatus::Behind
        );
        assert_eq!(status(2025, &earlier, "share").status, TargetStatus::NoData);
    }

    #[test]
    fn numbers_per_unit_are_each_held_to_the_target() {
        let wards = [
            seen("each", 2025, Some("W1"), number(72)),
            seen("each", 2025, Some("W2"), number(60)),
            seen("each", 2025, Some("W3"), number(65)),
        ];
        let r = status(2025, &wards, "each");
        assert_eq!(r.status, TargetStatus::Behind);
        assert_eq!(r.units, Some((2, 3)));
        assert_eq!(r.shown, "66.67% (2 of 3 units)");
        // Due by the end of the period (2025): in 2023 two of three is ahead of the line to
        // 100% of units (50%).
        let earlier: Vec<Observation> = wards
            .iter()
            .map(|o| Observation {
                year: 2023,
                ..o.clone()
            })
            .collect();
        assert_eq!(status(2023, &earlier, "each").status, TargetStatus::OnTrack);
    }

    #[test]
    fn a_yearly_target_is_met_or_behind_every_year() {
        assert_eq!(
            status(2022, &[seen("yearly", 2022, None, number(2))], "yearly").status,
            TargetStatus::Met
        );
        let r = status(2022, &[seen("yearly", 2022, None, number(0))], "yearly");
        assert_eq!(r.status, TargetStatus::Behind);
        assert_eq!(r.reason, "0 does not meet >= 1, due every year");
    }

    #[test]
    fn lower_is_better_follows_the_line_down_from_the_baseline() {
        // 30 days in 2021 to 10 by 2025: 20 expected in 2023.
        assert_eq!(
            status(2023, &[seen("cost", 2023, None, number(18))], "cost").status,
            TargetStatus::OnTrack
        );
        assert_eq!(
            status(2023, &[seen("cost", 2023, None, number(22))], "cost").status,
            TargetStatus::Behind
        );
        assert_eq!(
            status(2025, &[seen("cost", 2025, None, number(10))], "cost").status,
            TargetStatus::Met
        );
    }

    #[test]
    fn a_target_in_words_is_met_by_its_word_or_a_yes_and_waits_for_its_deadline() {
        let word = |w: &str| seen("word", 2023, None, Measured::Text(w.into()));
        assert_eq!(
            status(2023, &[word("Basically eliminated")], "word").status,
            TargetStatus::Met
        );
        assert_eq!(
            status(2023, &[word("in progress")], "word").status,
            TargetStatus::OnTrack
        );
        let late = seen("word", 2024, None, Measured::Yes(false));
        assert_eq!(status(2024, &[late], "word").status, TargetStatus::Behind);
    }

    #[test]
    fn the_programme_file_is_checked_in_one_pass() {
        let bad = PROGRAMME
            .replacen(
                "comparator = \">=\"\nvalue = 1\n",
                "comparator = \"≥≥\"\nvalue = 1\n",
                1,
            )
            .replacen(
                "unit = \"count\"\nby = 2025",
                "unit = \"counts\"\nby = 2025",
                1,
            )
            .replacen("period = \"2021-2025\"", "period = \"2025-2021\"", 1)
            .replacen("id = \"each\"", "id = \"share\"", 1);
        let error = Programme::from_toml(&bad, "p.toml").expect_err("refused");
        let messages: Vec<String> = error.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "p.toml:7:10: error[wrong-type]: `period` = \"2025-2021\" is not a year or years like \"2011-2015\"",
                "p.toml:18:1: error[duplicate-code] share: duplicate target id; first at line 9",
                "p.toml:30:14: error[wrong-type] yearly: `comparator` = \"≥≥\" is not one of >, >=, =, <=, <",
                "p.toml:41:8: error[wrong-type] cost: `unit` = \"counts\" is not one of percent, count, text",
            ]
        );
    }
}
