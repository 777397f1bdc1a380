//! A choice among named levels, listed best first as printed. A level's points may be a range
//! given at the council's judgement ("up to 3 points"), with a step: the input then names the
//! level and the points, `tốt: 2,5`.

use std::borrow::Cow;
use std::collections::HashSet;

use rust_decimal::Decimal;

use super::direct::check_points;
use super::tier_index;
use super::{
    Answer, Context, Fired, InputShape, Outcome, RuleBody, RuleChecks, RuleError, RuleKind, fired,
    wrong_measurement,
};
use crate::diagnostic::Check;
use crate::load::MAX_LIST_ITEMS;
use crate::model::Node;
use crate::spanned::{At, Reader};
use crate::text::{nfc, plural, same_word};
use crate::value::{self, Value};
use crate::write::{number, quote};

/// A levels rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Levels {
    /// The levels, as printed.
    pub levels: Vec<Level>,
}

/// A named level of a [`Levels`] rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// A short key used in inputs.
    pub key: String,
    /// The answer as printed.
    pub label: Option<String>,
    /// Points for this level; the most, when the level is a range.
    pub points: Decimal,
    /// The fewest points, when the level's points are a range `[min, points]` given at the
    /// council's judgement.
    pub min: Option<Decimal>,
    /// Allowed increments within the range, counted from `min`.
    pub step: Option<Decimal>,
}

impl Level {
    /// The level's points: one value, or the range the council chooses from.
    fn range(&self) -> (Decimal, Decimal) {
        (self.min.unwrap_or(self.points), self.points)
    }

    fn shown_range(&self) -> String {
        let (low, high) = self.range();
        format!("{}–{}", low.normalize(), high.normalize())
    }
}

impl Levels {
    /// The level a key, a label or a position names.
    fn find(&self, t: &str) -> Option<usize> {
        let found = self.levels.iter().position(|l| {
            same_word(&nfc(&l.key), t)
                || l.label
                    .as_deref()
                    .is_some_and(|x| same_word(nfc(x).trim(), t))
        });
        let by_position = t
            .parse::<usize>()
            .ok()
            .filter(|p| (1..=self.levels.len()).contains(p))
            .map(|p| p - 1);
        found.or(by_position)
    }

    fn not_a_level(&self, t: &str) -> RuleError {
        let keys: Vec<&str> = self.levels.iter().map(|l| l.key.as_str()).collect();
        RuleError::NotAnAnswer {
            text: t.to_owned(),
            expected: format!("one of the levels {}", keys.join(", ")),
        }
    }

    /// The level whose points (or range) hold `points`.
    fn holding(&self, points: Decimal) -> Option<usize> {
        self.levels.iter().position(|l| {
            let (low, high) = l.range();
            low <= points && points <= high
        })
    }
}

