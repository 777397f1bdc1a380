//! A tiers rule (or a survey's tiers over the share satisfied) compiled to comparisons of whole
//! numbers, for the numbers, ratios and shares a packed cell holds: a column of percents
//! repeats few values but many ratios, so most of a tiers leaf's values miss the memo of
//! points, and building each value, its context and its outcome to compare it with a few
//! bounds cost more than the comparisons.
//!
//! Every bound is kept as a whole number at the greatest scale `S` of the rule's bounds. A value
//! is the fraction `p / q` (`q > 0`), brought to that scale once as `⌊p × 10^S / q⌋` and whether
//! the division left a remainder: it is below a bound `B` when that whole is below `B`, equal
//! when they are equal and nothing remained, and above otherwise, exactly, in 128 bits. So the
//! value's key, twice the whole plus one for a remainder, stands to `2B` as the value stands to
//! `B`, and each tier holds the keys of a range: every tier is tried at once, without a branch
//! a column's varied values would mispredict. Where a
//! product would not fit, where the value is not a number or a ratio, or where no tier holds it
//! (a gap, which the rule words a warning for), the compiled rule gives nothing and the rule
//! itself is evaluated: the points given are always the rule's.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::condition::{Bound, Condition};
use crate::packed_cell::{PackedCell, PackedValue};
use crate::rule::{Measure, Rule, SurveyMode, SurveyRule, Tier, Tiers};

/// A tiers rule's conditions as whole numbers, with each tier's points.
#[derive(Debug, Clone)]
pub(crate) struct CompiledTiers {
    measured: Measured,
    /// `10^S`, `S` the greatest scale of the rule's bounds.
    power: i128,
    /// 100, at that scale: where a percent is clipped.
    hundred: i128,
    /// 10^28, at that scale: a survey's share is left to the rule beyond it, since the rule
    /// computes the share as a decimal and refuses one beyond a decimal's range (about
    /// 7.9 × 10^28). A tiers rule compares a ratio with its bounds without computing it.
    computable: i128,
    tiers: Box<[(WholeCondition, Decimal)]>,
    /// Per tier, its points' packed word.
    words: Box<[Option<u64>]>,
}

/// What the tiers compare, and the values that measure it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measured {
    /// A number (a count or any number).
    Number,
    /// A percent: a number, above 100 counted as 100, or a ratio's share, above 100% counted
    /// as 100%.
    Percent,
    /// A survey's share satisfied, of one part not split by group: as a percent, not clipped.
    SurveyShare,
}

/// A condition as the range of the keys ([`Scaled::key`]) of the values it holds.
#[derive(Debug, Clone, Copy)]
struct WholeCondition {
    lowest: i128,
    highest: i128,
}

/// The most tiers a compiled rule tries at once, one bit each.
const MOST_TIERS: usize = 64;

/// A value `x` at the rule's scale: `x × 10^S` is `whole` and a fraction below one, which is
/// zero when `exact`.
#[derive(Debug, Clone, Copy)]
struct Scaled {
    whole: i128,
    exact: bool,
}

/// A value as the fraction `numerator / denominator`, the denominator positive.
#[derive(Debug, Clone, Copy)]
struct Fraction {
    numerator: i128,
    denominator: i128,
}

impl CompiledTiers {
    /// The rule compiled, when it is a tiers rule, or a survey's tiers over the share
    /// satisfied whose responses are not split by group.
    pub(crate) fn of(rule: &Rule) -> Option<Self> {
        let (measured, tiers): (Measured, &[Tier]) = match rule {
            Rule::Tiers(Tiers { measure, tiers, .. }) => match measure {
                Measure::Percent => (Measured::Percent, tiers),
                _ => (Measured::Number, tiers),
            },
            Rule::Survey(SurveyRule {
                mode: SurveyMode::Share { tiers, .. },
                groups,
                ..
            }) if groups.is_empty() => (Measured::SurveyShare, tiers),
            _ => return None,
        };
        let scale = tiers
            .iter()
            .flat_map(|tier| [tier.when.lower, tier.when.upper])
            .flatten()
            .map(|bound| bound.value.scale())
            .max()
            .unwrap_or(0);
        let power = power_of_ten(scale)?;
        if tiers.len() > MOST_TIERS {
            return None;
        }
        let tiers: Box<[(WholeCondition, Decimal)]> = tiers
            .iter()
            .map(|tier| Some((WholeCondition::of(&tier.when, scale)?, tier.points)))
            .collect::<Option<_>>()?;
        let words = tiers
            .iter()
            .map(|(_, points)| crate::packed::node_word(*points))
            .collect();
        Some(CompiledTiers {
            measured,
            power,
            hundred: times(100, power)?,
            computable: times(power_of_ten(28)?, power)?,
            tiers,
            words,
        })
    }

