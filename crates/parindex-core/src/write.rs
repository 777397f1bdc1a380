//! Writing a set back to TOML, in the format it is read from.

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::model::*;
use crate::rule::*;

fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

fn number(x: Decimal) -> String {
    // Strings keep every digit; TOML numbers would too, but a reader using floats would not.
    let text = x.normalize().to_string();
    if text.contains('.') {
        quote(&text)
    } else {
        text
    }
}

fn attr(value: &AttrValue) -> String {
    match value {
        AttrValue::Bool(b) => b.to_string(),
        AttrValue::Text(t) => quote(t),
        AttrValue::Number(n) => number(*n),
    }
}

fn pairs(items: &[(String, Decimal)]) -> String {
    let inner: Vec<String> = items
        .iter()
        .map(|(k, v)| format!("{} = {}", quote(k), number(*v)))
        .collect();
    format!("{{ {} }}", inner.join(", "))
}

fn optional(out: &mut Vec<String>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        out.push(format!("{key} = {v}"));
    }
}

/// A rule as one inline TOML table: how `show` prints rules and `diff` compares them.
///
/// ```
/// use parindex_core::{Rule, rule_to_toml};
/// use rust_decimal::Decimal;
/// let rule = Rule::YesNo { yes: Decimal::ONE, no: Decimal::ZERO, yes_label: None, no_label: None };
/// assert_eq!(rule_to_toml(&rule), r#"{ kind = "yes-no", yes = 1, no = 0 }"#);
/// ```
pub fn rule_to_toml(rule: &Rule) -> String {
    let mut f = vec![format!("kind = {}", quote(rule.kind().as_str()))];
    let tiers = |tiers: &[Tier]| {
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
    };
    match rule {
        Rule::YesNo {
            yes,
            no,
            yes_label,
            no_label,
        } => {
            f.push(format!("yes = {}", number(*yes)));
            f.push(format!("no = {}", number(*no)));
            optional(&mut f, "yes_label", yes_label.as_deref().map(quote));
            optional(&mut f, "no_label", no_label.as_deref().map(quote));
        }
        Rule::Levels { levels } => {
            let items: Vec<String> = levels
                .iter()
                .map(|l| {
                    let label = l
                        .label
                        .as_ref()
                        .map(|x| format!(", label = {}", quote(x)))
                        .unwrap_or_default();
                    format!(
                        "{{ key = {}{label}, points = {} }}",
                        quote(&l.key),
                        number(l.points)
                    )
                })
                .collect();
            f.push(format!("level = [{}]", items.join(", ")));
        }
        Rule::Timeliness {
            due,
            on_time,
            late,
            missing,
            per_day_late,
        } => {
            optional(&mut f, "due", due.map(|d| quote(&d.iso())));
            f.push(format!("on_time = {}", number(*on_time)));
            f.push(format!("late = {}", number(*late)));
            f.push(format!("missing = {}", number(*missing)));
            optional(&mut f, "per_day_late", per_day_late.map(number));
        }
        Rule::Tiers {
            measure,
            better,
            tiers: list,
        } => {
            f.push(format!("measure = {}", quote(measure.as_str())));
            if *better != Better::Higher {
                f.push(format!("better = {}", quote(better.as_str())));
            }
            f.push(format!("tier = {}", tiers(list)));
        }
        Rule::Proportional {
            target,
            floor,
            cap,
            round,
        } => {
            optional(&mut f, "target", target.map(number));
            optional(&mut f, "floor", floor.map(number));
            optional(&mut f, "cap", cap.map(number));
            optional(&mut f, "round", round.map(|r| r.to_string()));
        }
        Rule::PerItem { points, cap, floor } => {
            f.push(format!("points = {}", number(*points)));
            optional(&mut f, "cap", cap.map(number));
            optional(&mut f, "floor", floor.map(number));
        }
        Rule::Survey {
            mode,
            groups,
            satisfied,
        } => {
            f.push(format!("mode = {}", quote(mode.kind().as_str())));
            match mode {
                SurveyMode::Share { tiers: list } => f.push(format!("tier = {}", tiers(list))),
                SurveyMode::Options { options } => {
                    f.push(format!("options = {}", pairs(options)));
                }
            }
            if !groups.is_empty() {
                f.push(format!("groups = {}", pairs(groups)));
            }
            if !satisfied.is_empty() {
                let quoted: Vec<String> = satisfied.iter().map(|a| quote(a)).collect();
                f.push(format!("satisfied = [{}]", quoted.join(", ")));
            }
        }
        Rule::Relative {
            to,
            among,
            at_or_above,
            below,
        } => {
            f.push(format!("to = {}", quote(to.as_str())));
            f.push(format!("among = {}", quote(among.as_str())));
            f.push(format!("at_or_above = {}", number(*at_or_above)));
            f.push(format!("below = {}", number(*below)));
        }
        Rule::Direct { min, step } => {
            optional(&mut f, "min", min.map(number));
            optional(&mut f, "step", step.map(number));
        }
        Rule::Branch { on, cases } => {
            let on = match on {
                BranchOn::Attribute(a) => format!("{{ attribute = {} }}", quote(a)),
                BranchOn::Node(c) => format!("{{ node = {} }}", quote(c)),
            };
            f.push(format!("on = {on}"));
            let items: Vec<String> = cases
                .iter()
                .map(|c| {
                    let equals = c
                        .equals
                        .as_ref()
                        .map(|e| format!("equals = {}, ", attr(e)))
                        .unwrap_or_default();
                    format!("{{ {equals}rule = {} }}", rule_to_toml(&c.rule))
                })
                .collect();
            f.push(format!("case = [{}]", items.join(", ")));
        }
    }
    format!("{{ {} }}", f.join(", "))
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
