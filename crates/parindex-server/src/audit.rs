//! The audit log: every change, who made it, when, the old and new value, and why. Entries
//! are only ever inserted; the server has no statement that updates or deletes one.

use std::sync::Arc;

use axum::extract::{Path, Query, State as AppState};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;

use crate::App;
use crate::auth::Caller;
use crate::db::{Write, new_id, now};
use crate::error::ApiResult;
use crate::rounds;

/// One change to record.
pub(crate) struct Change<'a> {
    pub(crate) round: Option<&'a str>,
    pub(crate) actor: &'a str,
    pub(crate) action: &'a str,
    pub(crate) target: String,
    pub(crate) old: Option<String>,
    pub(crate) new: Option<String>,
    pub(crate) reason: Option<&'a str>,
}

/// Appends a change to the log, in the write that makes it: both land, or neither.
pub(crate) async fn record(write: &mut Write<'_>, change: Change<'_>) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO audit (id, at, round_id, actor, action, target, old_value, new_value, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id()?)
    .bind(now())
    .bind(change.round)
    .bind(change.actor)
    .bind(change.action)
    .bind(change.target)
    .bind(change.old)
    .bind(change.new)
    .bind(change.reason)
    .execute(&mut *write.tx)
    .await?;
    Ok(())
}

/// The export's format.
#[derive(Debug, Deserialize)]
pub(crate) struct Format {
    #[serde(default)]
    format: Option<String>,
}

/// `GET /api/rounds/{round}/audit[?format=csv]`: the round's log, oldest first, for the office.
pub(crate) async fn export(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Query(format): Query<Format>,
) -> ApiResult<Response> {
    rounds::require_office(&caller)?;
    let round = rounds::load(&app, &id).await?;
    let rows = sqlx::query(
        "SELECT at, actor, action, target, old_value, new_value, reason FROM audit WHERE round_id = $1 ORDER BY at, id",
    )
    .bind(&round.id)
    .fetch_all(&app.db.pool)
    .await?;
    let mut entries = Vec::with_capacity(rows.len());
    for r in &rows {
        entries.push([
            r.try_get::<i64, _>("at")?.to_string(),
            r.try_get("actor")?,
            r.try_get("action")?,
            r.try_get("target")?,
            r.try_get::<Option<String>, _>("old_value")?
                .unwrap_or_default(),
            r.try_get::<Option<String>, _>("new_value")?
                .unwrap_or_default(),
            r.try_get::<Option<String>, _>("reason")?
                .unwrap_or_default(),
        ]);
    }
    const HEADER: [&str; 7] = ["at_us", "actor", "action", "target", "old", "new", "reason"];
    if format.format.as_deref() == Some("csv") {
        let mut out = String::new();
        parindex_io::csv_record(&mut out, HEADER);
        for entry in &entries {
            parindex_io::csv_record(&mut out, entry);
        }
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit.csv\"",
                ),
            ],
            out,
        )
            .into_response());
    }
    let entries: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut entry = json!({});
            for (key, value) in HEADER.iter().zip(e) {
                entry[*key] = Value::String(value.clone());
            }
            entry
        })
        .collect();
    Ok(axum::Json(json!({ "round": round.id, "entries": entries })).into_response())
}
