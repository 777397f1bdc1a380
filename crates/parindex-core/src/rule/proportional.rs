//! Points proportional to a ratio: `max × min(1, ratio ÷ target)`, with a floor and a cap.

use rust_decimal::Decimal;

use super::{
    Context, Fired, InputShape, Outcome, RuleBody, RuleError, RuleKind, fired, percent_of,
    show_value, wrong_measurement,
};
use crate::diagnostic::Check;
use crate::spanned::{At, Reader};
use crate::value::{self, Value};
use crate::write::{number, optional};

/// A proportional rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proportional {
    /// The percent that earns the maximum; 100 when absent.
    pub target: Option<Decimal>,
    /// The percent below which the points are 0.
    pub floor: Option<Decimal>,
    /// The most points given; the node's maximum when absent.
    pub cap: Option<Decimal>,
    /// Decimals to round the points to, with the set's rounding mode.
    pub round: Option<u32>,
    /// Whether a percent above 100% is read ("100% or more") rather than refused; it earns no
    /// more than 100% does.
    pub clip: bool,
}

impl RuleBody for Proportional {
    fn keys() -> &'static [&'static str] {
        &["target", "floor", "cap", "round", "clip"]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, _: Decimal) -> Option<Self> {
        let round = match reader.integer(at, "round", false) {
            Some(r) if (0..=10).contains(&r) => u32::try_from(r).ok(),
            Some(r) => {
                let span = at.table.get("round").map_or(at.span.clone(), |v| v.span());
                let message = format!("`round` = {r} must be between 0 and 10");
                reader.report(Check::WrongType, &span, at.code.as_deref(), message);
                return None;
            }
            None => None,
        };
        let target = reader.decimal(at, "target", false);
        if target.is_some_and(|t| t <= Decimal::ZERO || t > Decimal::ONE_HUNDRED) {
            let span = at.table.get("target").map_or(at.span.clone(), |v| v.span());
            let message = "`target` must be a percent above 0 and at most 100".to_owned();
            reader.report(Check::WrongType, &span, at.code.as_deref(), message);
        }
        Some(Proportional {
            target,
            floor: reader.decimal(at, "floor", false),
            cap: reader.decimal(at, "cap", false),
            round,
            clip: reader.boolean(at, "clip").unwrap_or(false),
        })
    }

    fn write(&self, f: &mut Vec<String>) {
        optional(f, "target", self.target.map(number));
        optional(f, "floor", self.floor.map(number));
        optional(f, "cap", self.cap.map(number));
        optional(f, "round", self.round.map(|r| r.to_string()));
        if self.clip {
            f.push("clip = true".to_owned());
        }
    }

    fn input(&self) -> InputShape<'_> {
        InputShape::Percent
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        value::parse_share(t, self.clip).map_err(RuleError::Unreadable)
    }

    fn evaluate(&self, value: &Value, ctx: &Context) -> Result<Outcome, RuleError> {
        let wrong = || wrong_measurement(value, RuleKind::Proportional);
        let (numerator, denominator) = value.as_percent_ratio().ok_or_else(wrong)?;
        let percent = percent_of(numerator, denominator)?;
        if self.floor.is_some_and(|f| percent < f) {
            let outcome = Fired::Proportional {
                percent,
                below_floor: true,
                capped: false,
            };
            return fired(Decimal::ZERO, outcome);
        }
        let target = self.target.unwrap_or(Decimal::ONE_HUNDRED);
        let share = percent.checked_div(target).ok_or_else(wrong)?;
        let (share, mut capped) = if share > Decimal::ONE {
            (Decimal::ONE, true)
        } else {
            (share, false)
        };
        // Multiply before dividing where possible, so that 45/50 × 5 stays exact.
        let mut points = if target == Decimal::ONE_HUNDRED && !capped {
            ctx.max
                .checked_mul(numerator)
                .and_then(|p| p.checked_div(denominator))
                .ok_or_else(wrong)?
        } else {
            ctx.max.checked_mul(share).ok_or_else(wrong)?
        };
        let cap = self.cap.unwrap_or(ctx.max);
        if points > cap {
            points = cap;
            capped = true;
        }
        if let Some(dp) = self.round {
            points = ctx.rounding.round(points, dp);
        }
        let outcome = Fired::Proportional {
            percent,
            below_floor: false,
            capped,
        };
        fired(points, outcome)
    }

    fn points_range(&self, max: Decimal) -> (Decimal, Decimal) {
        (self.cap.unwrap_or(max), Decimal::ZERO)
    }

    fn explain(&self, value: &Value, outcome: &Outcome) -> Option<String> {
        let Fired::Proportional {
            below_floor,
            capped,
            ..
        } = outcome.fired
        else {
            return None;
        };
        let shown = show_value(value, true);
        if below_floor {
            let floor = self.floor.unwrap_or_default().normalize();
            return Some(format!("{shown} is below the floor of {floor}% → 0"));
        }
        let target = self
            .target
            .map(|t| format!(" ÷ {}%", t.normalize()))
            .unwrap_or_default();
        let cap = if capped { ", capped" } else { "" };
        let points = outcome.points.normalize();
        Some(format!("{shown}{target} × max → {points}{cap}"))
    }
}
