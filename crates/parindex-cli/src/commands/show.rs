//! `parindex show`: a set's tree, as text or JSON.

use parindex_core::rule_to_toml;
use parindex_io::decimal;

use crate::ShowFormat;
use crate::output::{Outcome, out};
use crate::run::load_set;

/// Prints a set's tree, as text or JSON.
pub(crate) fn show(set: &str, format: ShowFormat) -> Outcome {
    let loaded = load_set(set)?;
    let set = &loaded.set;
    match format {
        ShowFormat::Text => {
            let mut text = format!(
                "{}\n{} · {} · {} · max {} · stages {}\n",
                set.info.title,
                set.info.id,
                set.info.year,
                set.info.level,
                decimal(set.info.max),
                set.policy.stages.join(" → ")
            );
            text.push_str(&format!("hash {}\n", set.content_hash));
            if !set.bands.is_empty() {
                let bands: Vec<String> = set
                    .bands
                    .iter()
                    .map(|b| format!("{} ({})", b.name, b.when))
                    .collect();
                text.push_str(&format!("bands {}\n", bands.join(", ")));
            }
            text.push('\n');
            for node in &set.nodes {
                let indent = "  ".repeat(node.depth());
                text.push_str(&format!(
                    "{indent}{} {} [{}]",
                    node.code,
                    node.name,
                    decimal(node.max)
                ));
                if let Some(area) = node.reform_area {
                    text.push_str(&format!(" <{area}>"));
                }
                if let Some(rule) = &node.rule {
                    text.push_str(&format!("  {}", rule_to_toml(rule)));
                }
                text.push('\n');
            }
            out(&text)
        }
        ShowFormat::Json => {
            let nodes: Vec<serde_json::Value> = set
                .nodes
                .iter()
                .map(|n| {
                    serde_json::json!({
                        "code": n.code,
                        "name": n.name,
                        "name_en": n.name_en,
                        "max": decimal(n.max),
                        "parent": n.parent_code(),
                        "leaf": n.rule.is_some(),
                        "rule": n.rule.as_ref().map(rule_to_toml),
                        "rule_kind": n.rule.as_ref().map(|r| r.kind().as_str()),
                        "reform_area": set.reform_area(&n.code).map(|a| a.as_str()),
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "id": set.info.id,
                "title": set.info.title,
                "year": set.info.year,
                "level": set.info.level,
                "max": decimal(set.info.max),
                "content_hash": set.content_hash,
                "status": set.origin.status.as_str(),
                "stages": set.policy.stages,
                "attributes": set.attributes.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
                "bands": set.bands.iter().map(|b| serde_json::json!({"name": b.name, "label": b.label, "when": b.when.to_string()})).collect::<Vec<_>>(),
                "nodes": nodes,
            });
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            out(&text)
        }
    }
}
