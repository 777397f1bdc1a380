//! The checks a loaded set must pass, all run in one pass, and the acknowledgements that turn
//! some of them into warnings.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use crate::condition::Condition;
use crate::diagnostic::{Check, Diagnostic, Location, Severity};
use crate::model::*;
use crate::rule::{BranchOn, InputShape, Measure, Rule, RuleChecks};
use crate::text::plural;

/// Runs every check on `set` and applies its acknowledgements. Returns errors and warnings.
/// `suspects` are what the reader found that the file may acknowledge.
pub(crate) fn validate(
    set: &CriteriaSet,
    file: &str,
    suspects: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut v = Validator {
        set,
        file,
        found: suspects,
    };
    v.check_tree();
    v.check_rules();
    v.check_bands();
    v.check_attributes_and_references();
    v.check_reform_area_blocks();
    let mut found = v.acknowledge();
    // Asked of a file without errors only: what it lacks matters once it loads.
    if !found.iter().any(|d| d.severity == Severity::Error) {
        found.extend(unclassified_leaves(set, file));
    }
    found
}

/// Whether a node is in a bonus or penalty block.
fn in_block(set: &CriteriaSet, node: &Node) -> bool {
    let area = node.code.split('.').next().unwrap_or_default();
    set.node(area).is_some_and(|a| a.kind != NodeKind::Scored)
}

/// Every scored leaf should be in a reform area, so that its points count in the unit's
/// sub-index of that area: a warning at the largest node whose scored leaves have none, or
/// once for the whole set when no node declares one.
fn unclassified_leaves(set: &CriteriaSet, file: &str) -> Vec<Diagnostic> {
    let is_parent: HashSet<&str> = set.nodes.iter().filter_map(|n| n.parent_code()).collect();
    let scored_leaf = |node: &Node| !is_parent.contains(node.code.as_str()) && !in_block(set, node);
    let missing: Vec<&Node> = set
        .nodes
        .iter()
        .filter(|n| scored_leaf(n) && set.reform_area(&n.code).is_none())
        .collect();
    let warn = |location: Location, code: &str, message: String| Diagnostic {
        severity: Severity::Warning,
        check: Check::ReformArea,
        location,
        code: Some(code.to_owned()),
        message,
    };
    if missing.is_empty() {
        return Vec::new();
    }
    if set.nodes.iter().all(|n| n.reform_area.is_none()) {
        let message = format!(
            "no node declares a reform area, so no unit gets a sub-index per reform area: declare `reform_area` on the areas ({} scored leaves)",
            missing.len()
        );
        let location = Location {
            file: file.to_owned(),
            line: 1,
            column: 1,
        };
        return vec![warn(location, &set.info.id, message)];
    }
    // The largest node all of whose scored leaves are in no area.
    let only_missing = |code: &str| {
        let prefix = format!("{code}.");
        set.nodes
            .iter()
            .filter(|n| (n.code == code || n.code.starts_with(&prefix)) && scored_leaf(n))
            .all(|n| set.reform_area(&n.code).is_none())
    };
    let mut found = Vec::new();
    let mut reported: Vec<&str> = Vec::new();
    for leaf in missing {
        let mut top = leaf.code.as_str();
        while let Some(parent) = parent_code(top) {
            if !only_missing(parent) {
                break;
            }
            top = parent;
        }
        if reported.contains(&top) {
            continue;
        }
        reported.push(top);
        let Some(node) = set.node(top) else { continue };
        let message = if top == leaf.code {
            "a scored leaf in no reform area: declare `reform_area` on it or on a parent"
        } else {
            "no scored leaf under it is in a reform area: declare `reform_area` on it or on its rows"
        };
        found.push(warn(node.location.clone(), top, message.to_owned()));
    }
    found
}

