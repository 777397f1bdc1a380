//! Survey results: the share satisfied mapped to tiers, or counts per answer option weighted,
//! either of them per respondent group.

use rust_decimal::Decimal;

use super::tiers::{
    Better, Measure, Tier, check_tiers, read_gap, read_tiers, write_gap, write_tiers,
};
use super::{
    Context, Fired, InputShape, Outcome, RuleBody, RuleChecks, RuleError, RuleKind, fired,
    gap_explained, no_tier, percent_of, show_value, tier_index, wrong_measurement,
};
use crate::diagnostic::Check;
use crate::model::{Node, TierGap};
use crate::names::named;
use crate::spanned::{At, Reader};
use crate::value::{self, Responses, Survey, Value};
use crate::write::{pairs, quote};

/// A survey rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRule {
    /// Share satisfied mapped to tiers, or option-weighted counts.
    pub mode: SurveyMode,
    /// Respondent groups and their weights; empty when responses are not split.
    pub groups: Vec<(String, Decimal)>,
    /// The answers that count as satisfied when raw responses are tallied; empty when
    /// answers are read as yes or no.
    pub satisfied: Vec<String>,
}

/// How survey results become points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurveyMode {
    /// The share satisfied, mapped to tiers over a percent.
    Share {
        /// The tiers.
        tiers: Vec<Tier>,
        /// What a share in a gap between the tiers does; `None` leaves it to the set's
        /// `tier_gap`.
        gap: Option<TierGap>,
    },
    /// Counts per answer option, weighted: points are `max × Σ(count × weight) ÷ (100 × Σ count)`.
    Options {
        /// Answer options and their weights, in percent.
        options: Vec<(String, Decimal)>,
    },
}

impl SurveyMode {
    /// The mode's kind; its name is what a criteria file's `mode` writes.
    pub const fn kind(&self) -> SurveyModeKind {
        match self {
            SurveyMode::Share { .. } => SurveyModeKind::Share,
            SurveyMode::Options { .. } => SurveyModeKind::Options,
        }
    }
}

/// The kind of a [`SurveyMode`], as a criteria file's `mode` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyModeKind {
    /// [`SurveyMode::Share`].
    Share,
    /// [`SurveyMode::Options`].
    Options,
}

named!(SurveyModeKind, "survey mode", {
    Share => "share",
    Options => "options",
});

