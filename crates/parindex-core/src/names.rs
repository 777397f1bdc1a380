//! The names of the engine's enum values: one spelling per value, shared by criteria files,
//! results documents, the command line and the Python API.
//!
//! Every enum whose values are written as words (a rounding mode, a node's kind, a node's
//! status…) implements [`Named`]: `as_str` gives the name, `FromStr` reads it back, `Display`
//! writes it, and `ALL` lists the values so that messages can list the names.

use std::fmt;
use std::str::FromStr;

/// An enum whose values have one name each, as written in criteria files, results and the API.
///
/// ```
/// use parindex_core::{Named, Rounding};
///
/// assert_eq!(Rounding::HalfEven.as_str(), "half-even");
/// assert_eq!("truncate".parse::<Rounding>()?, Rounding::Truncate);
/// assert_eq!(Rounding::HalfAwayFromZero.to_string(), "half-away-from-zero");
///
/// let names: Vec<&str> = Rounding::names().collect();
/// assert_eq!(names, ["half-away-from-zero", "half-even", "truncate"]);
///
/// let error = "up".parse::<Rounding>().err().ok_or("accepted")?;
/// assert_eq!(
///     error.to_string(),
///     r#"rounding mode "up" is not one of half-away-from-zero, half-even, truncate"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Named:
    Copy + Eq + fmt::Debug + fmt::Display + FromStr<Err = UnknownName> + Send + Sync + 'static
{
    /// What the values are, in words, for messages: `rounding mode`.
    const WHAT: &'static str;

    /// Every value, in the order the type declares them.
    const ALL: &'static [Self];

    /// The value's name.
    fn as_str(self) -> &'static str;

    /// Every value's name, in the order of [`Named::ALL`].
    fn names() -> impl Iterator<Item = &'static str> {
        Self::ALL.iter().map(|v| v.as_str())
    }
}

/// A name that is none of an enum's names.
///
/// It displays as `rounding mode "up" is not one of half-away-from-zero, half-even, truncate`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {given:?} is not one of {}", .expected.join(", "))]
pub struct UnknownName {
    /// What the values are, in words: `rounding mode`.
    pub what: &'static str,
    /// The name given.
    pub given: String,
    /// The names accepted, in order.
    pub expected: Vec<&'static str>,
}

impl UnknownName {
    /// The error for `given`, which is none of `T`'s names.
    pub fn new<T: Named>(given: &str) -> Self {
        UnknownName {
            what: T::WHAT,
            given: given.to_owned(),
            expected: T::names().collect(),
        }
    }
}

/// Gives a fieldless enum its names: an inherent `ALL` and `const fn as_str`, [`Named`],
/// `FromStr` and `Display`.
///
/// The variants must be listed in declaration order: `ALL` follows the list, and messages list
/// the names in that order. A variant left out is a compile error (`as_str` is an exhaustive
/// match).
macro_rules! named {
    (
        $ty:ident, $what:literal,
        { $($variant:ident => $name:literal),+ $(,)? }
    ) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value's name, as written in criteria files, results and the API.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }
        }

        impl $crate::names::Named for $ty {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = $ty::ALL;

            fn as_str(self) -> &'static str {
                $ty::as_str(self)
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::names::UnknownName;

            fn from_str(name: &str) -> Result<Self, Self::Err> {
                match name {
                    $($name => Ok(Self::$variant),)+
                    _ => Err($crate::names::UnknownName::new::<Self>(name)),
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                // `pad`, not `write_str`, so that `{:11}` lines up a table.
                f.pad(self.as_str())
            }
        }
    };
}

