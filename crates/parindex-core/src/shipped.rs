//! The criteria sets shipped with parindex, compiled into the library from `criteria/`.

use crate::diagnostic::CriteriaError;
use crate::load::Loaded;
use crate::model::{CriteriaSet, Status};

include!(concat!(env!("OUT_DIR"), "/shipped_sets.rs"));

/// A shipped set, as listed by [`list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedSet {
    /// The set's id.
    pub id: String,
    /// The year scored.
    pub year: i32,
    /// What is scored.
    pub level: String,
    /// The title.
    pub title: String,
    /// How authoritative the file is.
    pub status: Status,
    /// The file, under `criteria/`.
    pub path: &'static str,
}

/// The shipped sets, by year then id.
///
/// ```
/// let sets = parindex_core::shipped::list();
/// assert!(sets.iter().any(|s| s.id == "binh-thuan-police/commune/2024"));
/// ```
pub fn list() -> Vec<ShippedSet> {
    let mut sets: Vec<ShippedSet> = FILES
        .iter()
        .filter_map(|(path, text)| {
            let set = CriteriaSet::from_toml(text, &format!("criteria/{path}"))
                .ok()?
                .set;
            Some(ShippedSet {
                id: set.info.id,
                year: set.info.year,
                level: set.info.level,
                title: set.info.title,
                status: set.origin.status,
                path,
            })
        })
        .collect();
    sets.sort_by(|a, b| (a.year, &a.id).cmp(&(b.year, &b.id)));
    sets
}

/// The text of a shipped set, by id.
pub fn text(id: &str) -> Option<(&'static str, &'static str)> {
    FILES
        .iter()
        .copied()
        .find(|(_, text)| declared_id(text) == Some(id))
}

/// Loads a set named the way every front end names one: the path of a criteria file when the
/// text names an existing file or ends in `.toml`, else the id of a shipped set.
///
/// ```
/// use parindex_core::shipped;
/// let by_id = shipped::resolve("binh-thuan-police/commune/2024")?;
/// assert_eq!(by_id.set.info.year, 2024);
/// let missing = shipped::resolve("no/such/file.toml").err().ok_or("loaded")?;
/// assert!(missing.to_string().starts_with("no/such/file.toml"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn resolve(id_or_path: &str) -> Result<Loaded, CriteriaError> {
    let path = std::path::Path::new(id_or_path);
    if path.is_file() || id_or_path.ends_with(".toml") {
        CriteriaSet::from_path(path)
    } else {
        load(id_or_path)
    }
}

/// Loads a shipped set by id.
///
/// ```
/// let loaded = parindex_core::shipped::load("hai-phong/official/2025")?;
/// assert_eq!(loaded.set.policy.stages, ["self", "manager", "authority"]);
/// assert!(parindex_core::shipped::load("nowhere/commune/1999").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load(id: &str) -> Result<Loaded, CriteriaError> {
    match text(id) {
        Some((path, text)) => CriteriaSet::from_toml(text, &format!("criteria/{path}")),
        None => {
            let known: Vec<String> = list().into_iter().map(|s| s.id).collect();
            Err(CriteriaError {
                diagnostics: vec![crate::Diagnostic {
                    severity: crate::Severity::Error,
                    check: crate::Check::UnknownNode,
                    location: crate::Location {
                        file: id.to_owned(),
                        line: 0,
                        column: 0,
                    },
                    code: None,
                    message: format!("no shipped set has this id (shipped: {})", known.join(", ")),
                }],
            })
        }
    }
}

/// The `id` in a file's `[set]` table, found without a full load.
fn declared_id(text: &str) -> Option<&str> {
    let set_table = text.split("\n[set]").nth(1)?;
    let line = set_table
        .lines()
        .take_while(|l| !l.starts_with('['))
        .find(|l| l.trim_start().starts_with("id "))?;
    let value = line.split_once('=')?.1.trim();
    value.strip_prefix('"')?.split('"').next()
}

/// Raw files, path and text, for tools that list or copy them.
pub fn files() -> &'static [(&'static str, &'static str)] {
    FILES
}
