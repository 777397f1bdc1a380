//! Conditions on a measured value, written as printed: `50 <= x < 100`, `x >= 90`, `any`.

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;

/// One end of a range, explicitly inclusive or exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// Where the range ends.
    pub value: Decimal,
    /// Whether `value` itself is inside the range.
    pub inclusive: bool,
}

/// A range of a measured value `x`, as a tier or a band selects it.
///
/// ```
/// use parindex_core::Condition;
/// use rust_decimal::Decimal;
/// let tier: Condition = "50 <= x < 100".parse()?;
/// assert!(tier.contains(Decimal::from(50)));
/// assert!(!tier.contains(Decimal::from(100)));
/// // 45/50 is 90% exactly, compared without division.
/// assert!(tier.contains_ratio(Decimal::from(45), Decimal::from(50), Decimal::from(100)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The lowest values inside, if bounded below.
    pub lower: Option<Bound>,
    /// The highest values inside, if bounded above.
    pub upper: Option<Bound>,
}

/// Why a condition could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConditionError {
    /// Not written as a condition.
    #[error(
        "\"{0}\" is not a condition; write it like `x >= 100`, `50 <= x < 100`, `x = 0` or `any`"
    )]
    Syntax(String),
    /// A bound the engine cannot carry exactly: the condition and why.
    #[error("\"{0}\": {1}")]
    Inexact(String, String),
}

impl Condition {
    /// The condition that every value meets.
    pub const ANY: Condition = Condition {
        lower: None,
        upper: None,
    };

    /// Whether `x` meets the condition.
    pub fn contains(&self, x: Decimal) -> bool {
        self.contains_by(|bound| x.cmp(&bound))
    }

    /// Whether `scale × numerator ÷ denominator` meets the condition, decided exactly by cross
    /// multiplication. `denominator` must be positive.
    pub fn contains_ratio(&self, numerator: Decimal, denominator: Decimal, scale: Decimal) -> bool {
        self.contains_by(|bound| compare_ratio(numerator, denominator, scale, bound))
    }

    /// Whether the value that `compare` orders against each bound meets the condition.
    fn contains_by(&self, compare: impl Fn(Decimal) -> Ordering) -> bool {
        let above_lower = self.lower.is_none_or(|b| match compare(b.value) {
            Ordering::Greater => true,
            Ordering::Equal => b.inclusive,
            Ordering::Less => false,
        });
        above_lower
            && self.upper.is_none_or(|b| match compare(b.value) {
                Ordering::Less => true,
                Ordering::Equal => b.inclusive,
                Ordering::Greater => false,
            })
    }

    /// Whether no value can meet the condition (`5 < x < 5`, `10 <= x <= 1`).
    pub fn is_empty(&self) -> bool {
        match (self.lower, self.upper) {
            (Some(lo), Some(hi)) => match lo.value.cmp(&hi.value) {
                Ordering::Greater => true,
                Ordering::Equal => !(lo.inclusive && hi.inclusive),
                Ordering::Less => false,
            },
            _ => false,
        }
    }

    /// The finite bounds, lower first.
    pub fn bounds(&self) -> impl Iterator<Item = Decimal> + '_ {
        self.lower.iter().chain(self.upper.iter()).map(|b| b.value)
    }
}

/// Orders `scale × n ÷ d` against `bound` without dividing, when the products fit.
fn compare_ratio(n: Decimal, d: Decimal, scale: Decimal, bound: Decimal) -> Ordering {
    // Fast path on the integer mantissas: n·scale against bound·d, at one power of ten.
    let left = n.mantissa().checked_mul(scale.mantissa());
    let right = bound.mantissa().checked_mul(d.mantissa());
    let left_exp = n.scale() + scale.scale();
    let right_exp = bound.scale() + d.scale();
    if let (Some(left), Some(right)) = (left, right) {
        let aligned = match left_exp.cmp(&right_exp) {
            Ordering::Equal => Some((left, right)),
            Ordering::Greater => pow10(left_exp - right_exp)
                .and_then(|p| right.checked_mul(p))
                .map(|r| (left, r)),
            Ordering::Less => pow10(right_exp - left_exp)
                .and_then(|p| left.checked_mul(p))
                .map(|l| (l, right)),
        };
        if let Some((l, r)) = aligned {
            return l.cmp(&r);
        }
    }
    match (n.checked_mul(scale), bound.checked_mul(d)) {
        (Some(left), Some(right)) => left.cmp(&right),
        _ => (n / d * scale).cmp(&bound),
    }
}

/// 10^exp, for the exponents a decimal can have.
fn pow10(exp: u32) -> Option<i128> {
    const POWERS: [i128; 29] = {
        let mut table = [1i128; 29];
        let mut i = 1;
        while i < 29 {
            table[i] = table[i - 1] * 10;
            i += 1;
        }
        table
    };
    POWERS.get(exp as usize).copied()
}