pub(crate) use named;

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::rule::{Among, Better, Measure, RuleKind, Statistic, SurveyModeKind};
    use crate::score::NodeStatus;
    use crate::{
        AttributeKind, Check, Evidence, Missing, NodeKind, NotApplicable, PlanMeasure, RankOn,
        ReformArea, Rounding, Severity, Source, Status, TierGap, Ties,
    };

    fn round_trip<T: Named>() -> Vec<&'static str> {
        let mut names = HashSet::new();
        let mut values = Vec::new();
        for &value in T::ALL {
            assert!(!values.contains(&value), "{value:?} twice in ALL");
            values.push(value);
            let name = value.as_str();
            assert!(names.insert(name), "{} {name:?} names two values", T::WHAT);
            assert_eq!(name.parse::<T>(), Ok(value));
            assert_eq!(value.to_string(), name);
        }
        let error = "no such name".parse::<T>().expect_err("an unknown name");
        assert_eq!(error.expected, T::names().collect::<Vec<_>>());
        assert_eq!(error.what, T::WHAT);
        T::names().collect()
    }

    #[test]
    fn every_name_reads_back_to_its_value_and_no_two_values_share_a_name() {
        assert_eq!(
            round_trip::<Status>(),
            ["official", "transcribed", "example"]
        );
        assert_eq!(
            round_trip::<Rounding>(),
            ["half-away-from-zero", "half-even", "truncate"]
        );
        assert_eq!(
            round_trip::<NotApplicable>(),
            ["reduce-maximum", "full-points", "rescale-to-parent"]
        );
        assert_eq!(round_trip::<Missing>(), ["zero-with-warning", "error"]);
        assert_eq!(round_trip::<Evidence>(), ["optional", "required"]);
        assert_eq!(round_trip::<Ties>(), ["competition", "dense"]);
        assert_eq!(round_trip::<TierGap>(), ["refuse", "zero"]);
        assert_eq!(round_trip::<RankOn>(), ["reported", "exact"]);
        assert_eq!(round_trip::<AttributeKind>(), ["bool", "text", "number"]);
        assert_eq!(round_trip::<Source>(), ["self", "survey", "external"]);
        assert_eq!(round_trip::<NodeKind>(), ["scored", "bonus", "penalty"]);
        assert_eq!(
            round_trip::<PlanMeasure>(),
            ["plan-done", "plan-on-time", "plan-late"]
        );
        // The kinds are listed once, in the rule table: each reads back, none shares a name.
        let kinds = round_trip::<RuleKind>();
        assert_eq!(kinds.first(), Some(&"yes-no"));
        assert_eq!(round_trip::<SurveyModeKind>(), ["share", "options"]);
        assert_eq!(round_trip::<Measure>(), ["percent", "count", "number"]);
        assert_eq!(round_trip::<Better>(), ["higher", "lower"]);
        assert_eq!(round_trip::<Statistic>(), ["mean", "median"]);
        assert_eq!(round_trip::<Among>(), ["all", "group"]);
        assert_eq!(
            round_trip::<NodeStatus>(),
            ["scored", "not-applicable", "missing", "no-evidence"]
        );
        assert_eq!(round_trip::<Severity>(), ["error", "warning"]);
        use crate::programme::{Comparator, NodeValue, TargetStatus, TargetUnit};
        assert_eq!(round_trip::<Comparator>(), [">", ">=", "=", "<=", "<"]);
        assert_eq!(round_trip::<TargetUnit>(), ["percent", "count", "text"]);
        assert_eq!(round_trip::<NodeValue>(), ["index", "share"]);
        assert_eq!(
            round_trip::<TargetStatus>(),
            ["met", "on-track", "behind", "no-data"]
        );
        assert_eq!(
            round_trip::<ReformArea>(),
            [
                "direction",
                "institutional",
                "procedures",
                "organisation",
                "civil-service",
                "public-finance",
                "modernisation",
                "impact"
            ]
        );
        assert_eq!(round_trip::<Check>().len(), Check::ALL.len());
    }

    #[test]
    fn an_unknown_name_lists_the_names() {
        let error = "draft".parse::<Status>().expect_err("not a status");
        assert_eq!(
            error.to_string(),
            r#"status "draft" is not one of official, transcribed, example"#
        );
    }

    #[test]
    fn display_pads_like_a_string() {
        assert_eq!(format!("{:11}|", Status::Example), "example    |");
        assert_eq!(format!("{:>9}", Ties::Dense), "    dense");
    }
}