    /// The points of the first tier that holds the value in `cell`, as the rule gives them;
    /// `None` when the rule itself is to say (see the module's documentation).
    #[inline]
    pub(crate) fn points(&self, cell: PackedCell) -> Option<Decimal> {
        self.tier(cell).map(|i| self.tiers[i].1)
    }

    /// [`CompiledTiers::points`] as a node's packed word ([`crate::packed::node_word`]);
    /// `None` too for points too wide to pack.
    #[inline]
    pub(crate) fn points_word(&self, cell: PackedCell) -> Option<u64> {
        self.words[self.tier(cell)?]
    }

    /// The position of the first tier that holds the value in `cell`.
    #[inline]
    fn tier(&self, cell: PackedCell) -> Option<usize> {
        let x = match (cell.packed_value()?, self.measured) {
            (PackedValue::Number(n), Measured::Number) => Fraction::of(n)?.scaled(self.power)?,
            // A percent above 100 counts as 100, as the rule counts it: a number, or a ratio
            // whose numerator is above its denominator.
            (PackedValue::Number(n), Measured::Percent) => {
                self.at_most_hundred(Fraction::of(n)?.scaled(self.power)?)
            }
            // A ratio of whole numbers, as counts are, is a multiplication and a division.
            (PackedValue::Ratio((n, 0), (d, 0)), Measured::Percent) if d > 0 => self
                .at_most_hundred(floor_div(
                    times(i128::from(n), self.hundred)?,
                    i128::from(d),
                )),
            (PackedValue::Ratio(n, d), Measured::Percent) => {
                self.at_most_hundred(Fraction::share(n, d)?.scaled(self.power)?)
            }
            (PackedValue::Share(n, d), Measured::SurveyShare) => {
                self.computed(Fraction::share(n, d)?.scaled(self.power)?)?
            }
            _ => return None,
        };
        let key = x.key()?;
        let held = self
            .tiers
            .iter()
            .enumerate()
            .fold(0u64, |held, (i, (when, _))| {
                held | u64::from(when.holds(key)) << i
            });
        (held != 0).then(|| held.trailing_zeros() as usize)
    }

    /// A survey's share, when the rule computes it too.
    fn computed(&self, x: Scaled) -> Option<Scaled> {
        (x.whole.unsigned_abs() <= self.computable.unsigned_abs()).then_some(x)
    }

    #[inline]
    fn at_most_hundred(&self, x: Scaled) -> Scaled {
        match x.against(self.hundred) {
            Ordering::Greater => Scaled::whole(self.hundred),
            _ => x,
        }
    }
}

impl WholeCondition {
    /// The condition with its bounds at `scale`, at least each bound's own.
    fn of(condition: &Condition, scale: u32) -> Option<Self> {
        // A value is at a bound `B` when its key is `2B`; past it when the key is beyond.
        let lowest = match condition.lower {
            Some(bound) => doubled(bound, scale)?.checked_add(i128::from(!bound.inclusive))?,
            None => i128::MIN,
        };
        let highest = match condition.upper {
            Some(bound) => doubled(bound, scale)?.checked_sub(i128::from(!bound.inclusive))?,
            None => i128::MAX,
        };
        Some(WholeCondition { lowest, highest })
    }

    /// Whether the condition holds the value of `key`.
    #[inline(always)]
    fn holds(&self, key: i128) -> bool {
        (self.lowest <= key) & (key <= self.highest)
    }
}

/// Twice a bound at `scale`: `2B`, the key of a value at the bound.
fn doubled(bound: Bound, scale: u32) -> Option<i128> {
    let power = power_of_ten(scale.checked_sub(bound.value.scale())?)?;
    times(bound.value.mantissa(), power)?.checked_mul(2)
}

impl Scaled {
    fn whole(whole: i128) -> Self {
        Scaled { whole, exact: true }
    }

    /// The value's key: `2 × whole`, plus one when a fraction remained, which stands to `2B`
    /// as the value stands to a bound `B`; `None` when it does not fit.
    #[inline]
    fn key(self) -> Option<i128> {
        self.whole
            .checked_mul(2)?
            .checked_add(i128::from(!self.exact))
    }

    /// `x` against a bound at the rule's scale.
    #[inline]
    fn against(self, bound: i128) -> Ordering {
        match self.whole.cmp(&bound) {
            Ordering::Equal if !self.exact => Ordering::Greater,
            order => order,
        }
    }
}

impl Fraction {
    /// The fraction at the scale of `power` (`10^S`): `⌊p × 10^S / q⌋`, and whether nothing
    /// remained; `None` when the product does not fit.
    #[inline]
    fn scaled(self, power: i128) -> Option<Scaled> {
        Some(floor_div(times(self.numerator, power)?, self.denominator))
    }