impl RuleBody for SurveyRule {
    fn keys() -> &'static [&'static str] {
        &["mode", "tier", "options", "groups", "satisfied", "gap"]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, _: Decimal) -> Option<Self> {
        let mode = reader.choice(at, "mode")?;
        let mode = match mode {
            Some(SurveyModeKind::Share) | None if !at.table.contains_key("options") => {
                let tiers = read_tiers(reader, at);
                let gap = read_gap(reader, at);
                SurveyMode::Share {
                    tiers: tiers?,
                    gap: gap?,
                }
            }
            _ => {
                if let Some(value) = at.table.get("gap") {
                    let message =
                        "`gap` is for the tiers of a survey share (`mode = \"share\"`); answer options leave no gap"
                            .to_owned();
                    reader.report(Check::WrongType, &value.span(), at.code.as_deref(), message);
                    return None;
                }
                let options = reader.weights(at, "options")?;
                if options.is_empty() {
                    let message = "missing key `options`".to_owned();
                    reader.report(Check::MissingKey, &at.span, at.code.as_deref(), message);
                    return None;
                }
                SurveyMode::Options { options }
            }
        };
        Some(SurveyRule {
            mode,
            groups: reader.weights(at, "groups")?,
            satisfied: reader.strings(at, "satisfied")?,
        })
    }

    fn write(&self, f: &mut Vec<String>) {
        f.push(format!("mode = {}", quote(self.mode.kind().as_str())));
        match &self.mode {
            SurveyMode::Share { tiers, gap } => {
                f.push(format!("tier = {}", write_tiers(tiers)));
                write_gap(*gap, f);
            }
            SurveyMode::Options { options } => f.push(format!("options = {}", pairs(options))),
        }
        if !self.groups.is_empty() {
            f.push(format!("groups = {}", pairs(&self.groups)));
        }
        if !self.satisfied.is_empty() {
            let quoted: Vec<String> = self.satisfied.iter().map(|a| quote(a)).collect();
            f.push(format!("satisfied = [{}]", quoted.join(", ")));
        }
    }

    fn input(&self) -> InputShape<'_> {
        InputShape::Survey
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        value::parse_survey(t)
            .map(|s| Value::Survey(Box::new(s)))
            .map_err(RuleError::Unreadable)
    }

    fn evaluate(&self, value: &Value, ctx: &Context) -> Result<Outcome, RuleError> {
        let Value::Survey(survey) = value else {
            return Err(wrong_measurement(value, RuleKind::Survey));
        };
        evaluate_survey(&self.mode, &self.groups, survey, ctx).map_err(RuleError::Survey)
    }

    fn points_range(&self, max: Decimal) -> (Decimal, Decimal) {
        match &self.mode {
            SurveyMode::Share { tiers, .. } => super::span(tiers.iter().map(|t| t.points)),
            SurveyMode::Options { options } => {
                let (best, worst) = super::span(options.iter().map(|(_, w)| *w));
                (
                    max * best / Decimal::ONE_HUNDRED,
                    max * worst / Decimal::ONE_HUNDRED,
                )
            }
        }
    }

    fn explain(&self, value: &Value, outcome: &Outcome) -> Option<String> {
        let shown = show_value(value, true);
        let (percent, tier) = match outcome.fired {
            Fired::Survey { percent, tier } => (percent, tier),
            Fired::Gap {
                percent: Some(percent),
            } => {
                let percent = percent.round_dp(2).normalize();
                return Some(gap_explained(&format!("{shown}: {percent}% satisfied")));
            }
            _ => return None,
        };
        let percent = percent.round_dp(2).normalize();
        let points = outcome.points.normalize();
        Some(match (tier, &self.mode) {
            (Some(i), SurveyMode::Share { tiers, .. }) => format!(
                "{shown}: {percent}% satisfied → tier {} → {points}",
                tiers.get(usize::from(i))?.when
            ),
            _ => format!("{shown}: weighted score {percent}% × max → {points}"),
        })
    }

    fn validate(&self, _: &Node, checks: &mut RuleChecks<'_>) {
        match &self.mode {
            SurveyMode::Share { tiers, gap } => {
                check_tiers(checks, Measure::Percent, Better::Higher, tiers, *gap);
            }
            SurveyMode::Options { options } => {
                for (name, weight) in options.iter().chain(&self.groups) {
                    if *weight < Decimal::ZERO
                        || (options.iter().any(|(o, _)| o == name)
                            && *weight > Decimal::ONE_HUNDRED)
                    {
                        let message = format!(
                            "weight {} of `{name}` must be within 0–100",
                            weight.normalize()
                        );
                        checks.report(Check::WrongType, message);
                    }
                }
            }
        }
    }

    fn outcome_points(&self) -> Option<Vec<Decimal>> {
        // Survey values are redrawn from their respondents, not moved between outcomes.
        None
    }
}