impl RuleBody for Levels {
    fn keys() -> &'static [&'static str] {
        &["level"]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, _: Decimal) -> Option<Self> {
        let level_tables = reader.tables(at, "level");
        if level_tables.is_empty() {
            let message = "the rule has no [[node.rule.level]]".to_owned();
            reader.report(Check::MissingKey, &at.span, at.code.as_deref(), message);
            return None;
        }
        if !reader.within_limit(&level_tables, "levels", MAX_LIST_ITEMS) {
            return None;
        }
        let mut levels = Vec::new();
        for level_at in &level_tables {
            reader.known_keys(
                level_at,
                &["key", "label", "points", "min", "step"],
                "a level",
            );
            let key = reader.required_string(level_at, "key");
            if let Some(k) = key.as_deref().filter(|k| k.contains(',')) {
                // The template lists the keys in a drop-down, separated by commas.
                let span = level_at
                    .table
                    .get("key")
                    .map_or(level_at.span.clone(), |v| v.span());
                let message = format!(
                    "the level key \"{k}\" holds a comma, which would split the template's list of keys: use another word"
                );
                reader.report(Check::WrongType, &span, level_at.code.as_deref(), message);
            }
            let label = reader.string(level_at, "label", false);
            let points = reader.decimal(level_at, "points", true);
            let min = reader.decimal(level_at, "min", false);
            let step = reader.decimal(level_at, "step", false);
            levels.push(Level {
                key: key?,
                label,
                points: points?,
                min,
                step,
            });
        }
        Some(Levels { levels })
    }

    fn write(&self, f: &mut Vec<String>) {
        let items: Vec<String> = self
            .levels
            .iter()
            .map(|l| {
                let label = l
                    .label
                    .as_ref()
                    .map(|x| format!(", label = {}", quote(x)))
                    .unwrap_or_default();
                let min = l
                    .min
                    .map(|m| format!(", min = {}", number(m)))
                    .unwrap_or_default();
                let step = l
                    .step
                    .map(|m| format!(", step = {}", number(m)))
                    .unwrap_or_default();
                format!(
                    "{{ key = {}{label}, points = {}{min}{step} }}",
                    quote(&l.key),
                    number(l.points)
                )
            })
            .collect();
        f.push(format!("level = [{}]", items.join(", ")));
    }

    fn input(&self) -> InputShape<'_> {
        InputShape::Answer(
            self.levels
                .iter()
                .map(|l| Answer {
                    key: Cow::Borrowed(&l.key),
                    label: l.label.as_deref(),
                    range: l.min.map(|_| l.range()),
                })
                .collect(),
        )
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        // A level given a range is named with its points: `tốt: 2,5`.
        if let Some((name, points)) = t.split_once(':') {
            let i = self
                .find(name.trim())
                .ok_or_else(|| self.not_a_level(name.trim()))?;
            let level = &self.levels[i];
            let x = value::parse_decimal(points.trim()).map_err(RuleError::Unreadable)?;
            let (low, high) = level.range();
            check_points(x, low, high, level.step)?;
            return Ok(Value::Number(x));
        }
        let i = self.find(t).ok_or_else(|| self.not_a_level(t))?;
        if self.levels[i].min.is_some() {
            let level = &self.levels[i];
            return Err(RuleError::NotAnAnswer {
                text: t.to_owned(),
                expected: format!(
                    "enough: the level {} takes {} points at the council's judgement; write {}: POINTS",
                    level.key,
                    level.shown_range(),
                    level.key
                ),
            });
        }
        u16::try_from(i)
            .map(Value::Choice)
            .map_err(|_| self.not_a_level(t))
    }

    fn evaluate(&self, value: &Value, _: &Context) -> Result<Outcome, RuleError> {
        let wrong = || wrong_measurement(value, RuleKind::Levels);
        match value {
            Value::Choice(i) => match self.levels.get(usize::from(*i)) {
                Some(level) if level.min.is_none() => fired(level.points, Fired::Level(*i)),
                _ => Err(wrong()),
            },
            // Points given within a level's range.
            Value::Number(x) => {
                let i = self.holding(*x).ok_or_else(wrong)?;
                let level = &self.levels[i];
                let (low, high) = level.range();
                check_points(*x, low, high, level.step)?;
                fired(*x, Fired::Level(tier_index(i)))
            }
            _ => Err(wrong()),
        }
    }

    fn points_range(&self, _: Decimal) -> (Decimal, Decimal) {
        let best = super::span(self.levels.iter().map(|l| l.points)).0;
        let worst = super::span(self.levels.iter().map(|l| l.range().0)).1;
        (best, worst)
    }

    fn explain(&self, _: &Value, outcome: &Outcome) -> Option<String> {
        let Fired::Level(i) = outcome.fired else {
            return None;
        };
        let level = self.levels.get(usize::from(i))?;
        let points = outcome.points.normalize();
        let judged = if level.min.is_some() {
            format!(", {points} of {}", level.shown_range())
        } else {
            String::new()
        };
        Some(match &level.label {
            Some(label) => format!("level {} ({label}){judged} → {points}", level.key),
            None => format!("level {}{judged} → {points}", level.key),
        })
    }

    fn validate(&self, _: &Node, checks: &mut RuleChecks<'_>) {
        if let Some(pair) = self.levels.windows(2).find(|p| p[1].points > p[0].points) {
            let message = format!(
                "levels are listed best first, but {} ({}) comes before {} ({})",
                pair[0].key,
                plural(pair[0].points.normalize(), "point"),
                pair[1].key,
                plural(pair[1].points.normalize(), "point")
            );
            checks.report(Check::LevelOrder, message);
        }
        for (i, level) in self.levels.iter().enumerate() {
            let (low, high) = level.range();
            if low > high {
                let message = format!(
                    "the level {} runs from {} down to {}: `min` is above `points`",
                    level.key,
                    low.normalize(),
                    high.normalize()
                );
                checks.report(Check::WrongType, message);
            }
            let overlap = self.levels[i + 1..].iter().find(|other| {
                let (other_low, other_high) = other.range();
                (low < high || other_low < other_high) && other_low <= high && low <= other_high
            });
            if let Some(other) = overlap {
                let message = format!(
                    "the points of levels {} ({}) and {} ({}) overlap: points given would not say which level",
                    level.key,
                    level.shown_range(),
                    other.key,
                    other.shown_range()
                );
                checks.report(Check::LevelOrder, message);
            }
        }
        let mut keys = HashSet::new();
        for level in &self.levels {
            if !keys.insert(level.key.to_lowercase()) {
                let message = format!("level key `{}` appears twice", level.key);
                checks.report(Check::DuplicateCode, message);
            }
        }
    }

    fn outcome_points(&self) -> Option<Vec<Decimal>> {
        // Points at the council's judgement are not one outcome among a few.
        if self.levels.iter().any(|l| l.min.is_some()) {
            return None;
        }
        Some(self.levels.iter().map(|l| l.points).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Rule;
    use crate::rule::test_support::{d, explained};

    /// "Hoàn thành tốt: 3 points; hoàn thành: from 1 to under 3, at the council's judgement, in
    /// steps of 0.5; không hoàn thành: 0."
    fn judged() -> Rule {
        let level = |key: &str, points: &str, min: Option<&str>| Level {
            key: key.to_owned(),
            label: None,
            points: d(points),
            min: min.map(d),
            step: min.map(|_| d("0.5")),
        };
        Rule::Levels(Levels {
            levels: vec![
                level("tốt", "3", None),
                level("đạt", "2.5", Some("1")),
                level("không", "0", None),
            ],
        })
    }

    fn score(rule: &Rule, text: &str) -> Result<String, String> {
        explained(rule, text, "3")
    }

    #[test]
    fn a_level_given_a_range_takes_points_within_it_on_its_steps() {
        let rule = judged();
        assert_eq!(score(&rule, "tốt").as_deref(), Ok("level tốt → 3"));
        assert_eq!(
            score(&rule, "đạt: 1").as_deref(),
            Ok("level đạt, 1 of 1–2.5 → 1")
        );
        assert_eq!(
            score(&rule, "ĐẠT: 2,5").as_deref(),
            Ok("level đạt, 2.5 of 1–2.5 → 2.5")
        );
        assert!(
            score(&rule, "đạt: 1.75")
                .is_err_and(|e| e.contains("not a multiple of the step 0.5 counted from 1"))
        );
        assert!(score(&rule, "đạt: 3").is_err_and(|e| e.contains("3 points is outside [1, 2.5]")));
        assert!(score(&rule, "đạt: 0.5").is_err_and(|e| e.contains("outside [1, 2.5]")));
        assert!(score(&rule, "đạt").is_err_and(|e| e.contains("write đạt: POINTS")));
        // A fixed level named with its own points is read as them.
        assert_eq!(score(&rule, "không: 0").as_deref(), Ok("level không → 0"));
        assert!(score(&rule, "không: 1").is_err());
        assert_eq!(rule.points_range(d("3")), (d("3"), d("0")));
        assert_eq!(rule.outcome_points(), None);
    }

    #[test]
    fn ranges_write_back() {
        assert_eq!(
            crate::rule_to_toml(&judged()),
            r#"{ kind = "levels", level = [{ key = "tốt", points = 3 }, { key = "đạt", points = "2.5", min = 1, step = "0.5" }, { key = "không", points = 0 }] }"#
        );
    }
}
