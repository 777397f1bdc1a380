//! Errors and warnings about a criteria file, each with its place: file, line, column and code.

use std::fmt;

use crate::names::named;

/// Where something is in a file: 1-based line and column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file, as the user named it.
    pub file: String,
    /// The line, from 1; 0 when unknown.
    pub line: usize,
    /// The column, from 1, counted in characters; 0 when unknown.
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `source`.
    pub fn at(file: &str, source: &str, offset: usize) -> Self {
        let offset = offset.min(source.len());
        let before = source.get(..offset).unwrap_or(source);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before
            .get(line_start..)
            .map_or(1, |l| l.chars().count() + 1);
        Location {
            file: file.to_owned(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // Unknown position: the file alone.
            return f.write_str(&self.file);
        }
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The file cannot be used.
    Error,
    /// The file loads; the user should know.
    Warning,
}

named!(Severity, "severity", {
    Error => "error",
    Warning => "warning",
});

/// The check a diagnostic comes from. Its name is what an `[[acknowledge]]` entry quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// The TOML is not well formed.
    Syntax,
    /// A key the format does not know.
    UnknownKey,
    /// A required key is absent.
    MissingKey,
    /// A value of the wrong type or form.
    WrongType,
    /// Two nodes share a code.
    DuplicateCode,
    /// A code whose parent does not exist.
    MissingParent,
    /// A parent's maximum differs from the sum of its children's.
    ChildrenSum,
    /// The areas' maxima do not add up to the set's maximum.
    TotalMax,
    /// A rule's best points are below the node's maximum.
    BestPoints,
    /// A rule can give more points than the node's maximum.
    PointsAboveMax,
    /// Some value matches no tier.
    TierGap,
    /// A tier can never match.
    TierUnreachable,
    /// A better measurement would get fewer points.
    TierOrder,
    /// Negative points outside a penalty block.
    NegativePoints,
    /// Bands overlap.
    BandOverlap,
    /// Bands leave part of the scale uncovered.
    BandGap,
    /// An attribute used but not declared.
    UndeclaredAttribute,
    /// A reference to a node that does not exist, or that cannot be used there.
    UnknownNode,
    /// A remark of the transcription, acknowledged in the file.
    SourceNote,
    /// A node renumbered from its printed code.
    Renumbered,
    /// A measurement derived from the records that the node's rule cannot take.
    Derive,
    /// A scored row in no reform area, or a reform area where none can count.
    ReformArea,
    /// A timeliness rule whose later outcome scores above an earlier one: late above on time,
    /// not done above late.
    TimelinessOrder,
    /// Levels not listed best first.
    LevelOrder,
    /// A decimal written as a binary float prints it (`0.12500000000000001`), not as the table
    /// does.
    FloatArtefact,
    /// A daily penalty that takes every late date down to the points for not done.
    PenaltyClamps,
}

named!(Check, "check", {
    Syntax => "syntax",
    UnknownKey => "unknown-key",
    MissingKey => "missing-key",
    WrongType => "wrong-type",
    DuplicateCode => "duplicate-code",
    MissingParent => "missing-parent",
    ChildrenSum => "children-sum",
    TotalMax => "total-max",
    BestPoints => "best-points",
    PointsAboveMax => "points-above-max",
    TierGap => "tier-gap",
    TierUnreachable => "tier-unreachable",
    TierOrder => "tier-order",
    NegativePoints => "negative-points",
    BandOverlap => "band-overlap",
    BandGap => "band-gap",
    UndeclaredAttribute => "undeclared-attribute",
    UnknownNode => "unknown-node",
    SourceNote => "source-note",
    Renumbered => "renumbered",
    Derive => "derive",
    ReformArea => "reform-area",
    TimelinessOrder => "timeliness-order",
    LevelOrder => "level-order",
    FloatArtefact => "float-artefact",
    PenaltyClamps => "penalty-clamps",
});

impl Check {
    /// Whether a file may acknowledge this check, turning its error into a warning.
    pub fn acknowledgeable(self) -> bool {
        matches!(
            self,
            Check::ChildrenSum
                | Check::TotalMax
                | Check::BestPoints
                | Check::TierGap
                | Check::TierUnreachable
                | Check::TierOrder
                | Check::SourceNote
                | Check::TimelinessOrder
                | Check::LevelOrder
                | Check::FloatArtefact
                | Check::PenaltyClamps
        )
    }

    /// The checks a file may acknowledge, in declaration order.
    pub fn acknowledgeable_checks() -> impl Iterator<Item = Check> {
        Check::ALL.iter().copied().filter(|c| c.acknowledgeable())
    }

    /// The check with this name, among those a file may acknowledge.
    pub fn acknowledgeable_named(name: &str) -> Option<Check> {
        Check::acknowledgeable_checks().find(|c| c.as_str() == name)
    }
}

/// One error or warning about a criteria file.
///
/// It displays as `file:line:column: error[check] code: message`, the form editors and CI
/// understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The check that fired.
    pub check: Check,
    /// Where.
    pub location: Location,
    /// The code of the node concerned, if any.
    pub code: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}[{}]", self.location, self.severity, self.check)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A criteria file that could not be loaded: every error found, and the warnings beside them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.diagnostics))]
pub struct CriteriaError {
    /// Errors first, then warnings, each in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl CriteriaError {
    /// The errors alone.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_offsets_in_characters() {
        let source = "a = 1\ntên = \"x\"\n";
        let at = Location::at("f.toml", source, 13);
        assert_eq!((at.line, at.column), (2, 7));
        assert_eq!(Location::at("f.toml", source, 0).to_string(), "f.toml:1:1");
    }

    #[test]
    fn displays_like_a_compiler() {
        let d = Diagnostic {
            severity: Severity::Error,
            check: Check::ChildrenSum,
            location: Location {
                file: "s.toml".into(),
                line: 3,
                column: 1,
            },
            code: Some("1.2".into()),
            message: "children add up to 3.5, not 4".into(),
        };
        assert_eq!(
            d.to_string(),
            "s.toml:3:1: error[children-sum] 1.2: children add up to 3.5, not 4"
        );
    }
}