fn evaluate_survey(
    mode: &SurveyMode,
    groups: &[(String, Decimal)],
    survey: &Survey,
    ctx: &Context,
) -> Result<Outcome, String> {
    // Each part measures a percent; an unsplit survey with a share keeps its exact ratio.
    let part_percent = |responses: &Responses| -> Result<Decimal, String> {
        match (responses, mode) {
            (
                Responses::Share {
                    satisfied,
                    respondents,
                },
                _,
            ) => percent_of(*satisfied, *respondents).map_err(|e| e.to_string()),
            (Responses::Counts(counts), SurveyMode::Options { options }) => {
                let mut total = Decimal::ZERO;
                let mut weighted = Decimal::ZERO;
                for (option, count) in counts {
                    let weight = options
                        .iter()
                        .find(|(o, _)| o.eq_ignore_ascii_case(option))
                        .map(|(_, w)| *w)
                        .ok_or_else(|| {
                            let known: Vec<&str> =
                                options.iter().map(|(o, _)| o.as_str()).collect();
                            format!(
                                "\"{option}\" is not an answer option ({})",
                                known.join(", ")
                            )
                        })?;
                    total = total.checked_add(*count).ok_or("too many respondents")?;
                    weighted = count
                        .checked_mul(weight)
                        .and_then(|w| weighted.checked_add(w))
                        .ok_or("too many respondents")?;
                }
                if total.is_zero() {
                    return Err("no respondents".to_owned());
                }
                Ok(weighted / total)
            }
            (Responses::Counts(_), SurveyMode::Share { .. }) => Err(
                "this criterion takes the share satisfied (85% or 17/20), not answer counts"
                    .to_owned(),
            ),
        }
    };
    let percent = if groups.is_empty() {
        match survey.parts.as_slice() {
            [(None, responses)] => part_percent(responses)?,
            _ => return Err("this criterion's survey is not split by respondent group".to_owned()),
        }
    } else {
        let mut weight_sum = Decimal::ZERO;
        let mut weighted = Decimal::ZERO;
        for (group, responses) in &survey.parts {
            let name = group
                .as_deref()
                .ok_or("name the respondent group of each part (citizens: 80%)")?;
            let weight = groups
                .iter()
                .find(|(g, _)| g == name)
                .map(|(_, w)| *w)
                .ok_or_else(|| format!("\"{name}\" is not a respondent group of this criterion"))?;
            weight_sum += weight;
            weighted += weight * part_percent(responses)?;
        }
        if weight_sum.is_zero() {
            return Err("no respondent group with a weight".to_owned());
        }
        weighted / weight_sum
    };
    match mode {
        SurveyMode::Share { tiers, gap } => {
            // One part given, of one group or of several: its weight divides out, so its share
            // is compared exactly, not as a percentage rounded at the 28th digit.
            let exact = match survey.parts.as_slice() {
                [
                    (
                        _,
                        Responses::Share {
                            satisfied,
                            respondents,
                        },
                    ),
                ] => Some((*satisfied, *respondents)),
                _ => None,
            };
            let position = tiers.iter().position(|t| match exact {
                Some((n, den)) => t.when.contains_ratio(n, den, Decimal::ONE_HUNDRED),
                None => t.when.contains(percent),
            });
            match position {
                Some(i) => fired(
                    tiers[i].points,
                    Fired::Survey {
                        percent,
                        tier: Some(tier_index(i)),
                    },
                )
                .map_err(|e| e.to_string()),
                None => no_tier(*gap, ctx, &Value::Number(percent), Some(percent))
                    .map_err(|e| e.to_string()),
            }
        }
        SurveyMode::Options { .. } => {
            let points = ctx.max * percent / Decimal::ONE_HUNDRED;
            let outcome = Fired::Survey {
                percent,
                tier: None,
            };
            Ok(Outcome {
                points,
                fired: outcome,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TierGap;
    use crate::rule::Rule;
    use crate::rule::test_support::d;
    use crate::rule::tiers::gap_tests::{context, score};

    /// A share satisfied, as printed: ≥ 80%: 2 points; 50% to under 70%: 1; under 50%: 0.
    fn share_with_a_gap(gap: Option<TierGap>, groups: &[(&str, &str)]) -> Rule {
        Rule::Survey(SurveyRule {
            mode: SurveyMode::Share {
                tiers: vec![
                    Tier::new("x >= 80", d("2")),
                    Tier::new("50 <= x < 70", d("1")),
                    Tier::new("x < 50", d("0")),
                ],
                gap,
            },
            groups: groups
                .iter()
                .map(|(g, w)| ((*g).to_owned(), d(w)))
                .collect(),
            satisfied: Vec::new(),
        })
    }

    #[test]
    fn a_share_in_the_gap_scores_0_under_zero_at_both_ends_and_inside() {
        let rule = share_with_a_gap(None, &[]);
        for (text, points) in [
            ("139/200", "1"),
            ("14/20", "0"),
            ("75%", "0"),
            ("1599/2000", "0"),
            ("16/20", "2"),
        ] {
            assert_eq!(score(&rule, text, TierGap::Zero), Ok(d(points)), "{text}");
        }
    }

    #[test]
    fn a_share_in_the_gap_is_refused_under_refuse() {
        let rule = share_with_a_gap(None, &[]);
        assert_eq!(score(&rule, "139/200", TierGap::Refuse), Ok(d("1")));
        assert_eq!(score(&rule, "16/20", TierGap::Refuse), Ok(d("2")));
        assert_eq!(
            score(&rule, "14/20", TierGap::Refuse),
            Err("70% satisfied matches no tier".to_owned())
        );
        assert_eq!(
            score(&rule, "1599/2000", TierGap::Refuse),
            Err("79.95% satisfied matches no tier".to_owned())
        );
    }

    #[test]
    fn the_rules_own_gap_wins_over_the_sets() {
        let refuse = share_with_a_gap(Some(TierGap::Refuse), &[]);
        let zero = share_with_a_gap(Some(TierGap::Zero), &[]);
        assert!(score(&refuse, "15/20", TierGap::Zero).is_err());
        assert_eq!(score(&zero, "15/20", TierGap::Refuse), Ok(d("0")));
    }

    #[test]
    fn a_weighted_share_in_the_gap_explains_itself_and_warns() {
        // citizens 90% × 1 and businesses 50% × 1: 70% satisfied, the gap's lower end.
        let rule = share_with_a_gap(
            Some(TierGap::Zero),
            &[("citizens", "1"), ("businesses", "1")],
        );
        let value = rule
            .parse("citizens: 18/20; businesses: 5/10")
            .expect("a survey");
        let outcome = rule
            .evaluate(&value, &context(TierGap::Refuse))
            .expect("scored 0");
        assert_eq!(outcome.points, d("0"));
        assert!(outcome.in_gap());
        assert!(
            rule.explain(&value, &outcome)
                .ends_with(r#": 70% satisfied → no tier covers it → 0 (gap = "zero")"#),
            "{}",
            rule.explain(&value, &outcome)
        );
        assert_eq!(
            rule.gap_warning(&value, &outcome).as_deref(),
            Some(r#"no tier covers 70% satisfied: scored 0 (gap = "zero")"#)
        );
    }

    #[test]
    fn a_gap_in_the_share_tiers_is_checked_under_the_policy_in_force() {
        let check = |rule: &Rule, set: TierGap| {
            let mut found = Vec::new();
            let node = crate::model::Node {
                code: "2.1".to_owned(),
                printed_code: None,
                name: "Satisfaction".to_owned(),
                name_en: None,
                max: d("2"),
                source: crate::model::Source::Survey,
                applies: Vec::new(),
                not_applicable: None,
                kind: crate::model::NodeKind::Scored,
                floor: None,
                note: None,
                rule: Some(rule.clone()),
                derive: None,
                reform_area: None,
                location: Default::default(),
                evidence: None,
            };
            rule.validate_kind(
                &node,
                &mut RuleChecks {
                    found: &mut found,
                    tier_gap: set,
                },
            );
            found
                .into_iter()
                .map(|(severity, check, message)| format!("{severity}[{check}] {message}"))
                .collect::<Vec<_>>()
        };
        let inherits = share_with_a_gap(None, &[]);
        let error = "error[tier-gap] no tier covers 70 <= x < 80";
        let warning = r#"warning[tier-gap] no tier covers 70 <= x < 80: scored 0 (gap = "zero")"#;
        assert_eq!(check(&inherits, TierGap::Refuse), [error]);
        assert_eq!(check(&inherits, TierGap::Zero), [warning]);
        assert_eq!(
            check(&share_with_a_gap(Some(TierGap::Refuse), &[]), TierGap::Zero),
            [error]
        );
        assert_eq!(
            check(&share_with_a_gap(Some(TierGap::Zero), &[]), TierGap::Refuse),
            [warning]
        );
    }

    #[test]
    fn the_rules_own_gap_is_written_back_when_it_declares_one() {
        let written = crate::rule_to_toml(&share_with_a_gap(Some(TierGap::Zero), &[]));
        assert!(written.ends_with(r#", gap = "zero" }"#), "{written}");
        let written = crate::rule_to_toml(&share_with_a_gap(None, &[]));
        assert!(!written.contains("gap"), "{written}");
    }
}
