//! Points per counted item, capped (or floored, for a penalty).

use rust_decimal::Decimal;

use super::{
    Context, Fired, InputShape, Outcome, RuleBody, RuleError, RuleKind, fired, wrong_measurement,
};
use crate::spanned::{At, Reader};
use crate::value::Value;
use crate::write::{number, optional};

/// A per-item rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PerItem {
    /// Points per item; negative for a penalty.
    pub points: Decimal,
    /// The most points given; the node's maximum when absent.
    pub cap: Option<Decimal>,
    /// The fewest points given, for a penalty.
    pub floor: Option<Decimal>,
}

impl RuleBody for PerItem {
    fn keys() -> &'static [&'static str] {
        &["points", "cap", "floor"]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, _: Decimal) -> Option<Self> {
        Some(PerItem {
            points: reader.decimal(at, "points", true)?,
            cap: reader.decimal(at, "cap", false),
            floor: reader.decimal(at, "floor", false),
        })
    }

    fn write(&self, f: &mut Vec<String>) {
        f.push(format!("points = {}", number(self.points)));
        optional(f, "cap", self.cap.map(number));
        optional(f, "floor", self.floor.map(number));
    }

    fn input(&self) -> InputShape<'_> {
        InputShape::Count
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        super::count_input(t)
    }

    fn evaluate(&self, value: &Value, ctx: &Context) -> Result<Outcome, RuleError> {
        let wrong = || wrong_measurement(value, RuleKind::PerItem);
        let Value::Number(count) = value else {
            return Err(wrong());
        };
        let raw = self.points.checked_mul(*count).ok_or_else(wrong)?;
        let cap = self.cap.unwrap_or(ctx.max);
        let limited_cap = if raw > cap { Some(cap) } else { None };
        let limited_floor = self.floor.filter(|f| raw < *f);
        let total = limited_cap.or(limited_floor).unwrap_or(raw);
        let limited = limited_cap.is_some() || limited_floor.is_some();
        let outcome = Fired::PerItem {
            count: *count,
            limited,
        };
        fired(total, outcome)
    }

    fn points_range(&self, max: Decimal) -> (Decimal, Decimal) {
        if self.points.is_sign_negative() {
            (Decimal::ZERO, self.floor.unwrap_or(Decimal::MIN))
        } else {
            (self.cap.unwrap_or(max), Decimal::ZERO)
        }
    }

    fn explain(&self, _: &Value, outcome: &Outcome) -> Option<String> {
        let Fired::PerItem { count, limited } = outcome.fired else {
            return None;
        };
        let limit = if limited { ", limited by the cap" } else { "" };
        Some(format!(
            "{} items × {} → {}{limit}",
            count.normalize(),
            self.points.normalize(),
            outcome.points.normalize()
        ))
    }
}
