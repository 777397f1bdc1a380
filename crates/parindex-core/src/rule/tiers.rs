//! Ordered tiers over a measure (a percent, a count or a number); the first that matches wins.

use rust_decimal::Decimal;

use super::{
    Context, Fired, InputShape, Outcome, RuleBody, RuleChecks, RuleError, RuleKind, fired,
    gap_explained, no_tier, show_value, tier_index, wrong_measurement,
};
use crate::condition::Condition;
use crate::diagnostic::Check;
use crate::load::MAX_LIST_ITEMS;
use crate::model::{Node, TierGap};
use crate::names::named;
use crate::spanned::{At, Reader};
use crate::text::plural;
use crate::validate::test_points;
use crate::value::{self, Value};
use crate::write::{number, quote};

/// A tiers rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tiers {
    /// What is measured.
    pub measure: Measure,
    /// Which direction is better.
    pub better: Better,
    /// The tiers, as printed.
    pub tiers: Vec<Tier>,
    /// Whether a percent above 100% counts as 100% ("100% or more"), instead of being refused.
    pub clip: bool,
    /// What a value in a gap between the tiers does; `None` leaves it to the set's
    /// `tier_gap`.
    pub gap: Option<TierGap>,
}

impl Default for Tiers {
    fn default() -> Self {
        Tiers {
            measure: Measure::Percent,
            better: Better::Higher,
            tiers: Vec::new(),
            clip: false,
            gap: None,
        }
    }
}

/// A share above 100% counted as 100%: the ratio, and whether it was clipped.
fn clipped(numerator: Decimal, denominator: Decimal) -> (Decimal, Decimal, bool) {
    if numerator > denominator {
        (denominator, denominator, true)
    } else {
        (numerator, denominator, false)
    }
}

/// A tier: a range of the measure and the points it earns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    /// The range, as printed.
    pub when: Condition,
    /// Points in this range.
    pub points: Decimal,
    /// The answer as printed.
    pub label: Option<String>,
}

impl Tier {
    /// A tier from a condition's text; panics on invalid text, so meant for examples and tests.
    pub fn new(when: &str, points: Decimal) -> Self {
        let when = when.parse().unwrap_or_else(|e| panic!("{e}"));
        Tier {
            when,
            points,
            label: None,
        }
    }
}

/// What a tier rule measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// A share in [0, 100]: `87.5`, `87.5%` or `45/50`.
    Percent,
    /// A whole number of items, at least 0.
    Count,
    /// Any number.
    Number,
}

named!(Measure, "measure", {
    Percent => "percent",
    Count => "count",
    Number => "number",
});

/// Which direction of a measure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is better (the usual case).
    Higher,
    /// Less is better (violations, days late).
    Lower,
}

named!(Better, "direction", {
    Higher => "higher",
    Lower => "lower",
});

/// Reads a rule's `[[node.rule.tier]]` tables.
pub(super) fn read_tiers(reader: &mut Reader<'_>, at: &At<'_, '_>) -> Option<Vec<Tier>> {
    let tier_tables = reader.tables(at, "tier");
    if tier_tables.is_empty() {
        let message = "the rule has no [[node.rule.tier]]".to_owned();
        reader.report(Check::MissingKey, &at.span, at.code.as_deref(), message);
        return None;
    }
    if !reader.within_limit(&tier_tables, "tiers", MAX_LIST_ITEMS) {
        return None;
    }
    let mut tiers = Vec::new();
    for tier_at in &tier_tables {
        reader.known_keys(tier_at, &["when", "points", "label"], "a tier");
        let when = reader.condition(tier_at, "when");
        let points = reader.decimal(tier_at, "points", true);
        let label = reader.string(tier_at, "label", false);
        tiers.push(Tier {
            when: when?,
            points: points?,
            label,
        });
    }
    Some(tiers)
}

