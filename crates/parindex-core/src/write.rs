//! Writing a set back to TOML, in the format it is read from.

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::model::*;
use crate::rule::Rule;

pub(crate) fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

pub(crate) fn number(x: Decimal) -> String {
    // Strings keep every digit; TOML numbers would too, but a reader using floats would not.
    let text = x.normalize().to_string();
    if text.contains('.') {
        quote(&text)
    } else {
        text
    }
}

pub(crate) fn attr(value: &AttrValue) -> String {
    match value {
        AttrValue::Bool(b) => b.to_string(),
        AttrValue::Text(t) => quote(t),
        AttrValue::Number(n) => number(*n),
    }
}

pub(crate) fn pairs(items: &[(String, Decimal)]) -> String {
    let inner: Vec<String> = items
        .iter()
        .map(|(k, v)| format!("{} = {}", quote(k), number(*v)))
        .collect();
    format!("{{ {} }}", inner.join(", "))
}

pub(crate) fn optional(out: &mut Vec<String>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        out.push(format!("{key} = {v}"));
    }
}

/// A rule as one inline TOML table: how `show` prints rules and `diff` compares them.
///
/// ```
/// use parindex_core::{Rule, YesNo, rule_to_toml};
/// use rust_decimal::Decimal;
/// let rule = Rule::YesNo(YesNo { yes: Decimal::ONE, no: Decimal::ZERO, yes_label: None, no_label: None });
/// assert_eq!(rule_to_toml(&rule), r#"{ kind = "yes-no", yes = 1, no = 0 }"#);
/// ```
pub fn rule_to_toml(rule: &Rule) -> String {
    let mut fields = vec![format!("kind = {}", quote(rule.kind().as_str()))];
    rule.write_fields(&mut fields);
    format!("{{ {} }}", fields.join(", "))
}