struct Validator<'a> {
    set: &'a CriteriaSet,
    file: &'a str,
    found: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn report(&mut self, check: Check, location: &Location, code: Option<&str>, message: String) {
        self.found.push(Diagnostic {
            severity: Severity::Error,
            check,
            location: location.clone(),
            code: code.map(str::to_owned),
            message,
        });
    }

    fn set_location(&self) -> Location {
        Location {
            file: self.file.to_owned(),
            line: 1,
            column: 1,
        }
    }

    fn check_tree(&mut self) {
        let set = self.set;
        let mut seen: HashMap<&str, &Node> = HashMap::new();
        for node in &set.nodes {
            if let Some(first) = seen.get(node.code.as_str()) {
                let message = format!("duplicate code; first at line {}", first.location.line);
                self.report(
                    Check::DuplicateCode,
                    &node.location,
                    Some(&node.code),
                    message,
                );
                continue;
            }
            seen.insert(&node.code, node);
            if let Some(parent) = node.parent_code() {
                if !set.nodes.iter().any(|n| n.code == parent) {
                    let message = format!("its parent {parent} does not exist");
                    self.report(
                        Check::MissingParent,
                        &node.location,
                        Some(&node.code),
                        message,
                    );
                }
            }
            if node.max < Decimal::ZERO {
                let message = format!("maximum {} is negative", node.max.normalize());
                self.report(
                    Check::NegativePoints,
                    &node.location,
                    Some(&node.code),
                    message,
                );
            }
            if node.printed_code.as_ref().is_some_and(|p| *p != node.code) {
                let printed = node.printed_code.clone().unwrap_or_default();
                let why = node
                    .note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default();
                self.found.push(Diagnostic {
                    severity: Severity::Warning,
                    check: Check::Renumbered,
                    location: node.location.clone(),
                    code: Some(node.code.clone()),
                    message: format!("printed as {printed}{why}"),
                });
            }
        }
        for node in &set.nodes {
            let children: Vec<&Node> = set
                .nodes
                .iter()
                .filter(|n| n.parent_code() == Some(node.code.as_str()))
                .collect();
            match (&node.rule, children.is_empty()) {
                (None, true) => {
                    let message = "a leaf needs a rule".to_owned();
                    self.report(Check::MissingKey, &node.location, Some(&node.code), message);
                }
                (Some(_), false) => {
                    let message =
                        "a node with children is scored by them and takes no rule".to_owned();
                    self.report(Check::WrongType, &node.location, Some(&node.code), message);
                }
                _ => {}
            }
            if !children.is_empty() && node.kind == NodeKind::Scored {
                let sum: Decimal = children.iter().map(|c| c.max).sum();
                if sum != node.max {
                    let message = format!(
                        "its children's maxima add up to {}, not its maximum {}",
                        sum.normalize(),
                        node.max.normalize()
                    );
                    self.report(
                        Check::ChildrenSum,
                        &node.location,
                        Some(&node.code),
                        message,
                    );
                }
            }
            if node.kind != NodeKind::Scored && node.parent_code().is_some() {
                let message =
                    "bonus and penalty blocks are areas: their code has no dot".to_owned();
                self.report(Check::WrongType, &node.location, Some(&node.code), message);
            }
            if node.kind == NodeKind::Penalty && !node.max.is_zero() {
                let message = "a penalty block has max = 0 and a floor".to_owned();
                self.report(Check::WrongType, &node.location, Some(&node.code), message);
            }
        }
        let total: Decimal = set
            .areas()
            .filter(|a| a.kind == NodeKind::Scored)
            .map(|a| a.max)
            .sum();
        if total != set.info.max {
            let message = format!(
                "the areas' maxima add up to {}, not the set's maximum {}",
                total.normalize(),
                set.info.max.normalize()
            );
            let location = self.set_location();
            let id = set.info.id.clone();
            self.report(Check::TotalMax, &location, Some(&id), message);
        }
    }

    fn in_penalty(&self, node: &Node) -> bool {
        let area = node.code.split('.').next().unwrap_or_default();
        self.set
            .node(area)
            .is_some_and(|a| a.kind == NodeKind::Penalty)
    }

    fn check_rules(&mut self) {
        for node in self.set.leaves() {
            let Some(rule) = &node.rule else { continue };
            self.check_rule(node, rule);
        }
        for node in &self.set.nodes {
            if let Some(measure) = node.derive {
                self.check_derive(node, measure);
            }
        }
    }

    /// A plan measurement is a ratio or a count: the rule must read that kind of number.
    fn check_derive(&mut self, node: &Node, measure: PlanMeasure) {
        let shape = node.rule.as_ref().map(Rule::input);
        let fits = match (shape, measure) {
            (None, _) => false,
            (Some(shape), PlanMeasure::Done | PlanMeasure::OnTime) => shape == InputShape::Percent,
            (Some(shape), PlanMeasure::LateOrNotDone) => {
                matches!(shape, InputShape::Count | InputShape::Number)
            }
        };
        if !fits {
            let wanted = match measure {
                PlanMeasure::Done | PlanMeasure::OnTime => {
                    "a leaf with percent tiers or a proportional rule"
                }
                PlanMeasure::LateOrNotDone => "a leaf with count tiers or a per-item rule",
            };
            let message = format!("`derive = \"{measure}\"` needs {wanted}");
            self.report(Check::Derive, &node.location, Some(&node.code), message);
        }
    }

    fn check_rule(&mut self, node: &Node, rule: &Rule) {
        let code = Some(node.code.as_str());
        let (best, worst) = rule.points_range(node.max);
        let penalty = self.in_penalty(node);
        if best > node.max {
            let message = format!(
                "the rule can give {}, above the maximum {}",
                plural(best.normalize(), "point"),
                node.max.normalize()
            );
            self.report(Check::PointsAboveMax, &node.location, code, message);
        } else if best < node.max && !penalty {
            let message = format!(
                "the rule's best answer gives {}, below the maximum {}",
                plural(best.normalize(), "point"),
                node.max.normalize()
            );
            self.report(Check::BestPoints, &node.location, code, message);
        }
        if worst < Decimal::ZERO && !penalty {
            let message = format!(
                "the rule can give {} outside a penalty block",
                plural(worst.normalize(), "point")
            );
            self.report(Check::NegativePoints, &node.location, code, message);
        }
        let mut found = Vec::new();
        rule.validate_kind(
            node,
            &mut RuleChecks {
                found: &mut found,
                tier_gap: self.set.policy.tier_gap,
            },
        );
        for (severity, check, message) in found {
            self.found.push(Diagnostic {
                severity,
                check,
                location: node.location.clone(),
                code: code.map(str::to_owned),
                message,
            });
        }
    }

    fn check_bands(&mut self) {
        let set = self.set;
        if set.bands.is_empty() {
            return;
        }
        let id = set.info.id.clone();
        let conditions: Vec<&Condition> = set.bands.iter().map(|b| &b.when).collect();
        let scale = set.policy.scale;
        let mut points = test_points(&conditions, Measure::Number);
        points.extend([Decimal::ZERO, scale]);
        points.retain(|x| *x >= Decimal::ZERO && *x <= scale);
        points.sort();
        points.dedup();
        // A gap is reported at the band just below it, an overlap at the later band.
        let mut below = &set.bands[0];
        for x in points {
            let matching: Vec<&Band> = set.bands.iter().filter(|b| b.when.contains(x)).collect();
            match matching.as_slice() {
                [] => {
                    let message = format!("no band covers an index of {}", x.normalize());
                    let location = below.location.clone();
                    self.report(Check::BandGap, &location, Some(&id), message);
                    return;
                }
                [band] => below = band,
                [.., last] => {
                    let names: Vec<&str> = matching.iter().map(|b| b.name.as_str()).collect();
                    let message = format!(
                        "bands {} overlap at an index of {}",
                        names.join(" and "),
                        x.normalize()
                    );
                    let location = last.location.clone();
                    self.report(Check::BandOverlap, &location, Some(&id), message);
                    return;
                }
            }
        }
    }

    fn check_attributes_and_references(&mut self) {
        let set = self.set;
        let location = self.set_location();
        let declared = |name: &str| name == "ranked" || set.attribute(name).is_some();
        let mut used: Vec<(String, Location, Option<String>)> = Vec::new();
        if let Some(group) = &set.policy.group_by {
            used.push((group.clone(), location.clone(), None));
        }
        for node in &set.nodes {
            for a in &node.applies {
                used.push((
                    a.attribute.clone(),
                    node.location.clone(),
                    Some(node.code.clone()),
                ));
            }
            if let Some(Rule::Branch(branch)) = &node.rule {
                let on = &branch.on;
                match on {
                    BranchOn::Attribute(a) => {
                        used.push((a.clone(), node.location.clone(), Some(node.code.clone())))
                    }
                    BranchOn::Node(other) => {
                        if set
                            .node(other)
                            .is_none_or(|n| n.rule.is_none() || n.code == node.code)
                        {
                            let message =
                                format!("the branch reads {other}, which is not another leaf");
                            self.report(
                                Check::UnknownNode,
                                &node.location,
                                Some(&node.code),
                                message,
                            );
                        }
                    }
                }
            }
        }
        for band in &set.bands {
            for gate in band.requires.iter().chain(&band.forced_by) {
                match gate {
                    Gate::Attribute { name, .. } => {
                        used.push((name.clone(), location.clone(), None))
                    }
                    Gate::Node { code, .. } if set.node(code).is_none() => {
                        let message = format!(
                            "band {} depends on node {code}, which does not exist",
                            band.name
                        );
                        self.report(Check::UnknownNode, &location, None, message);
                    }
                    Gate::Node { .. } => {}
                }
            }
        }
        for code in &set.policy.tie_breakers {
            if set.node(code).is_none() {
                let message = format!("tie breaker {code} is not a node");
                self.report(Check::UnknownNode, &location, None, message);
            }
        }
        for (name, location, code) in used {
            if !declared(&name) {
                let message =
                    format!("attribute `{name}` is used but not declared in [attributes]");
                self.report(
                    Check::UndeclaredAttribute,
                    &location,
                    code.as_deref(),
                    message,
                );
            }
        }
        let mut stages = HashSet::new();
        for stage in &set.policy.stages {
            if !stages.insert(stage) {
                let message = format!("stage `{stage}` is listed twice");
                self.report(Check::DuplicateCode, &location, None, message);
            }
        }
    }

    /// Bonus and penalty blocks add to the total, not to the maximum, and count in no reform
    /// area: declaring one there is an error.
    fn check_reform_area_blocks(&mut self) {
        let set = self.set;
        for node in set.nodes.iter().filter(|n| n.reform_area.is_some()) {
            if in_block(set, node) {
                let message = "a bonus or penalty block counts in no reform area: its points add to the total, not to an area's sub-index".to_owned();
                self.report(Check::ReformArea, &node.location, Some(&node.code), message);
            }
        }
    }

    /// Turns acknowledged errors into warnings, and reports every acknowledgement. A check that
    /// is already a warning under the set's policy (a tier gap scored 0) carries its
    /// acknowledgement's note too.
    fn acknowledge(mut self) -> Vec<Diagnostic> {
        let set = self.set;
        let mut used = vec![false; set.acknowledgements.len()];
        for diagnostic in &mut self.found {
            if !diagnostic.check.acknowledgeable() {
                continue;
            }
            let code = diagnostic.code.as_deref().unwrap_or_default();
            if let Some(i) = set
                .acknowledgements
                .iter()
                .position(|a| a.check == diagnostic.check && a.code == code)
            {
                used[i] = true;
                diagnostic.severity = Severity::Warning;
                diagnostic.message = format!(
                    "{} (acknowledged: {})",
                    diagnostic.message, set.acknowledgements[i].note
                );
            }
        }
        for (ack, used) in set.acknowledgements.iter().zip(used) {
            if used {
                continue;
            }
            let known = ack.code == set.info.id || set.node(&ack.code).is_some();
            let message = if !known {
                format!("acknowledgement names {}, which is not a node", ack.code)
            } else if ack.check == Check::SourceNote {
                format!("source note: {}", ack.note)
            } else {
                format!(
                    "acknowledged {}, but the check finds nothing here: {}",
                    ack.check, ack.note
                )
            };
            self.found.push(Diagnostic {
                severity: if known {
                    Severity::Warning
                } else {
                    Severity::Error
                },
                check: if known { ack.check } else { Check::UnknownNode },
                location: ack.location.clone(),
                code: Some(ack.code.clone()),
                message,
            });
        }
        self.found
    }
}