/// Tiers as an inline TOML array.
pub(super) fn write_tiers(tiers: &[Tier]) -> String {
    let items: Vec<String> = tiers
        .iter()
        .map(|t| {
            let label = t
                .label
                .as_ref()
                .map(|l| format!(", label = {}", quote(l)))
                .unwrap_or_default();
            format!(
                "{{ when = {}, points = {}{label} }}",
                quote(&t.when.to_string()),
                number(t.points)
            )
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// Reads a rule's `gap`, its own tier-gap policy.
pub(super) fn read_gap(reader: &mut Reader<'_>, at: &At<'_, '_>) -> Option<Option<TierGap>> {
    reader.choice(at, "gap")
}

/// Writes a rule's own tier-gap policy, when it declares one.
pub(super) fn write_gap(gap: Option<TierGap>, f: &mut Vec<String>) {
    if let Some(gap) = gap {
        f.push(format!("gap = {}", quote(gap.as_str())));
    }
}

/// Checks that tiers cover the measure without a gap, that each can match, and that better
/// values never earn fewer points. A gap is an error under the `refuse` tier-gap policy (the
/// rule's own `gap`, else the set's), and a warning under `zero`.
pub(super) fn check_tiers(
    checks: &mut RuleChecks<'_>,
    measure: Measure,
    better: Better,
    tiers: &[Tier],
    gap: Option<TierGap>,
) {
    let conditions: Vec<&Condition> = tiers.iter().map(|t| &t.when).collect();
    let points = test_points(&conditions, measure);
    let first_match = |x: Decimal| tiers.iter().position(|t| t.when.contains(x));
    let matched: Vec<bool> = points.iter().map(|x| first_match(*x).is_some()).collect();
    if let Some(start) = matched.iter().position(|m| !m) {
        let end = matched[start..]
            .iter()
            .position(|m| *m)
            .map_or(points.len() - 1, |n| start + n - 1);
        let bounds: Vec<Decimal> = conditions.iter().flat_map(|c| c.bounds()).collect();
        let range = gap_range(&points, start, end, &bounds, measure);
        match gap.unwrap_or(checks.tier_gap) {
            TierGap::Refuse => checks.report(Check::TierGap, format!("no tier covers {range}")),
            TierGap::Zero => checks.warn(
                Check::TierGap,
                format!("no tier covers {range}: {}", super::GAP_SCORED_ZERO),
            ),
        }
    }
    for (i, tier) in tiers.iter().enumerate() {
        if !points.iter().any(|x| first_match(*x) == Some(i)) {
            let message = format!(
                "tier {} (`{}`) can never match: earlier tiers cover it",
                i + 1,
                tier.when
            );
            checks.report(Check::TierUnreachable, message);
        }
    }
    let mut previous: Option<(Decimal, Decimal)> = None;
    for x in &points {
        let Some(i) = first_match(*x) else { continue };
        let here = tiers[i].points;
        if let Some((px, pp)) = previous {
            let worse = match better {
                Better::Higher => here < pp,
                Better::Lower => here > pp,
            };
            if worse {
                let message = format!(
                    "tiers are out of order: x = {} gives {} but the better x = {} gives {}",
                    px.normalize(),
                    plural(pp.normalize(), "point"),
                    x.normalize(),
                    here.normalize()
                );
                checks.report(Check::TierOrder, message);
                break;
            }
        }
        previous = Some((*x, here));
    }
}

/// One end of a range of values.
enum End {
    /// Unbounded.
    Open,
    /// Up to and including this value.
    Included(Decimal),
    /// Up to, not including, this value.
    Excluded(Decimal),
}

/// The values from `points[start]` to `points[end]`, none of which a tier covers, as a range
/// written like a tier's condition: each end is a bound of the tiers (included), the bound
/// beside a point between two bounds (excluded), or open beyond the last bound.
fn gap_range(
    points: &[Decimal],
    start: usize,
    end: usize,
    bounds: &[Decimal],
    measure: Measure,
) -> String {
    let is_bound = |x: Decimal| bounds.contains(&x);
    // Counts are whole numbers, and percents lie in [0, 100]: their ends are values themselves.
    let whole = measure == Measure::Count;
    let (low, high) = (points[start], points[end]);
    let last = end + 1 == points.len();
    let lower = if whole || is_bound(low) || (start == 0 && low.is_zero()) {
        End::Included(low)
    } else if start > 0 {
        End::Excluded(points[start - 1])
    } else {
        End::Open
    };
    let upper = if (whole && !last)
        || is_bound(high)
        || (measure == Measure::Percent && high == Decimal::ONE_HUNDRED)
    {
        End::Included(high)
    } else if !last {
        End::Excluded(points[end + 1])
    } else {
        End::Open
    };
    let n = |x: Decimal| x.normalize();
    match (lower, upper) {
        (End::Included(a), End::Included(b)) if a == b => format!("x = {}", n(a)),
        (End::Open, End::Open) => "every value".to_owned(),
        (End::Included(a), End::Open) => format!("x >= {}", n(a)),
        (End::Excluded(a), End::Open) => format!("x > {}", n(a)),
        (lower, upper) => {
            let lower = match lower {
                End::Included(a) => format!("{} <= ", n(a)),
                End::Excluded(a) => format!("{} < ", n(a)),
                End::Open => String::new(),
            };
            let upper = match upper {
                End::Included(b) => format!(" <= {}", n(b)),
                End::Excluded(b) => format!(" < {}", n(b)),
                End::Open => String::new(),
            };
            format!("{lower}x{upper}")
        }
    }
}

impl RuleBody for Tiers {
    fn keys() -> &'static [&'static str] {
        &["measure", "better", "tier", "clip", "gap"]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, _: Decimal) -> Option<Self> {
        let measure = reader.choice(at, "measure");
        let better = reader.choice(at, "better");
        let tiers = read_tiers(reader, at);
        let clip = reader.boolean(at, "clip").unwrap_or(false);
        let gap = read_gap(reader, at);
        Some(Tiers {
            measure: measure?.unwrap_or(Measure::Percent),
            better: better?.unwrap_or(Better::Higher),
            tiers: tiers?,
            clip,
            gap: gap?,
        })
    }

    fn write(&self, f: &mut Vec<String>) {
        f.push(format!("measure = {}", quote(self.measure.as_str())));
        if self.better != Better::Higher {
            f.push(format!("better = {}", quote(self.better.as_str())));
        }
        f.push(format!("tier = {}", write_tiers(&self.tiers)));
        if self.clip {
            f.push("clip = true".to_owned());
        }
        write_gap(self.gap, f);
    }

    fn input(&self) -> InputShape<'_> {
        match self.measure {
            Measure::Percent => InputShape::Percent,
            Measure::Count => InputShape::Count,
            Measure::Number => InputShape::Number,
        }
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        match self.measure {
            Measure::Percent => value::parse_share(t, self.clip).map_err(RuleError::Unreadable),
            Measure::Count => super::count_input(t),
            Measure::Number => super::number_input(t),
        }
    }

    fn evaluate(&self, value: &Value, ctx: &Context) -> Result<Outcome, RuleError> {
        let position = match (self.measure, value) {
            (
                Measure::Percent,
                Value::Ratio {
                    numerator,
                    denominator,
                },
            ) => {
                let (n, d, _) = clipped(*numerator, *denominator);
                self.tiers
                    .iter()
                    .position(|t| t.when.contains_ratio(n, d, Decimal::ONE_HUNDRED))
            }
            (Measure::Percent, Value::Number(x)) => {
                let x = (*x).min(Decimal::ONE_HUNDRED);
                self.tiers.iter().position(|t| t.when.contains(x))
            }
            (_, Value::Number(x)) => self.tiers.iter().position(|t| t.when.contains(*x)),
            _ => return Err(wrong_measurement(value, RuleKind::Tiers)),
        };
        match position {
            Some(i) => fired(self.tiers[i].points, Fired::Tier(tier_index(i))),
            None => no_tier(self.gap, ctx, value, None),
        }
    }

    fn points_range(&self, _: Decimal) -> (Decimal, Decimal) {
        super::span(self.tiers.iter().map(|t| t.points))
    }

    fn explain(&self, value: &Value, outcome: &Outcome) -> Option<String> {
        let shown = show_value(value, self.measure == Measure::Percent);
        let i = match outcome.fired {
            Fired::Tier(i) => i,
            Fired::Gap { .. } => return Some(gap_explained(&shown)),
            _ => return None,
        };
        let tier = self.tiers.get(usize::from(i))?;
        let shown = show_value(value, self.measure == Measure::Percent);
        let over = match value {
            Value::Ratio {
                numerator,
                denominator,
            } => clipped(*numerator, *denominator).2,
            Value::Number(x) => self.measure == Measure::Percent && *x > Decimal::ONE_HUNDRED,
            _ => false,
        };
        let counted = if over { ", counted as 100%" } else { "" };
        Some(format!(
            "{shown}{counted} → tier {} → {}",
            tier.when,
            outcome.points.normalize()
        ))
    }

    fn validate(&self, _: &Node, checks: &mut RuleChecks<'_>) {
        if self.clip && self.measure != Measure::Percent {
            let message = format!(
                "`clip` counts a percent above 100% as 100%, but the rule measures a {}",
                self.measure
            );
            checks.report(Check::WrongType, message);
        }
        check_tiers(checks, self.measure, self.better, &self.tiers, self.gap);
    }

    fn outcome_points(&self) -> Option<Vec<Decimal>> {
        Some(self.tiers.iter().map(|t| t.points).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::test_support::{d, explained};
    use crate::rule::{Proportional, Rule};

    /// "100% or more: 2 points; 50% to under 100%: 1; under 50%: 0."
    fn or_more(clip: bool) -> Rule {
        Rule::Tiers(Tiers {
            tiers: vec![
                Tier::new("x >= 100", d("2")),
                Tier::new("50 <= x < 100", d("1")),
                Tier::new("x < 50", d("0")),
            ],
            clip,
            ..Tiers::default()
        })
    }

    fn score(rule: &Rule, text: &str) -> Result<String, String> {
        explained(rule, text, "2")
    }

    #[test]
    fn a_percent_above_100_is_refused_unless_the_rule_clips_it() {
        assert!(score(&or_more(false), "11/10").is_err_and(|e| e.contains("outside 0–100%")));
        assert!(score(&or_more(false), "110%").is_err_and(|e| e.contains("outside 0–100%")));
        let rule = or_more(true);
        assert_eq!(
            score(&rule, "11/10").as_deref(),
            Ok("11/10 (110%), counted as 100% → tier x >= 100 → 2")
        );
        assert_eq!(
            score(&rule, "110%").as_deref(),
            Ok("110%, counted as 100% → tier x >= 100 → 2")
        );
        assert_eq!(
            score(&rule, "10/10").as_deref(),
            Ok("10/10 (100%) → tier x >= 100 → 2")
        );
        assert_eq!(
            score(&rule, "99/100").as_deref(),
            Ok("99/100 (99%) → tier 50 <= x < 100 → 1")
        );
        assert!(score(&rule, "-1%").is_err());
        assert_eq!(
            crate::rule_to_toml(&rule),
            r#"{ kind = "tiers", measure = "percent", tier = [{ when = "x >= 100", points = 2 }, { when = "50 <= x < 100", points = 1 }, { when = "x < 50", points = 0 }], clip = true }"#
        );
    }

    #[test]
    fn a_proportional_rule_that_clips_gives_no_more_than_100_percent() {
        let rule = Rule::Proportional(Proportional {
            clip: true,
            ..Proportional::default()
        });
        let points = |text: &str| {
            let value = rule.parse(text).map_err(String::from)?;
            rule.points(&value, d("2")).map_err(String::from)
        };
        assert_eq!(points("12/10"), Ok(d("2")));
        assert_eq!(points("9/10"), Ok(d("1.8")));
    }
}

#[cfg(test)]
pub(super) mod gap_tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::model::{Policy, TierGap};
    use crate::rule::Rule;
    use crate::rule::test_support::d;

    /// As printed: ≥ 80%: 2 points; 50% to under 70%: 1 point; under 50%: 0. Nothing for 70–80%.
    fn printed_with_a_gap(gap: Option<TierGap>) -> Rule {
        Rule::Tiers(Tiers {
            tiers: vec![
                Tier::new("x >= 80", d("2")),
                Tier::new("50 <= x < 70", d("1")),
                Tier::new("x < 50", d("0")),
            ],
            gap,
            ..Tiers::default()
        })
    }

    pub(in crate::rule) fn context(set: TierGap) -> Context {
        let policy = Policy {
            tier_gap: set,
            ..Policy::default()
        };
        Context::with_policy(d("2"), &policy)
    }

    /// The points for a text, or the refusal, with the set's policy `set`.
    pub(in crate::rule) fn score(rule: &Rule, text: &str, set: TierGap) -> Result<Decimal, String> {
        let value = rule.parse(text).map_err(String::from)?;
        let outcome = rule.evaluate(&value, &context(set)).map_err(String::from)?;
        Ok(outcome.points)
    }

    #[test]
    fn a_value_in_the_gap_scores_0_under_zero_from_its_lower_end_to_below_its_upper_end() {
        let rule = printed_with_a_gap(None);
        for (text, points) in [
            ("69.99", "1"),
            ("70", "0"),
            ("7/10", "0"),
            ("75", "0"),
            ("79.99%", "0"),
            ("7999/10000", "0"),
            ("80", "2"),
            ("4/5", "2"),
        ] {
            assert_eq!(score(&rule, text, TierGap::Zero), Ok(d(points)), "{text}");
        }
    }

    #[test]
    fn a_value_in_the_gap_is_refused_under_refuse_and_the_tiers_beside_it_still_score() {
        let rule = printed_with_a_gap(None);
        assert_eq!(score(&rule, "69.99", TierGap::Refuse), Ok(d("1")));
        assert_eq!(score(&rule, "80", TierGap::Refuse), Ok(d("2")));
        for (text, shown) in [
            ("70", "70"),
            ("75%", "75"),
            ("79.99", "79.99"),
            ("7/10", "7/10"),
        ] {
            assert_eq!(
                score(&rule, text, TierGap::Refuse),
                Err(format!("{shown} matches no tier")),
                "{text}"
            );
        }
        // Without the set's policy, a context is the default one: refuse.
        let value = rule.parse("75").expect("a percent");
        assert!(rule.points(&value, d("2")).is_err());
    }

    #[test]
    fn the_rules_own_gap_wins_over_the_sets() {
        let refuse = printed_with_a_gap(Some(TierGap::Refuse));
        let zero = printed_with_a_gap(Some(TierGap::Zero));
        assert_eq!(
            score(&refuse, "75", TierGap::Zero),
            Err("75 matches no tier".to_owned())
        );
        assert_eq!(score(&zero, "75", TierGap::Refuse), Ok(d("0")));
        assert_eq!(score(&zero, "75", TierGap::Zero), Ok(d("0")));
    }

    #[test]
    fn a_value_in_the_gap_explains_itself_and_warns() {
        let rule = printed_with_a_gap(Some(TierGap::Zero));
        let ctx = context(TierGap::Refuse);
        let value = rule.parse("75%").expect("a percent");
        let outcome = rule.evaluate(&value, &ctx).expect("scored 0");
        assert!(outcome.in_gap());
        assert_eq!(
            rule.explain(&value, &outcome),
            r#"75% → no tier covers it → 0 (gap = "zero")"#
        );
        assert_eq!(
            rule.gap_warning(&value, &outcome).as_deref(),
            Some(r#"no tier covers 75%: scored 0 (gap = "zero")"#)
        );
        let ratio = rule.parse("3/4").expect("a ratio");
        let outcome = rule.evaluate(&ratio, &ctx).expect("scored 0");
        assert_eq!(
            rule.gap_warning(&ratio, &outcome).as_deref(),
            Some(r#"no tier covers 3/4 (75%): scored 0 (gap = "zero")"#)
        );
        // A value a tier covers is no warning.
        let covered = rule.parse("80").expect("a percent");
        let outcome = rule.evaluate(&covered, &ctx).expect("scores");
        assert!(!outcome.in_gap());
        assert_eq!(rule.gap_warning(&covered, &outcome), None);
    }

    /// What validation says of the tiers, with the set's policy `set`.
    fn checked(rule: &Rule, set: TierGap) -> Vec<(Severity, Check, String)> {
        let Rule::Tiers(tiers) = rule else {
            panic!("tiers");
        };
        let mut found = Vec::new();
        let mut checks = RuleChecks {
            found: &mut found,
            tier_gap: set,
        };
        check_tiers(
            &mut checks,
            tiers.measure,
            tiers.better,
            &tiers.tiers,
            tiers.gap,
        );
        found
    }

    #[test]
    fn a_gap_is_an_error_under_refuse_and_a_warning_under_zero() {
        let error = || {
            let message = "no tier covers 70 <= x < 80".to_owned();
            vec![(Severity::Error, Check::TierGap, message)]
        };
        let warning = || {
            let message = r#"no tier covers 70 <= x < 80: scored 0 (gap = "zero")"#.to_owned();
            vec![(Severity::Warning, Check::TierGap, message)]
        };
        let inherits = printed_with_a_gap(None);
        assert_eq!(checked(&inherits, TierGap::Refuse), error());
        assert_eq!(checked(&inherits, TierGap::Zero), warning());
        let refuse = printed_with_a_gap(Some(TierGap::Refuse));
        assert_eq!(checked(&refuse, TierGap::Zero), error());
        let zero = printed_with_a_gap(Some(TierGap::Zero));
        assert_eq!(checked(&zero, TierGap::Refuse), warning());
    }

    #[test]
    fn the_rules_own_gap_is_written_back_when_it_declares_one() {
        assert!(!crate::rule_to_toml(&printed_with_a_gap(None)).contains("gap"));
        for gap in [TierGap::Refuse, TierGap::Zero] {
            let written = crate::rule_to_toml(&printed_with_a_gap(Some(gap)));
            assert!(
                written.ends_with(&format!(", gap = \"{gap}\" }}")),
                "{written}"
            );
        }
    }
}