    /// A decimal given as its mantissa and scale.
    fn of((mantissa, scale): (i64, u32)) -> Option<Self> {
        Some(Fraction {
            numerator: i128::from(mantissa),
            denominator: power_of_ten(scale)?,
        })
    }

    /// `100 × n ÷ d` for a ratio `n/d` of a positive denominator.
    fn share(n: (i64, u32), d: (i64, u32)) -> Option<Self> {
        let (n, d) = (Fraction::of(n)?, Fraction::of(d)?);
        if d.numerator <= 0 {
            return None;
        }
        // n/d = (n.numerator × d.denominator) / (n.denominator × d.numerator).
        Some(Fraction {
            numerator: times(times(n.numerator, d.denominator)?, 100)?,
            denominator: times(n.denominator, d.numerator)?,
        })
    }
}

/// `⌊numerator / denominator⌋` for a positive denominator, and whether nothing remained.
#[inline]
fn floor_div(numerator: i128, denominator: i128) -> Scaled {
    // The Euclidean quotient by a positive denominator is the floor; a division of 64 bits
    // costs a fraction of one of 128.
    let (whole, rest) = match (i64::try_from(numerator), i64::try_from(denominator)) {
        (Ok(n), Ok(d)) => (i128::from(n.div_euclid(d)), n.rem_euclid(d)),
        _ => (
            numerator.div_euclid(denominator),
            i64::from(numerator.rem_euclid(denominator) != 0),
        ),
    };
    Scaled {
        whole,
        exact: rest == 0,
    }
}

/// `a × b`, `None` when it does not fit: a product of two factors that fit 64 bits always fits
/// 128 and needs no check, which a 128-bit multiplication's costs several times over.
#[inline]
fn times(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(a), Ok(b)) => Some(i128::from(a) * i128::from(b)),
        _ => a.checked_mul(b),
    }
}

/// `10^scale`, for the scales a decimal has.
#[inline]
fn power_of_ten(scale: u32) -> Option<i128> {
    POWERS_OF_TEN.get(scale as usize).copied()
}

