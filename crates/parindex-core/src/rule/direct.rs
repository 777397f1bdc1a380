//! Points given directly by an assessor, within the node's range and on its steps.

use rust_decimal::Decimal;

use super::{
    Context, Fired, InputShape, Outcome, RuleBody, RuleError, RuleKind, fired, wrong_measurement,
};
use crate::spanned::{At, Reader};
use crate::value::Value;
use crate::write::{number, optional};

/// A direct rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Direct {
    /// The fewest points allowed; 0 when absent (negative only in a penalty block).
    pub min: Option<Decimal>,
    /// Allowed increments, counted from `min`.
    pub step: Option<Decimal>,
}

/// Checks points given directly against `[min, max]` and the steps counted from `min`.
pub(super) fn check_points(
    x: Decimal,
    min: Decimal,
    max: Decimal,
    step: Option<Decimal>,
) -> Result<(), RuleError> {
    if x < min || x > max {
        return Err(RuleError::OutsideRange {
            points: x.normalize(),
            min: min.normalize(),
            max: max.normalize(),
        });
    }
    if let Some(step) = step.filter(|s| !s.is_zero()) {
        if !((x - min) % step).is_zero() {
            return Err(RuleError::OffStep {
                points: x.normalize(),
                step: step.normalize(),
                min,
            });
        }
    }
    Ok(())
}

impl RuleBody for Direct {
    fn keys() -> &'static [&'static str] {
        &["min", "step"]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, _: Decimal) -> Option<Self> {
        Some(Direct {
            min: reader.decimal(at, "min", false),
            step: reader.decimal(at, "step", false),
        })
    }

    fn write(&self, f: &mut Vec<String>) {
        optional(f, "min", self.min.map(number));
        optional(f, "step", self.step.map(number));
    }

    fn input(&self) -> InputShape<'_> {
        InputShape::Points {
            min: self.min.unwrap_or(Decimal::ZERO),
            step: self.step,
        }
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        super::number_input(t)
    }

    fn evaluate(&self, value: &Value, ctx: &Context) -> Result<Outcome, RuleError> {
        let Value::Number(x) = value else {
            return Err(wrong_measurement(value, RuleKind::Direct));
        };
        check_points(*x, self.min.unwrap_or(Decimal::ZERO), ctx.max, self.step)?;
        fired(*x, Fired::Direct)
    }

    fn points_range(&self, max: Decimal) -> (Decimal, Decimal) {
        (max, self.min.unwrap_or(Decimal::ZERO))
    }

    fn explain(&self, value: &Value, outcome: &Outcome) -> Option<String> {
        matches!(outcome.fired, Fired::Direct)
            .then(|| format!("{value} points given by the assessor"))
    }
}
