//! A validated set compiled for scoring: nodes in flat arrays, leaves numbered, the order of
//! aggregation fixed once.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{CriteriaSet, NodeKind, NotApplicable};
use crate::rule::{Branch, BranchOn, Rule};
use crate::text::nfc;

/// A criteria set compiled for scoring.
///
/// Compile once and score any number of batches:
///
/// ```
/// use parindex_core::{shipped, Plan};
/// let set = shipped::load("binh-thuan-police/division-procedures/2024")?.set;
/// let plan = Plan::new(&set);
/// assert_eq!(plan.leaf_count(), set.leaves().count());
/// assert_eq!(plan.leaf_index("1.1.1"), Some(0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) set: Arc<CriteriaSet>,
    /// Per node: its parent's index.
    pub(crate) parent: Vec<Option<usize>>,
    /// Per node: its children's indices, in order.
    pub(crate) children: Vec<Vec<usize>>,
    /// Per node: its leaf number, if it is a leaf.
    pub(crate) leaf_of_node: Vec<Option<usize>>,
    /// Per leaf: its node index.
    pub(crate) leaves: Vec<usize>,
    /// Parents after all their descendants: the order of aggregation.
    pub(crate) bottom_up: Vec<usize>,
    /// Parents before their descendants: the order of applicability.
    pub(crate) top_down: Vec<usize>,
    /// The areas, in order.
    pub(crate) areas: Vec<usize>,
    /// Per node: how it counts its not-applicable children.
    pub(crate) na_policy: Vec<NotApplicable>,
    /// Per leaf: for a branch on another leaf, that leaf's number.
    pub(crate) branch_source: Vec<Option<usize>>,
    /// Whether any node depends on unit attributes.
    pub(crate) has_applicability: bool,
    /// How the nodes fall into reform areas.
    pub(crate) reform: crate::reform_area::AreaPlan,
    pub(crate) by_code: HashMap<String, usize>,
}

impl Plan {
    /// Compiles a validated set.
    pub fn new(set: &CriteriaSet) -> Self {
        Self::from_arc(Arc::new(set.clone()))
    }

    /// Compiles a shared set without copying it.
    pub fn from_arc(set: Arc<CriteriaSet>) -> Self {
        let n = set.nodes.len();
        let by_code: HashMap<String, usize> = set
            .nodes
            .iter()
            .enumerate()
            .map(|(i, node)| (node.code.clone(), i))
            .collect();
        let parent: Vec<Option<usize>> = set
            .nodes
            .iter()
            .map(|node| node.parent_code().and_then(|p| by_code.get(p).copied()))
            .collect();
        let mut children = vec![Vec::new(); n];
        for (i, p) in parent.iter().enumerate() {
            if let Some(p) = p {
                children[*p].push(i);
            }
        }
        let mut leaves = Vec::new();
        let mut leaf_of_node = vec![None; n];
        for (i, node) in set.nodes.iter().enumerate() {
            if node.rule.is_some() && children[i].is_empty() {
                leaf_of_node[i] = Some(leaves.len());
                leaves.push(i);
            }
        }
        let mut top_down: Vec<usize> = (0..n).collect();
        top_down.sort_by_key(|i| set.nodes[*i].depth());
        let bottom_up: Vec<usize> = top_down
            .iter()
            .rev()
            .copied()
            .filter(|i| !children[*i].is_empty())
            .collect();
        let areas = (0..n).filter(|i| parent[*i].is_none()).collect();
        let na_policy = set
            .nodes
            .iter()
            .map(|node| node.not_applicable.unwrap_or(set.policy.not_applicable))
            .collect();
        let branch_source = leaves
            .iter()
            .map(|i| match &set.nodes[*i].rule {
                Some(Rule::Branch(Branch {
                    on: BranchOn::Node(code),
                    ..
                })) => by_code.get(code).and_then(|j| leaf_of_node[*j]),
                _ => None,
            })
            .collect();
        let has_applicability = set.nodes.iter().any(|node| !node.applies.is_empty());
        Plan {
            parent,
            children,
            leaf_of_node,
            leaves,
            bottom_up,
            top_down,
            areas,
            na_policy,
            branch_source,
            has_applicability,
            reform: crate::reform_area::AreaPlan::new(&set),
            by_code,
            set,
        }
    }

    /// The set this plan scores.
    pub fn set(&self) -> &CriteriaSet {
        &self.set
    }

    /// The shared set.
    pub fn set_arc(&self) -> &Arc<CriteriaSet> {
        &self.set
    }

    /// How many leaves the set has.
    pub fn leaf_count(&self) -> usize {
        self.leaves.len()
    }

    /// The node of a leaf, by the leaf's position.
    pub fn leaf_node(&self, leaf: usize) -> Option<usize> {
        self.leaves.get(leaf).copied()
    }

    /// The number of the leaf with this code, in set order.
    pub fn leaf_index(&self, code: &str) -> Option<usize> {
        self.node_index(code).and_then(|i| self.leaf_of_node[i])
    }

    /// The index of the node with this code, in set order.
    pub fn node_index(&self, code: &str) -> Option<usize> {
        self.by_code.get(nfc(code).as_ref()).copied()
    }

    /// The code of a leaf, by the leaf's position.
    pub fn leaf_code(&self, leaf: usize) -> Option<&str> {
        self.leaf_node(leaf)
            .map(|i| self.set.nodes[i].code.as_str())
    }

    /// The codes of the leaves, in order: the columns of a wide input.
    pub fn leaf_codes(&self) -> impl Iterator<Item = &str> {
        self.leaves.iter().map(|i| self.set.nodes[*i].code.as_str())
    }

    /// The position of a stage by name, however its marks are encoded.
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        let name = nfc(name);
        self.set.policy.stages.iter().position(|s| nfc(s) == name)
    }

    pub(crate) fn is_bonus_or_penalty(&self, node: usize) -> bool {
        self.set.nodes[node].kind != NodeKind::Scored
    }
}