/// `10^i` for the scales 0 to 28 a decimal has.
const POWERS_OF_TEN: [i128; 29] = {
    let mut powers = [1i128; 29];
    let mut i = 1;
    while i < powers.len() {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{Context, Fired};
    use crate::shipped;
    use crate::value::Input;
    use crate::value::{Survey, Value};
    use proptest::prelude::*;

    fn decimal() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            (0i64..200, 0u32..3).prop_map(|(m, s)| Decimal::new(m, s)),
            (-(1i64 << 23)..(1i64 << 23), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
            (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            decimal().prop_map(Value::Number),
            (decimal(), decimal()).prop_map(|(numerator, denominator)| Value::Ratio {
                numerator,
                denominator
            }),
            (decimal(), decimal())
                .prop_map(|(satisfied, respondents)| share(satisfied, respondents)),
        ]
    }

    fn share(satisfied: Decimal, respondents: Decimal) -> Value {
        Value::Survey(Box::new(Survey::share(satisfied, respondents)))
    }

    /// Every tiers rule and survey rule of the shipped sets that compiles, with its node's
    /// maximum.
    fn shipped_tiers() -> Vec<(Rule, Decimal)> {
        shipped::list()
            .into_iter()
            .filter_map(|s| shipped::load(&s.id).ok())
            .flat_map(|loaded| {
                loaded
                    .set
                    .nodes
                    .iter()
                    .filter_map(|n| {
                        let rule = n.rule.as_ref()?;
                        CompiledTiers::of(rule).map(|_| (rule.clone(), n.max))
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// What the compiled rule gives, against what the rule gives: the same points, or
    /// nothing, when the rule fires a tier; nothing otherwise. Whether it gave points.
    fn agrees(rule: &Rule, max: Decimal, value: &Value) -> Result<bool, TestCaseError> {
        let compiled = CompiledTiers::of(rule).ok_or_else(|| TestCaseError::fail("compiles"))?;
        let Some(cell) = PackedCell::pack_input(&Input::Value(value.clone()), None) else {
            return Ok(false);
        };
        let given = compiled.points(cell);
        let ctx = Context::with_policy(max, &crate::model::Policy::default());
        match (rule.evaluate(value, &ctx), given) {
            (Ok(outcome), Some(points)) => {
                prop_assert!(
                    matches!(
                        outcome.fired,
                        Fired::Tier(_) | Fired::Survey { tier: Some(_), .. }
                    ),
                    "{value:?}"
                );
                prop_assert_eq!(outcome.points.serialize(), points.serialize());
                Ok(true)
            }
            (_, None) => Ok(false),
            (Err(e), Some(points)) => Err(TestCaseError::fail(format!(
                "{value:?}: the rule refuses ({e}), the compiled rule gives {points}"
            ))),
        }
    }

    proptest! {
        #[test]
        fn compiled_tiers_give_what_the_rule_gives(
            rule in prop::sample::select(shipped_tiers()),
            value in value(),
        ) {
            agrees(&rule.0, rule.1, &value)?;
        }
    }

    #[test]
    fn usual_values_are_given_by_the_compiled_rule_on_every_bound() {
        let rule = Rule::Tiers(Tiers {
            tiers: vec![
                Tier::new("x >= 100", Decimal::from(2)),
                Tier::new("80 <= x < 100", Decimal::new(15, 1)),
                Tier::new("50 < x < 80", Decimal::ONE),
                Tier::new("x <= 50", Decimal::ZERO),
            ],
            ..Tiers::default()
        });
        let mut given = 0;
        for d in 1..=60i64 {
            for n in 0..=d + 2 {
                let ratio = Value::Ratio {
                    numerator: Decimal::from(n),
                    denominator: Decimal::from(d),
                };
                given += usize::from(agrees(&rule, Decimal::from(2), &ratio).expect("agrees"));
            }
        }
        for x in 0..=1200i64 {
            let number = Value::Number(Decimal::new(x, 1));
            given += usize::from(agrees(&rule, Decimal::from(2), &number).expect("agrees"));
        }
        // Every one of these values is a ratio or a number that a tier holds.
        assert_eq!(
            given,
            (1..=60).map(|d| d as usize + 3).sum::<usize>() + 1201
        );
    }

    #[test]
    fn products_are_exact_or_refused() {
        let wide = i128::from(i64::MAX);
        assert_eq!(times(wide, wide), Some(wide * wide));
        assert_eq!(times(i128::from(i64::MIN), -1), Some(-i128::from(i64::MIN)));
        assert_eq!(times(wide + 1, 3), Some(3 * (wide + 1)));
        assert_eq!(times(i128::MAX / 2 + 1, 2), None);
        assert_eq!(times(i128::MIN, -1), None);
    }

    #[test]
    fn a_survey_share_is_compared_as_its_percent_without_clipping() {
        let tiers = vec![
            Tier::new("x >= 90", Decimal::from(3)),
            Tier::new("70 <= x < 90", Decimal::from(2)),
            Tier::new("x < 70", Decimal::ZERO),
        ];
        let rule = Rule::Survey(SurveyRule {
            mode: SurveyMode::Share { tiers, gap: None },
            groups: Vec::new(),
            satisfied: Vec::new(),
        });
        let mut given = 0;
        for respondents in 1..=40i64 {
            for satisfied in 0..=respondents {
                let value = share(Decimal::from(satisfied), Decimal::from(respondents));
                given += usize::from(agrees(&rule, Decimal::from(3), &value).expect("agrees"));
            }
        }
        assert_eq!(given, (1..=40).map(|r| r as usize + 1).sum::<usize>());
        // Responses split by group are the rule's to weigh.
        let Rule::Survey(mut split) = rule else {
            unreachable!("a survey rule")
        };
        split.groups = vec![("citizens".to_owned(), Decimal::ONE)];
        assert!(CompiledTiers::of(&Rule::Survey(split)).is_none());
    }

    #[test]
    fn a_share_beyond_a_decimals_range_is_left_to_the_rule_which_refuses_it() {
        let tiers = || {
            vec![
                Tier::new("x >= 50", Decimal::ONE),
                Tier::new("x < 50", Decimal::ZERO),
            ]
        };
        let survey = Rule::Survey(SurveyRule {
            mode: SurveyMode::Share {
                tiers: tiers(),
                gap: None,
            },
            groups: Vec::new(),
            satisfied: Vec::new(),
        });
        let (huge, tiny) = (Decimal::from(-1_911_784), Decimal::new(1, 21));
        let value = share(huge, tiny);
        let compiled = CompiledTiers::of(&survey).expect("compiles");
        let cell = PackedCell::pack_input(&Input::Value(value.clone()), None).expect("packs");
        assert_eq!(compiled.points(cell), None);
        let ctx = Context::with_policy(Decimal::ONE, &crate::model::Policy::default());
        assert!(survey.evaluate(&value, &ctx).is_err());
        // A tiers rule compares the same ratio with its bounds without computing it, and the
        // compiled rule gives what it gives.
        let percent = Rule::Tiers(Tiers {
            tiers: tiers(),
            ..Tiers::default()
        });
        for numerator in [huge, -huge] {
            let ratio = Value::Ratio {
                numerator,
                denominator: tiny,
            };
            assert_eq!(agrees(&percent, Decimal::ONE, &ratio).ok(), Some(true));
        }
        // Just within a decimal's range, the compiled rule gives what the rule gives.
        let within = share(Decimal::from(-1_000_000), Decimal::new(1, 20));
        assert_eq!(agrees(&survey, Decimal::ONE, &within).ok(), Some(true));
    }
}
