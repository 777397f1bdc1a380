//! Raw survey responses: one answer per respondent, tallied per unit, item and respondent group
//! into what a survey rule scores, with a confidence interval for every share.

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;

use crate::rule::{Rule, SurveyMode, SurveyRule};
use crate::text::{is_nfc, nfc_string};
use crate::value::{Responses, Survey};

/// One respondent's answer to one item about one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyAnswer {
    /// The unit the answer is about.
    pub unit: String,
    /// The respondent group (`citizens`, `businesses`), when the survey is split.
    pub group: Option<String>,
    /// The item: the criterion's code.
    pub item: String,
    /// The answer as given: an option (`A`), or satisfied / not satisfied.
    pub answer: String,
}

impl SurveyAnswer {
    /// The answer with its text in NFC, borrowed when it already is.
    pub(crate) fn in_nfc(&self) -> Cow<'_, SurveyAnswer> {
        let group_is_nfc = self.group.as_deref().is_none_or(is_nfc);
        if is_nfc(&self.unit) && group_is_nfc && is_nfc(&self.item) && is_nfc(&self.answer) {
            return Cow::Borrowed(self);
        }
        Cow::Owned(SurveyAnswer {
            unit: nfc_string(&self.unit),
            group: self.group.as_deref().map(nfc_string),
            item: nfc_string(&self.item),
            answer: nfc_string(&self.answer),
        })
    }
}

/// One respondent group's answers to one item about one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupTally {
    /// The group, or `None` when the survey is not split.
    pub group: Option<String>,
    /// Respondents: one answer each.
    pub respondents: u32,
    /// Respondents per answer, in the rule's order of options (or first seen).
    pub counts: Vec<(String, u32)>,
    /// Respondents satisfied, when the rule says which answers count as satisfied.
    pub satisfied: Option<u32>,
    /// The option-weighted score in percent, for a rule with option weights.
    pub weighted: Option<Decimal>,
    /// The 95% Wilson interval of the share satisfied, as fractions.
    pub interval: Option<(f64, f64)>,
}

impl GroupTally {
    /// The share satisfied, in percent, exact.
    pub fn share(&self) -> Option<Decimal> {
        let satisfied = self.satisfied?;
        (self.respondents > 0).then(|| {
            Decimal::from(satisfied) * Decimal::ONE_HUNDRED / Decimal::from(self.respondents)
        })
    }
}

/// A unit's tallied answers to one survey item.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyTally {
    /// Per respondent group, in the rule's order of groups.
    pub groups: Vec<GroupTally>,
}

impl SurveyTally {
    /// The survey value the item's rule scores: shares or counts per group.
    pub fn value(&self) -> Survey {
        let parts = self.groups.iter().map(|g| {
            let responses = match g.satisfied {
                Some(satisfied) if g.weighted.is_none() => Responses::Share {
                    satisfied: Decimal::from(satisfied),
                    respondents: Decimal::from(g.respondents),
                },
                _ => Responses::Counts(
                    g.counts
                        .iter()
                        .map(|(option, n)| (option.clone(), Decimal::from(*n)))
                        .collect(),
                ),
            };
            (g.group.clone(), responses)
        });
        Survey {
            parts: parts.collect(),
        }
    }
}

impl fmt::Display for SurveyTally {
    /// `citizens: 38 of 45 satisfied (84.44%, 95% CI 71.2–92.3%); businesses: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, g) in self.groups.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            if let Some(group) = &g.group {
                write!(f, "{group}: ")?;
            }
            match (g.satisfied, g.share()) {
                (Some(satisfied), Some(share)) => write!(
                    f,
                    "{satisfied} of {} satisfied ({}%",
                    g.respondents,
                    share.round_dp(2).normalize()
                )?,
                _ => write!(f, "{} respondents (", g.respondents)?,
            }
            if let Some(weighted) = g.weighted {
                if g.satisfied.is_some() {
                    f.write_str(", ")?;
                }
                let counts: Vec<String> =
                    g.counts.iter().map(|(o, n)| format!("{o}={n}")).collect();
                write!(
                    f,
                    "{}, weighted {}%",
                    counts.join(" "),
                    weighted.round_dp(2).normalize()
                )?;
            }
            if let Some((low, high)) = g.interval {
                write!(f, ", 95% CI {:.1}–{:.1}%", low * 100.0, high * 100.0)?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// The 95% two-sided z value.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval of a proportion `successes / n`, as fractions; `None` when `n`
/// is 0 or `successes > n`.
///
/// ```
/// use parindex_core::records::{wilson, Z_95};
/// let (low, high) = wilson(81, 263, Z_95).ok_or("no respondents")?;
/// assert_eq!((format!("{low:.4}"), format!("{high:.4}")), ("0.2553".into(), "0.3662".into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn wilson(successes: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || successes > n {
        return None;
    }
    // Counts far beyond any survey stay exact enough in f64.
    #[allow(clippy::cast_precision_loss)]
    let (x, n) = (successes as f64, n as f64);
    let p = x / n;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denominator = 1.0 + z2 / n;
    let low = ((centre - spread) / denominator).max(0.0);
    let high = ((centre + spread) / denominator).min(1.0);
    Some((low, high))
}

/// How an answer reads under a rule with no list of satisfied answers.
fn reads_as_satisfied(answer: &str) -> Option<bool> {
    match answer.trim().to_lowercase().as_str() {
        "yes" | "có" | "1" | "true" | "satisfied" | "hài lòng" | "rất hài lòng" => {
            Some(true)
        }
        "no" | "không" | "0" | "false" | "not satisfied" | "không hài lòng" => Some(false),
        _ => None,
    }
}