impl std::str::FromStr for Condition {
    type Err = ConditionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = || ConditionError::Syntax(text.to_owned());
        let normal = text
            .replace('≥', ">=")
            .replace('≤', "<=")
            .replace('％', "%");
        let normal = normal.trim();
        if normal.eq_ignore_ascii_case("any") {
            return Ok(Condition::ANY);
        }
        let (left, right) = normal.split_once('x').ok_or_else(fail)?;
        if right.contains('x') {
            return Err(fail());
        }
        let number = |t: &str| -> Result<Decimal, ConditionError> {
            let t = t.trim().trim_end_matches('%').trim();
            crate::value::exact_decimal(t, false).map_err(|e| match e {
                crate::value::DecimalError::NotANumber => fail(),
                crate::value::DecimalError::Inexact(why) => {
                    ConditionError::Inexact(text.to_owned(), why)
                }
            })
        };
        let mut condition = Condition::ANY;
        let left = left.trim();
        if !left.is_empty() {
            let (value, inclusive) = if let Some(v) = left.strip_suffix("<=") {
                (v, true)
            } else if let Some(v) = left.strip_suffix('<') {
                (v, false)
            } else {
                return Err(fail());
            };
            condition.lower = Some(Bound {
                value: number(value)?,
                inclusive,
            });
        }
        let right = right.trim();
        if !right.is_empty() {
            let (op, value) = ["<=", ">=", "<", ">", "="]
                .iter()
                .find_map(|op| right.strip_prefix(op).map(|v| (*op, v)))
                .ok_or_else(fail)?;
            let value = number(value)?;
            let set_lower = |c: &mut Condition, inclusive| {
                if c.lower.is_some() {
                    return Err(fail());
                }
                c.lower = Some(Bound { value, inclusive });
                Ok(())
            };
            match op {
                "<=" => {
                    condition.upper = Some(Bound {
                        value,
                        inclusive: true,
                    })
                }
                "<" => {
                    condition.upper = Some(Bound {
                        value,
                        inclusive: false,
                    })
                }
                ">=" => set_lower(&mut condition, true)?,
                ">" => set_lower(&mut condition, false)?,
                _ => {
                    set_lower(&mut condition, true)?;
                    condition.upper = Some(Bound {
                        value,
                        inclusive: true,
                    });
                }
            }
        }
        if condition == Condition::ANY {
            return Err(fail());
        }
        Ok(condition)
    }
}

impl fmt::Display for Condition {
    /// Writes the canonical form, which reads back to the same condition.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = |inclusive: bool| if inclusive { "<=" } else { "<" };
        match (self.lower, self.upper) {
            (None, None) => f.write_str("any"),
            (Some(lo), Some(hi)) if lo.value == hi.value && lo.inclusive && hi.inclusive => {
                write!(f, "x = {}", lo.value.normalize())
            }
            (Some(lo), Some(hi)) => write!(
                f,
                "{} {} x {} {}",
                lo.value.normalize(),
                op(lo.inclusive),
                op(hi.inclusive),
                hi.value.normalize()
            ),
            (Some(lo), None) => {
                write!(
                    f,
                    "x {} {}",
                    if lo.inclusive { ">=" } else { ">" },
                    lo.value.normalize()
                )
            }
            (None, Some(hi)) => write!(f, "x {} {}", op(hi.inclusive), hi.value.normalize()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn when(text: &str) -> Condition {
        text.parse().expect("valid condition")
    }

    fn d(text: &str) -> Decimal {
        text.parse().expect("decimal")
    }

    #[test]
    fn reads_every_printed_form() {
        assert_eq!(when("x >= 100").to_string(), "x >= 100");
        assert_eq!(when("x ≥ 15%").to_string(), "x >= 15");
        assert_eq!(when("70 <= x <= 100").to_string(), "70 <= x <= 100");
        assert_eq!(when("50 ≤ x < 70").to_string(), "50 <= x < 70");
        assert_eq!(when("x = 100").to_string(), "x = 100");
        assert_eq!(when("x < 0.5").to_string(), "x < 0.5");
        assert_eq!(when("80 < x <= 90").to_string(), "80 < x <= 90");
        assert_eq!(when("any"), Condition::ANY);
    }

    #[test]
    fn rejects_nonsense() {
        for text in [
            "",
            "x",
            "x >> 5",
            "5 > x",
            "x >= five",
            "1 <= x >= 2",
            "x < 1 < x",
            "between 5 and 6",
        ] {
            assert!(
                text.parse::<Condition>().is_err(),
                "{text} should be rejected"
            );
        }
    }

    #[test]
    fn edges_are_exact() {
        let tier = when("50 <= x < 70");
        assert!(tier.contains(d("50")));
        assert!(tier.contains(d("69.999999")));
        assert!(!tier.contains(d("70")));
        assert!(!tier.contains(d("49.99")));
        let above = when("80 < x <= 90");
        assert!(!above.contains(d("80")));
        assert!(above.contains(d("80.001")));
        assert!(above.contains(d("90")));
    }

    #[test]
    fn ratios_compare_without_rounding() {
        let three_quarters = when("x >= 75");
        assert!(three_quarters.contains_ratio(d("3"), d("4"), d("100")));
        assert!(!three_quarters.contains_ratio(d("2"), d("3"), d("100")));
        // 2/3 is 66.666…%: below 66.67, above 66.66, never equal to either.
        assert!(when("x < 66.67").contains_ratio(d("2"), d("3"), d("100")));
        assert!(when("x > 66.66").contains_ratio(d("2"), d("3"), d("100")));
    }

    #[test]
    fn knows_empty_ranges() {
        assert!(when("5 < x < 5").is_empty());
        assert!(when("10 <= x <= 1").is_empty());
        assert!(!when("5 <= x <= 5").is_empty());
    }
}