fn gates(gates: &[Gate]) -> String {
    let items: Vec<String> = gates
        .iter()
        .map(|g| match g {
            Gate::Attribute { name, equals } => format!(
                "{{ attribute = {}, equals = {} }}",
                quote(name),
                attr(equals)
            ),
            Gate::Node { code, when } => format!(
                "{{ node = {}, when = {} }}",
                quote(code),
                quote(&when.to_string())
            ),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

impl CriteriaSet {
    /// Writes the set as a criteria file that loads back to the same set.
    ///
    /// ```
    /// use parindex_core::{shipped, CriteriaSet};
    /// let set = shipped::load("hai-phong/official/2025")?.set;
    /// let again = CriteriaSet::from_toml(&set.to_toml(), "again.toml")?.set;
    /// assert_eq!(again.nodes.len(), set.nodes.len());
    /// assert_eq!(again.node("II.3.a").map(|n| &n.rule), set.node("II.3.a").map(|n| &n.rule));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let i = &self.info;
        let _ = writeln!(
            out,
            "[set]\nformat = {}\nid = {}\ntitle = {}",
            i.format,
            quote(&i.id),
            quote(&i.title)
        );
        if let Some(t) = &i.title_en {
            let _ = writeln!(out, "title_en = {}", quote(t));
        }
        let _ = writeln!(
            out,
            "level = {}\nyear = {}\nlanguage = {}\nmax = {}\n",
            quote(&i.level),
            i.year,
            quote(&i.language),
            number(i.max)
        );
        let o = &self.origin;
        let _ = writeln!(out, "[origin]\nauthority = {}", quote(&o.authority));
        for (key, value) in [("decision", &o.decision), ("issued", &o.issued)] {
            if let Some(v) = value {
                let _ = writeln!(out, "{key} = {}", quote(v));
            }
        }
        let _ = writeln!(
            out,
            "source = {}\nstatus = {}",
            quote(&o.source),
            quote(o.status.as_str())
        );
        if let Some(n) = &o.notes {
            let _ = writeln!(out, "notes = {}", quote(n));
        }
        let p = &self.policy;
        let stages: Vec<String> = p.stages.iter().map(|s| quote(s)).collect();
        let breakers: Vec<String> = p.tie_breakers.iter().map(|s| quote(s)).collect();
        let _ = writeln!(
            out,
            "\n[policy]\nscale = {}\ndecimals = {}\nrounding = {}\nnot_applicable = {}\nmissing = {}\nevidence = {}\nstages = [{}]\nties = {}\ntie_breakers = [{}]\nrank_on = {}\ncap_total = {}",
            number(p.scale),
            p.decimals,
            quote(p.rounding.as_str()),
            quote(p.not_applicable.as_str()),
            quote(p.missing.as_str()),
            quote(p.evidence.as_str()),
            stages.join(", "),
            quote(p.ties.as_str()),
            breakers.join(", "),
            quote(p.rank_on.as_str()),
            p.cap_total
        );
        if let Some(g) = &p.group_by {
            let _ = writeln!(out, "group_by = {}", quote(g));
        }
        if let Some(m) = p.min_respondents {
            let _ = writeln!(out, "min_respondents = {m}");
        }
        if p.tier_gap != TierGap::Refuse {
            let _ = writeln!(out, "tier_gap = {}", quote(p.tier_gap.as_str()));
        }
        for a in &self.attributes {
            let _ = writeln!(
                out,
                "\n[attributes.{}]\ntype = {}",
                quote(&a.name),
                quote(a.kind.as_str())
            );
            if let Some(l) = &a.label {
                let _ = writeln!(out, "label = {}", quote(l));
            }
            if !a.values.is_empty() {
                let values: Vec<String> = a.values.iter().map(|v| quote(v)).collect();
                let _ = writeln!(out, "values = [{}]", values.join(", "));
            }
        }
        for b in &self.bands {
            let _ = writeln!(
                out,
                "\n[[band]]\nname = {}\nwhen = {}",
                quote(&b.name),
                quote(&b.when.to_string())
            );
            if let Some(l) = &b.label {
                let _ = writeln!(out, "label = {}", quote(l));
            }
            if !b.requires.is_empty() {
                let _ = writeln!(out, "requires = {}", gates(&b.requires));
            }
            if !b.forced_by.is_empty() {
                let _ = writeln!(out, "forced_by = {}", gates(&b.forced_by));
            }
        }
        for e in &self.events {
            let _ = writeln!(out, "\n[[event]]\nid = {}", quote(&e.id));
            if let Some(name) = &e.name {
                let _ = writeln!(out, "name = {}", quote(name));
            }
            if let Some(date) = e.date {
                let _ = writeln!(out, "date = {}", quote(&date.iso()));
            }
        }
        for n in &self.nodes {
            let _ = writeln!(out, "\n[[node]]\ncode = {}", quote(&n.code));
            if let Some(p) = &n.printed_code {
                let _ = writeln!(out, "printed_code = {}", quote(p));
            }
            let _ = writeln!(out, "name = {}", quote(&n.name));
            if let Some(e) = &n.name_en {
                let _ = writeln!(out, "name_en = {}", quote(e));
            }
            let _ = writeln!(out, "max = {}", number(n.max));
            // The defaults are left out, as people write them.
            if n.source != Source::SelfAssessed {
                let _ = writeln!(out, "source = {}", quote(n.source.as_str()));
            }
            if let Some(d) = n.derive {
                let _ = writeln!(out, "derive = {}", quote(d.as_str()));
            }
            if let Some(e) = n.evidence {
                let _ = writeln!(out, "evidence = {}", quote(e.as_str()));
            }
            if let Some(a) = n.reform_area {
                let _ = writeln!(out, "reform_area = {}", quote(a.as_str()));
            }
            if !n.applies.is_empty() {
                let items: Vec<String> = n
                    .applies
                    .iter()
                    .map(|a| {
                        let values: Vec<String> = a.any_of.iter().map(attr).collect();
                        format!("{} = [{}]", quote(&a.attribute), values.join(", "))
                    })
                    .collect();
                let _ = writeln!(out, "applies = {{ {} }}", items.join(", "));
            }
            if let Some(na) = n.not_applicable {
                let _ = writeln!(out, "not_applicable = {}", quote(na.as_str()));
            }
            if n.kind != NodeKind::Scored {
                let _ = writeln!(out, "kind = {}", quote(n.kind.as_str()));
            }
            if let Some(f) = n.floor {
                let _ = writeln!(out, "floor = {}", number(f));
            }
            if let Some(note) = &n.note {
                let _ = writeln!(out, "note = {}", quote(note));
            }
            if let Some(rule) = &n.rule {
                let _ = writeln!(out, "rule = {}", rule_to_toml(rule));
            }
        }
        for a in &self.acknowledgements {
            let _ = writeln!(
                out,
                "\n[[acknowledge]]\ncode = {}\ncheck = {}\nnote = {}",
                quote(&a.code),
                quote(a.check.as_str()),
                quote(&a.note)
            );
        }
        out
    }
}