/// Tallies one unit's answers to one item under the item's survey rule.
///
/// Answers in a group the rule does not weight, or (for a rule with option weights) answers
/// that are not options, are errors naming the answer; each error carries the position of the
/// answer in `answers`.
pub(crate) fn tally(
    rule: &Rule,
    answers: &[(usize, &SurveyAnswer)],
) -> Result<SurveyTally, Vec<(usize, String)>> {
    let Rule::Survey(SurveyRule {
        mode,
        groups,
        satisfied,
    }) = rule
    else {
        let errors = answers
            .iter()
            .map(|(i, _)| (*i, "this criterion is not scored by a survey".to_owned()))
            .collect();
        return Err(errors);
    };
    let options: &[(String, Decimal)] = match mode {
        SurveyMode::Options { options } => options,
        SurveyMode::Share { .. } => &[],
    };
    let mut errors = Vec::new();
    let mut tallies: Vec<GroupTally> = Vec::new();
    for (position, answer) in answers {
        let group = answer
            .group
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty());
        let group = match (group, groups.is_empty()) {
            (None, true) => None,
            (Some(g), false) if groups.iter().any(|(name, _)| name == g) => Some(g.to_owned()),
            (Some(g), true) => {
                errors.push((*position, format!("this criterion's survey is not split by respondent group, but the answer names \"{g}\"")));
                continue;
            }
            (g, false) => {
                let known: Vec<&str> = groups.iter().map(|(name, _)| name.as_str()).collect();
                let what = g.map_or("no group".to_owned(), |g| format!("\"{g}\""));
                errors.push((
                    *position,
                    format!(
                        "{what} is not a respondent group of this criterion ({})",
                        known.join(", ")
                    ),
                ));
                continue;
            }
        };
        let text = answer.answer.trim();
        let option = if options.is_empty() {
            text.to_owned()
        } else {
            match options.iter().find(|(o, _)| o.eq_ignore_ascii_case(text)) {
                Some((o, _)) => o.clone(),
                None => {
                    let known: Vec<&str> = options.iter().map(|(o, _)| o.as_str()).collect();
                    errors.push((
                        *position,
                        format!("\"{text}\" is not an answer option ({})", known.join(", ")),
                    ));
                    continue;
                }
            }
        };
        let is_satisfied = if satisfied.is_empty() {
            if options.is_empty() {
                match reads_as_satisfied(text) {
                    Some(s) => Some(s),
                    None => {
                        errors.push((*position, format!("\"{text}\" is neither satisfied (có, yes, hài lòng) nor not (không, no); declare the satisfied answers with `satisfied` in the rule")));
                        continue;
                    }
                }
            } else {
                None
            }
        } else {
            Some(
                satisfied
                    .iter()
                    .any(|s| s.trim().eq_ignore_ascii_case(text)),
            )
        };
        let at = match tallies.iter().position(|t| t.group == group) {
            Some(at) => at,
            None => {
                tallies.push(GroupTally {
                    group,
                    respondents: 0,
                    counts: Vec::new(),
                    satisfied: None,
                    weighted: None,
                    interval: None,
                });
                tallies.len() - 1
            }
        };
        let t = &mut tallies[at];
        t.respondents = t.respondents.saturating_add(1);
        match t
            .counts
            .iter_mut()
            .find(|(o, _)| o.eq_ignore_ascii_case(&option))
        {
            Some((_, n)) => *n = n.saturating_add(1),
            None => t.counts.push((option, 1)),
        }
        if let Some(s) = is_satisfied {
            t.satisfied = Some(t.satisfied.unwrap_or(0).saturating_add(u32::from(s)));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for t in &mut tallies {
        if !options.is_empty() {
            // Options in the rule's order, so that the same answers always read the same.
            t.counts
                .sort_by_key(|(o, _)| options.iter().position(|(name, _)| name == o));
            let weighted: Decimal = t
                .counts
                .iter()
                .map(|(o, n)| {
                    let weight = options
                        .iter()
                        .find(|(name, _)| name == o)
                        .map_or(Decimal::ZERO, |(_, w)| *w);
                    weight * Decimal::from(*n)
                })
                .sum();
            t.weighted = Some(weighted / Decimal::from(t.respondents.max(1)));
            if !satisfied.is_empty() && t.satisfied.is_none() {
                t.satisfied = Some(0);
            }
        }
        t.interval = t
            .satisfied
            .and_then(|s| wilson(u64::from(s), u64::from(t.respondents), Z_95));
    }
    tallies.sort_by_key(|t| {
        t.group
            .as_ref()
            .and_then(|g| groups.iter().position(|(name, _)| name == g))
    });
    Ok(SurveyTally { groups: tallies })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics
    /// in Medicine 17:857–872, table I, method 3 (Wilson score interval without continuity
    /// correction), to four decimals.
    #[test]
    fn wilson_matches_published_values() {
        let published = [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
            (29, 29, 0.8830, 1.0),
        ];
        for (x, n, low, high) in published {
            let (l, h) = wilson(x, n, Z_95).expect("interval");
            assert!((l - low).abs() < 0.00005, "{x}/{n}: low {l} vs {low}");
            assert!((h - high).abs() < 0.00005, "{x}/{n}: high {h} vs {high}");
        }
        assert_eq!(wilson(1, 0, Z_95), None);
        assert_eq!(wilson(3, 2, Z_95), None);
    }
}
