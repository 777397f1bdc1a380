//! Yes or no: `yes` points for yes, `no` for no, each with the answer as printed.

use rust_decimal::Decimal;

use super::{
    Answer, Context, Fired, InputShape, Outcome, RuleBody, RuleError, RuleKind, fired,
    wrong_measurement,
};
use crate::spanned::{At, Reader};
use crate::text::{nfc, same_word};
use crate::value::{self, Value};
use crate::write::{number, optional, quote};

/// A yes-no rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YesNo {
    /// Points for yes; the node's maximum when a file leaves it out.
    pub yes: Decimal,
    /// Points for no.
    pub no: Decimal,
    /// The printed answer for yes.
    pub yes_label: Option<String>,
    /// The printed answer for no.
    pub no_label: Option<String>,
}

impl RuleBody for YesNo {
    fn keys() -> &'static [&'static str] {
        &["yes", "no", "yes_label", "no_label"]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, max: Decimal) -> Option<Self> {
        let yes = reader.decimal(at, "yes", false);
        let no = reader.decimal(at, "no", false);
        Some(YesNo {
            yes: yes.unwrap_or(max),
            no: no.unwrap_or(Decimal::ZERO),
            yes_label: reader.string(at, "yes_label", false),
            no_label: reader.string(at, "no_label", false),
        })
    }

    fn write(&self, f: &mut Vec<String>) {
        f.push(format!("yes = {}", number(self.yes)));
        f.push(format!("no = {}", number(self.no)));
        optional(f, "yes_label", self.yes_label.as_deref().map(quote));
        optional(f, "no_label", self.no_label.as_deref().map(quote));
    }

    fn input(&self) -> InputShape<'_> {
        InputShape::Answer(vec![
            Answer::word("có", self.yes_label.as_deref()),
            Answer::word("không", self.no_label.as_deref()),
        ])
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        if let Some(b) = value::parse_bool(t) {
            return Ok(Value::Bool(b));
        }
        let matches = |label: &Option<String>| {
            label
                .as_deref()
                .is_some_and(|l| same_word(nfc(l).trim(), t))
        };
        if matches(&self.yes_label) {
            Ok(Value::Bool(true))
        } else if matches(&self.no_label) {
            Ok(Value::Bool(false))
        } else {
            Err(RuleError::NotAnAnswer {
                text: t.to_owned(),
                expected: "yes or no (write có/không, yes/no or 1/0)".to_owned(),
            })
        }
    }

    fn evaluate(&self, value: &Value, _: &Context) -> Result<Outcome, RuleError> {
        match value {
            Value::Bool(true) => fired(self.yes, Fired::Answer(true)),
            Value::Bool(false) => fired(self.no, Fired::Answer(false)),
            _ => Err(wrong_measurement(value, RuleKind::YesNo)),
        }
    }

    fn points_range(&self, _: Decimal) -> (Decimal, Decimal) {
        super::span([self.yes, self.no])
    }

    fn explain(&self, _: &Value, outcome: &Outcome) -> Option<String> {
        let Fired::Answer(yes) = outcome.fired else {
            return None;
        };
        let points = outcome.points.normalize();
        let label = if yes { &self.yes_label } else { &self.no_label };
        let word = if yes { "yes" } else { "no" };
        Some(match label {
            Some(label) => format!("{word} ({label}) → {points}"),
            None => format!("{word} → {points}"),
        })
    }

    fn outcome_points(&self) -> Option<Vec<Decimal>> {
        Some(vec![self.yes, self.no])
    }
}