/// Values of the measure at which the first matching condition can change: every bound, a
/// point between each two, and points beyond them, kept within the measure's domain. Matching
/// is constant between consecutive bounds, so checking these points checks every value.
pub(crate) fn test_points(conditions: &[&Condition], measure: Measure) -> Vec<Decimal> {
    let mut bounds: Vec<Decimal> = conditions.iter().flat_map(|c| c.bounds()).collect();
    bounds.sort();
    bounds.dedup();
    let mut points = Vec::new();
    match measure {
        Measure::Count => {
            for b in &bounds {
                let whole = b.floor();
                points.extend([whole - Decimal::ONE, whole, whole + Decimal::ONE, b.ceil()]);
            }
            points.push(Decimal::ZERO);
            points.retain(|x| *x >= Decimal::ZERO);
        }
        Measure::Percent | Measure::Number => {
            points.extend(bounds.iter().copied());
            for pair in bounds.windows(2) {
                points.push((pair[0] + pair[1]) / Decimal::TWO);
            }
            if let (Some(first), Some(last)) = (bounds.first(), bounds.last()) {
                points.push(*first - Decimal::ONE);
                points.push(*last + Decimal::ONE);
            } else {
                points.push(Decimal::ZERO);
            }
            if measure == Measure::Percent {
                points.extend([Decimal::ZERO, Decimal::ONE_HUNDRED]);
                points.retain(|x| *x >= Decimal::ZERO && *x <= Decimal::ONE_HUNDRED);
            }
        }
    }
    points.sort();
    points.dedup();
    points
}
