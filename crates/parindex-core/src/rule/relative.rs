//! The unit's measurement against the mean or median over the units scored together.

use rust_decimal::Decimal;

use super::{
    Context, Fired, InputShape, Outcome, RuleBody, RuleError, RuleKind, fired, show_value,
    wrong_measurement,
};
use crate::names::named;
use crate::spanned::{At, Reader};
use crate::value::Value;
use crate::write::{number, quote};

/// A relative rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relative {
    /// The statistic compared with.
    pub to: Statistic,
    /// Which units the statistic is taken over.
    pub among: Among,
    /// Points when the measurement is at or above the statistic.
    pub at_or_above: Decimal,
    /// Points when below.
    pub below: Decimal,
}

/// The statistic of a relative rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// The arithmetic mean.
    Mean,
    /// The median; the mean of the two middle values for an even count.
    Median,
}

named!(Statistic, "statistic", {
    Mean => "mean",
    Median => "median",
});

/// Which units a relative rule compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Among {
    /// Every unit scored together.
    All,
    /// The units of the same ranking group.
    Group,
}

named!(Among, "comparison group", {
    All => "all",
    Group => "group",
});

impl RuleBody for Relative {
    fn keys() -> &'static [&'static str] {
        &["to", "among", "at_or_above", "below"]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, _: Decimal) -> Option<Self> {
        Some(Relative {
            to: reader.choice(at, "to")?.unwrap_or(Statistic::Mean),
            among: reader.choice(at, "among")?.unwrap_or(Among::All),
            at_or_above: reader.decimal(at, "at_or_above", true)?,
            below: reader.decimal(at, "below", false).unwrap_or(Decimal::ZERO),
        })
    }

    fn write(&self, f: &mut Vec<String>) {
        f.push(format!("to = {}", quote(self.to.as_str())));
        f.push(format!("among = {}", quote(self.among.as_str())));
        f.push(format!("at_or_above = {}", number(self.at_or_above)));
        f.push(format!("below = {}", number(self.below)));
    }

    fn input(&self) -> InputShape<'_> {
        InputShape::Number
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        super::number_input(t)
    }

    fn evaluate(&self, value: &Value, ctx: &Context) -> Result<Outcome, RuleError> {
        let Value::Number(x) = value else {
            return Err(wrong_measurement(value, RuleKind::Relative));
        };
        let reference = ctx.reference.ok_or(RuleError::NoReference(self.to))?;
        let reached = *x >= reference;
        let points = if reached {
            self.at_or_above
        } else {
            self.below
        };
        fired(points, Fired::Relative { reference, reached })
    }

    fn scores_alone(&self) -> bool {
        false
    }

    fn points_range(&self, _: Decimal) -> (Decimal, Decimal) {
        super::span([self.at_or_above, self.below])
    }

    fn explain(&self, value: &Value, outcome: &Outcome) -> Option<String> {
        let Fired::Relative { reference, reached } = outcome.fired else {
            return None;
        };
        let sign = if reached { "≥" } else { "<" };
        Some(format!(
            "{} {sign} {} {} → {}",
            show_value(value, false),
            self.to,
            reference.round_dp(4).normalize(),
            outcome.points.normalize()
        ))
    }
}
