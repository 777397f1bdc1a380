//! A choice among named levels, listed best first as printed.

use std::borrow::Cow;
use std::collections::HashSet;

use rust_decimal::Decimal;

use super::{
    Answer, Context, Fired, InputShape, Outcome, RuleBody, RuleChecks, RuleError, RuleKind, fired,
    wrong_measurement,
};
use crate::diagnostic::Check;
use crate::load::MAX_LIST_ITEMS;
use crate::model::Node;
use crate::spanned::{At, Reader};
use crate::text::{nfc, plural};
use crate::value::Value;
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
    /// Points for this level.
    pub points: Decimal,
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
            reader.known_keys(level_at, &["key", "label", "points"], "a level");
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
            levels.push(Level {
                key: key?,
                label,
                points: points?,
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
                format!(
                    "{{ key = {}{label}, points = {} }}",
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
                })
                .collect(),
        )
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        let lower = t.to_lowercase();
        let found = self.levels.iter().position(|l| {
            nfc(&l.key).to_lowercase() == lower
                || l.label
                    .as_deref()
                    .is_some_and(|x| nfc(x).trim().to_lowercase() == lower)
        });
        let by_position = t
            .parse::<usize>()
            .ok()
            .filter(|p| (1..=self.levels.len()).contains(p))
            .map(|p| p - 1);
        found
            .or(by_position)
            .and_then(|i| u16::try_from(i).ok())
            .map(Value::Choice)
            .ok_or_else(|| {
                let keys: Vec<&str> = self.levels.iter().map(|l| l.key.as_str()).collect();
                RuleError::NotAnAnswer {
                    text: t.to_owned(),
                    expected: format!("one of the levels {}", keys.join(", ")),
                }
            })
    }

    fn evaluate(&self, value: &Value, _: &Context) -> Result<Outcome, RuleError> {
        match value {
            Value::Choice(i) => match self.levels.get(usize::from(*i)) {
                Some(level) => fired(level.points, Fired::Level(*i)),
                None => Err(wrong_measurement(value, RuleKind::Levels)),
            },
            _ => Err(wrong_measurement(value, RuleKind::Levels)),
        }
    }

    fn points_range(&self, _: Decimal) -> (Decimal, Decimal) {
        super::span(self.levels.iter().map(|l| l.points))
    }

    fn explain(&self, _: &Value, outcome: &Outcome) -> Option<String> {
        let Fired::Level(i) = outcome.fired else {
            return None;
        };
        let level = self.levels.get(usize::from(i))?;
        let points = outcome.points.normalize();
        Some(match &level.label {
            Some(label) => format!("level {} ({label}) → {points}", level.key),
            None => format!("level {} → {points}", level.key),
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
        let mut keys = HashSet::new();
        for level in &self.levels {
            if !keys.insert(level.key.to_lowercase()) {
                let message = format!("level key `{}` appears twice", level.key);
                checks.report(Check::DuplicateCode, message);
            }
        }
    }

    fn outcome_points(&self) -> Option<Vec<Decimal>> {
        Some(self.levels.iter().map(|l| l.points).collect())
    }
}
