//! A unit's data in a round: values per leaf and stage, evidence files, comments, submission
//! and the upload of a filled template.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State as AppState};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use parindex_core::Plan;
use parindex_io::{CellTarget, InputReader, ReadError};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;

use crate::App;
use crate::audit::{self, Change};
use crate::auth::{Account, Caller, Role};
use crate::db::{Write, new_id, now};
use crate::error::{ApiError, ApiResult};
use crate::rounds::{self, RoundRow, State};

/// The largest evidence file: 20 MiB.
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;
/// The largest uploaded template: 10 MiB.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// The longest comment, in characters.
const MAX_COMMENT_CHARS: usize = 4000;

/// How the caller reaches a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Office,
    OwnUnit,
    Appraiser,
}

/// The round and the caller's access to one of its units; a unit the caller may not reach is
/// "not found", as if it were not there.
async fn access(
    app: &App,
    account: &Account,
    round: &str,
    unit: &str,
) -> ApiResult<(RoundRow, Access)> {
    let hidden = || ApiError::not_found(format!("no unit {unit} in round {round}"));
    let round = rounds::visible(app, Some(account), round).await?;
    let exists = sqlx::query("SELECT code FROM units WHERE round_id = $1 AND code = $2")
        .bind(&round.id)
        .bind(unit)
        .fetch_optional(&app.db.pool)
        .await?
        .is_some();
    if !exists {
        return Err(hidden());
    }
    let access = match account.role {
        Role::Office => Access::Office,
        Role::Unit
            if account.round.as_deref() == Some(&round.id)
                && account.unit.as_deref() == Some(unit) =>
        {
            Access::OwnUnit
        }
        Role::Appraiser
            if rounds::assigned_units(app, account, &round.id)
                .await?
                .is_some_and(|units| units.iter().any(|u| u == unit)) =>
        {
            Access::Appraiser
        }
        _ => return Err(hidden()),
    };
    Ok((round, access))
}

/// A unit's status: `editing`, then `submitted`.
async fn status(app: &App, round: &str, unit: &str) -> ApiResult<String> {
    Ok(
        sqlx::query("SELECT status FROM units WHERE round_id = $1 AND code = $2")
            .bind(round)
            .bind(unit)
            .fetch_one(&app.db.pool)
            .await?
            .try_get("status")?,
    )
}

/// Refuses a unit's own edits unless the round is open, in its window, and the unit has not
/// submitted.
async fn require_editing(app: &App, round: &RoundRow, unit: &str) -> ApiResult<()> {
    round.require_phase(State::Open)?;
    if status(app, &round.id, unit).await? != "editing" {
        return Err(ApiError::closed(
            "the unit has submitted its self-assessment; it can no longer be changed",
        )
        .with_check("check-submitted", Vec::new()));
    }
    Ok(())
}

/// An input's problems as a refusal, each at its place.
pub(crate) fn refused(message: &str, error: &ReadError) -> ApiError {
    let problems: Vec<Value> = error
        .problems
        .iter()
        .map(|p| {
            json!({
                "file": p.file,
                "unit": p.unit,
                "code": p.code,
                "message": p.to_string(),
                "check": p.check,
            })
        })
        .collect();
    ApiError::invalid_with(
        format!("{message}: {} problem(s)", error.count()),
        json!({ "problems": problems, "more": error.more }),
    )
}

/// `GET /api/rounds/{round}/units/{unit}`: the unit's values, evidence and comments.
pub(crate) async fn show(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path((round, unit)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    unit_detail(&app, &caller.0, &round, &unit).await.map(Json)
}

/// A unit's values, evidence and comments, for a caller who may see them.
pub(crate) async fn unit_detail(
    app: &App,
    account: &Account,
    round: &str,
    unit: &str,
) -> ApiResult<Value> {
    let (round, _) = access(app, account, round, unit).await?;
    let row =
        sqlx::query("SELECT name, attributes, status FROM units WHERE round_id = $1 AND code = $2")
            .bind(&round.id)
            .bind(unit)
            .fetch_one(&app.db.pool)
            .await?;
    let values = sqlx::query(
        "SELECT leaf, stage, value, set_by, set_at, version FROM leaf_values WHERE round_id = $1 AND unit_code = $2 ORDER BY leaf, stage",
    )
    .bind(&round.id)
    .bind(unit)
    .fetch_all(&app.db.pool)
    .await?;
    let evidence = sqlx::query(
        "SELECT leaf, sha256, file_name, media_type, size, uploaded_by, uploaded_at FROM evidence WHERE round_id = $1 AND unit_code = $2 ORDER BY leaf, uploaded_at",
    )
    .bind(&round.id)
    .bind(unit)
    .fetch_all(&app.db.pool)
    .await?;
    let comments = sqlx::query(
        "SELECT id, leaf, author, at, body FROM comments WHERE round_id = $1 AND unit_code = $2 ORDER BY at, id",
    )
    .bind(&round.id)
    .bind(unit)
    .fetch_all(&app.db.pool)
    .await?;
    let attributes: String = row.try_get("attributes")?;
    Ok(json!({
        "unit": unit,
        "name": row.try_get::<String, _>("name")?,
        "attributes": serde_json::from_str::<Value>(&attributes).unwrap_or(Value::Null),
        "status": row.try_get::<String, _>("status")?,
        "values": values.iter().map(|r| Ok(json!({
            "leaf": r.try_get::<String, _>("leaf")?,
            "stage": r.try_get::<String, _>("stage")?,
            "value": r.try_get::<String, _>("value")?,
            "set_by": r.try_get::<String, _>("set_by")?,
            "set_at": r.try_get::<i64, _>("set_at")?,
            "version": r.try_get::<i64, _>("version")?,
        }))).collect::<Result<Vec<_>, sqlx::Error>>()?,
        "evidence": evidence.iter().map(|r| Ok(json!({
            "leaf": r.try_get::<String, _>("leaf")?,
            "sha256": r.try_get::<String, _>("sha256")?,
            "file_name": r.try_get::<String, _>("file_name")?,
            "media_type": r.try_get::<String, _>("media_type")?,
            "size": r.try_get::<i64, _>("size")?,
            "uploaded_by": r.try_get::<String, _>("uploaded_by")?,
        }))).collect::<Result<Vec<_>, sqlx::Error>>()?,
        "comments": comments.iter().map(|r| Ok(json!({
            "id": r.try_get::<String, _>("id")?,
            "leaf": r.try_get::<String, _>("leaf")?,
            "author": r.try_get::<String, _>("author")?,
            "at": r.try_get::<i64, _>("at")?,
            "body": r.try_get::<String, _>("body")?,
        }))).collect::<Result<Vec<_>, sqlx::Error>>()?,
    }))
}

/// A value to write.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewValue {
    /// The value as a unit writes it; empty clears it.
    value: String,
    /// The version read before editing: 0 for a value not yet written.
    version: i64,
    /// Why: required of an appraisal that changes the unit's value or an earlier appraisal.
    #[serde(default)]
    reason: Option<String>,
}

/// The stored value and version of a leaf at a stage.
async fn current(
    write: &mut Write<'_>,
    round: &str,
    unit: &str,
    leaf: &str,
    stage: &str,
) -> ApiResult<Option<(String, i64, String)>> {
    let row = sqlx::query(
        "SELECT value, version, set_by FROM leaf_values WHERE round_id = $1 AND unit_code = $2 AND leaf = $3 AND stage = $4",
    )
    .bind(round)
    .bind(unit)
    .bind(leaf)
    .bind(stage)
    .fetch_optional(&mut *write.tx)
    .await?;
    match row {
        Some(r) => Ok(Some((
            r.try_get("value")?,
            r.try_get("version")?,
            r.try_get("set_by")?,
        ))),
        None => Ok(None),
    }
}

/// A value to store and why, by whom.
struct Stored<'a> {
    round: &'a str,
    unit: &'a str,
    leaf: &'a str,
    stage: &'a str,
    value: &'a str,
    actor: &'a str,
    reason: Option<&'a str>,
}

/// Writes a value if `expected` is its current version (0: not yet written); returns the new
/// version, or a conflict with the current value. The audit entry goes in the same write.
async fn store_value(
    write: &mut Write<'_>,
    v: Stored<'_>,
    expected: Option<i64>,
) -> ApiResult<i64> {
    let old = current(write, v.round, v.unit, v.leaf, v.stage).await?;
    let version = old.as_ref().map_or(0, |(_, version, _)| *version);
    if let Some(expected) = expected
        && expected != version
    {
        let (value, _, set_by) = old.unwrap_or_default();
        return Err(ApiError::conflict(
            "the value changed since it was read; read it again",
            json!({ "value": value, "version": version, "set_by": set_by }),
        ));
    }
    let changed = if old.is_some() {
        sqlx::query(
            "UPDATE leaf_values SET value = $1, set_by = $2, set_at = $3, version = version + 1 WHERE round_id = $4 AND unit_code = $5 AND leaf = $6 AND stage = $7 AND version = $8",
        )
        .bind(v.value)
        .bind(v.actor)
        .bind(now())
        .bind(v.round)
        .bind(v.unit)
        .bind(v.leaf)
        .bind(v.stage)
        .bind(version)
        .execute(&mut *write.tx)
        .await?
        .rows_affected()
    } else {
        sqlx::query(
            "INSERT INTO leaf_values (round_id, unit_code, leaf, stage, value, set_by, set_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
        )
        .bind(v.round)
        .bind(v.unit)
        .bind(v.leaf)
        .bind(v.stage)
        .bind(v.value)
        .bind(v.actor)
        .bind(now())
        .execute(&mut *write.tx)
        .await?
        .rows_affected()
    };
    if changed != 1 {
        return Err(ApiError::conflict(
            "the value changed since it was read; read it again",
            Value::Null,
        ));
    }
    audit::record(
        write,
        Change {
            round: Some(v.round),
            actor: v.actor,
            action: "set-value",
            target: format!("{} {} ({})", v.unit, v.leaf, v.stage),
            old: old.map(|(value, _, _)| value),
            new: Some(v.value.to_owned()),
            reason: v.reason,
        },
    )
    .await?;
    Ok(version + 1)
}

/// The unit's attributes as stored, for the reader.
async fn attributes(app: &App, round: &str, unit: &str) -> ApiResult<Value> {
    let text: String =
        sqlx::query("SELECT attributes FROM units WHERE round_id = $1 AND code = $2")
            .bind(round)
            .bind(unit)
            .fetch_one(&app.db.pool)
            .await?
            .try_get("attributes")?;
    serde_json::from_str(&text).map_err(ApiError::internal)
}

/// Reads one value through the set's reader, as a JSON input holding it would be read;
/// returns the text the rule reads, or the reader's problems.
async fn checked_value(
    app: &App,
    plan: &Plan,
    round: &str,
    unit: &str,
    leaf: &str,
    stage: &str,
    value: &str,
) -> ApiResult<String> {
    let document = json!({ "units": [{
        "unit": unit,
        "attributes": attributes(app, round, unit).await?,
        "stages": { stage: { leaf: value } },
    }]});
    let mut reader = InputReader::new(plan);
    reader.keep_texts();
    reader.read_bytes("value.json", document.to_string().as_bytes());
    let text = reader.texts().iter().find_map(|t| match &t.target {
        CellTarget::Value { .. } => Some(t.text.clone()),
        _ => None,
    });
    reader
        .finish()
        .map_err(|e| refused(&format!("{leaf}: the value is refused"), &e))?;
    Ok(text.unwrap_or_default())
}

/// `PUT /api/rounds/{round}/units/{unit}/values/{leaf}`: a unit writes its self-assessment;
/// an assigned appraiser writes the appraisal. The write is refused with a conflict when the
/// value changed since `version` was read.
pub(crate) async fn set_value(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path((round, unit, leaf)): Path<(String, String, String)>,
    Json(body): Json<NewValue>,
) -> ApiResult<Json<Value>> {
    let written = write_value(
        &app,
        &caller.0,
        (&round, &unit, &leaf),
        &body.value,
        body.version,
        body.reason.as_deref(),
    )
    .await?;
    Ok(Json(written))
}

/// Writes a value of a unit's leaf at the caller's stage, if `version` is still current.
pub(crate) async fn write_value(
    app: &App,
    account: &Account,
    (round, unit, leaf): (&str, &str, &str),
    value: &str,
    version: i64,
    reason: Option<&str>,
) -> ApiResult<Value> {
    let (round, access) = access(app, account, round, unit).await?;
    let plan = rounds::plan(app, &round)?;
    let stages = &plan.set().policy.stages;
    if plan.leaf_index(leaf).is_none() {
        return Err(ApiError::not_found(format!(
            "the set has no criterion {leaf} to score"
        )));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let stage = match access {
        Access::OwnUnit => {
            require_editing(app, &round, unit).await?;
            stages[0].clone()
        }
        Access::Appraiser => {
            round.require_phase(State::Appraisal)?;
            if !rounds::covers(app, account, &round.id, unit, leaf).await? {
                return Err(ApiError::forbidden(format!(
                    "{leaf} is outside the areas assigned to you for {unit}"
                ))
                .with_check(
                    "check-outside-areas",
                    vec![("code", leaf.to_owned()), ("unit", unit.to_owned())],
                ));
            }
            stages
                .get(1)
                .cloned()
                .ok_or_else(|| ApiError::invalid("this set has no appraisal stage"))?
        }
        Access::Office => {
            return Err(ApiError::forbidden(
                "the office does not enter values: units self-assess and appraisers appraise",
            ));
        }
    };
    let text = if value.trim().is_empty() {
        String::new()
    } else {
        checked_value(app, &plan, &round.id, unit, leaf, &stage, value).await?
    };
    let mut write = app.db.write().await?;
    if access == Access::Appraiser && reason.is_none() {
        let own = current(&mut write, &round.id, unit, leaf, &stages[0]).await?;
        let earlier = current(&mut write, &round.id, unit, leaf, &stage).await?;
        let same_as_unit = own.is_some_and(|(value, _, _)| value == text);
        if earlier.is_some() || !same_as_unit {
            return Err(ApiError::invalid(
                "an appraisal that changes the unit's value, or an earlier appraisal, needs a reason",
            )
            .with_check("check-reason-needed", Vec::new()));
        }
    }
    let version = store_value(
        &mut write,
        Stored {
            round: &round.id,
            unit,
            leaf,
            stage: &stage,
            value: &text,
            actor: &account.login,
            reason,
        },
        Some(version),
    )
    .await?;
    write.commit().await?;
    Ok(json!({ "leaf": leaf, "stage": stage, "value": text, "version": version }))
}

/// What an evidence file may be: its media type, by its first bytes and its extension.
fn evidence_type(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    Some(match extension.as_str() {
        "pdf" if bytes.starts_with(b"%PDF-") => "application/pdf",
        "png" if bytes.starts_with(b"\x89PNG\r\n\x1a\n") => "image/png",
        "jpg" | "jpeg" if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) => "image/jpeg",
        "docx" if zip => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" if zip => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" if zip => "application/vnd.oasis.opendocument.text",
        "ods" if zip => "application/vnd.oasis.opendocument.spreadsheet",
        "doc" if ole => "application/msword",
        "xls" if ole => "application/vnd.ms-excel",
        _ => return None,
    })
}

/// A file name as given, without any folder, control character or quote; never empty.
pub(crate) fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | ':' | '*' | '?'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "evidence".to_owned()
    } else {
        cleaned
    }
}

/// Where an evidence file is kept: by its SHA-256, so that a file is stored once.
fn evidence_path(app: &App, sha256: &str) -> PathBuf {
    app.config
        .data_dir
        .join("evidence")
        .join(&sha256[..2])
        .join(sha256)
}

/// `POST /api/rounds/{round}/units/{unit}/evidence/{leaf}`: a unit attaches a file (multipart
/// field `file`) to a criterion.
pub(crate) async fn add_evidence(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path((round, unit, leaf)): Path<(String, String, String)>,
    mut multipart: Multipart,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // Refused before the upload is read, when the caller may not attach anything.
    let (_, access) = access(&app, &caller.0, &round, &unit).await?;
    if access != Access::OwnUnit {
        return Err(ApiError::forbidden("only the unit attaches its evidence"));
    }
    let (name, bytes) = file_field(&mut multipart, MAX_EVIDENCE_BYTES).await?;
    let stored = attach_evidence(&app, &caller.0, (&round, &unit, &leaf), &name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// The field `file` of an upload: its safe name and its bytes, at most `limit`.
pub(crate) async fn file_field(
    multipart: &mut Multipart,
    limit: usize,
) -> ApiResult<(String, Bytes)> {
    let too_large = || {
        let mib = (limit / (1024 * 1024)).to_string();
        ApiError::too_large(format!("the file is over {mib} MiB"))
            .with_check("check-file-too-large", vec![("mib", mib)])
    };
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::invalid(format!("not a file upload: {e}"))
        }
    })? {
        if field.name() == Some("file") {
            let name = safe_file_name(field.file_name().unwrap_or_default());
            let bytes: Bytes = field.bytes().await.map_err(|_| too_large())?;
            file = Some((name, bytes));
        }
    }
    let (name, bytes) =
        file.ok_or_else(|| ApiError::invalid("the upload has no field \"file\""))?;
    if bytes.len() > limit {
        return Err(too_large());
    }
    Ok((name, bytes))
}

/// Attaches a file to a unit's criterion: checked for size and type, kept once by its
/// SHA-256; only the unit itself, while it edits.
pub(crate) async fn attach_evidence(
    app: &App,
    account: &Account,
    (round, unit, leaf): (&str, &str, &str),
    name: &str,
    bytes: &[u8],
) -> ApiResult<Value> {
    let (round, access) = access(app, account, round, unit).await?;
    if access != Access::OwnUnit {
        return Err(ApiError::forbidden("only the unit attaches its evidence"));
    }
    require_editing(app, &round, unit).await?;
    let plan = rounds::plan(app, &round)?;
    if plan.leaf_index(leaf).is_none() {
        return Err(ApiError::not_found(format!(
            "the set has no criterion {leaf} to score"
        )));
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(ApiError::too_large(format!(
            "an evidence file is at most {} MiB",
            MAX_EVIDENCE_BYTES / (1024 * 1024)
        )));
    }
    if bytes.is_empty() {
        return Err(ApiError::invalid("the file is empty"));
    }
    let media_type = evidence_type(name, bytes).ok_or_else(|| {
        ApiError::invalid(
            "evidence is a PDF, a PNG or JPEG image, or an office document (.docx, .xlsx, .odt, .ods, .doc, .xls) whose content matches its name",
        )
        .with_check("check-evidence-type", Vec::new())
    })?;
    let sha256 = crate::db::sha256_hex(bytes);
    let path = evidence_path(app, &sha256);
    if !path.exists() {
        let bytes = bytes.to_vec();
        let target = path.clone();
        tokio::task::spawn_blocking(move || {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            parindex_io::write_atomic(&target, &bytes).map_err(std::io::Error::other)
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    }
    let mut write = app.db.write().await?;
    // The same file attached twice to the same row is kept once, and logged once.
    let added = sqlx::query(
        "INSERT INTO evidence (round_id, unit_code, leaf, sha256, file_name, media_type, size, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
    )
    .bind(&round.id)
    .bind(unit)
    .bind(leaf)
    .bind(&sha256)
    .bind(name)
    .bind(media_type)
    .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
    .bind(&account.login)
    .bind(now())
    .execute(&mut *write.tx)
    .await?
    .rows_affected();
    if added == 1 {
        audit::record(
            &mut write,
            Change {
                round: Some(&round.id),
                actor: &account.login,
                action: "add-evidence",
                target: format!("{unit} {leaf}"),
                old: None,
                new: Some(format!("{name} ({sha256})")),
                reason: None,
            },
        )
        .await?;
    }
    write.commit().await?;
    Ok(
        json!({ "leaf": leaf, "sha256": sha256, "file_name": name, "media_type": media_type, "size": bytes.len() }),
    )
}

/// `GET /api/rounds/{round}/units/{unit}/evidence/{leaf}/{sha256}`: an evidence file, as an
/// attachment that a browser does not render inline.
pub(crate) async fn evidence_file(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path((round, unit, leaf, sha256)): Path<(String, String, String, String)>,
) -> ApiResult<Response> {
    let (round, _) = access(&app, &caller.0, &round, &unit).await?;
    let row = sqlx::query(
        "SELECT file_name, media_type FROM evidence WHERE round_id = $1 AND unit_code = $2 AND leaf = $3 AND sha256 = $4",
    )
    .bind(&round.id)
    .bind(&unit)
    .bind(&leaf)
    .bind(&sha256)
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or_else(|| ApiError::not_found("no such evidence file"))?;
    let name: String = row.try_get("file_name")?;
    let media_type: String = row.try_get("media_type")?;
    let bytes = tokio::fs::read(evidence_path(&app, &sha256))
        .await
        .map_err(ApiError::internal)?;
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"evidence\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CONTENT_SECURITY_POLICY, "sandbox".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// A comment on a criterion.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewComment {
    leaf: String,
    body: String,
}

/// `POST /api/rounds/{round}/units/{unit}/comments`: the unit (while open, and to respond),
/// its appraisers (while appraising, and in responses) and the office comment on a criterion.
pub(crate) async fn comment(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path((round, unit)): Path<(String, String)>,
    Json(body): Json<NewComment>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = add_comment(&app, &caller.0, (&round, &unit, &body.leaf), &body.body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// Adds a comment on a unit's criterion; returns its id.
pub(crate) async fn add_comment(
    app: &App,
    account: &Account,
    (round, unit, leaf): (&str, &str, &str),
    body: &str,
) -> ApiResult<String> {
    let (round, access) = access(app, account, round, unit).await?;
    let allowed = match access {
        Access::OwnUnit => [State::Open, State::Responses],
        Access::Appraiser => [State::Appraisal, State::Responses],
        Access::Office => [round.state, round.state],
    };
    if round.state == State::Published || !allowed.contains(&round.state) {
        return Err(ApiError::closed(format!(
            "comments by this role are closed while the round is {}",
            round.state.name()
        )));
    }
    round.require_phase(round.state)?;
    let plan = rounds::plan(app, &round)?;
    if plan.node_index(leaf).is_none() {
        return Err(ApiError::not_found(format!(
            "the set has no criterion {}",
            leaf
        )));
    }
    let text = body.trim();
    if text.is_empty() || text.chars().count() > MAX_COMMENT_CHARS {
        return Err(ApiError::invalid(format!(
            "a comment has 1 to {MAX_COMMENT_CHARS} characters"
        ))
        .with_check(
            "check-comment-length",
            vec![("most", MAX_COMMENT_CHARS.to_string())],
        ));
    }
    let id = new_id()?;
    let mut write = app.db.write().await?;
    sqlx::query(
        "INSERT INTO comments (id, round_id, unit_code, leaf, author, at, body) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&round.id)
    .bind(unit)
    .bind(leaf)
    .bind(&account.login)
    .bind(now())
    .bind(text)
    .execute(&mut *write.tx)
    .await?;
    audit::record(
        &mut write,
        Change {
            round: Some(&round.id),
            actor: &account.login,
            action: "comment",
            target: format!("{unit} {}", leaf),
            old: None,
            new: Some(text.to_owned()),
            reason: None,
        },
    )
    .await?;
    write.commit().await?;
    Ok(id)
}

/// `POST /api/rounds/{round}/units/{unit}/submit`: the unit submits its self-assessment. Where
/// the set requires evidence, every criterion with a value must have a file attached.
pub(crate) async fn submit(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path((round, unit)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    submit_unit(&app, &caller.0, &round, &unit).await.map(Json)
}

/// Submits a unit's self-assessment, refused while evidence the set requires is missing.
pub(crate) async fn submit_unit(
    app: &App,
    account: &Account,
    round: &str,
    unit: &str,
) -> ApiResult<Value> {
    let (round, access) = access(app, account, round, unit).await?;
    if access != Access::OwnUnit {
        return Err(ApiError::forbidden(
            "only the unit submits its self-assessment",
        ));
    }
    require_editing(app, &round, unit).await?;
    let plan = rounds::plan(app, &round)?;
    let stage = &plan.set().policy.stages[0];
    let valued: Vec<String> = sqlx::query(
        "SELECT leaf FROM leaf_values WHERE round_id = $1 AND unit_code = $2 AND stage = $3 AND value <> '' ORDER BY leaf",
    )
    .bind(&round.id)
    .bind(unit)
    .bind(stage)
    .fetch_all(&app.db.pool)
    .await?
    .iter()
    .map(|r| r.try_get("leaf"))
    .collect::<Result<_, _>>()?;
    let evidenced: Vec<String> =
        sqlx::query("SELECT DISTINCT leaf FROM evidence WHERE round_id = $1 AND unit_code = $2")
            .bind(&round.id)
            .bind(unit)
            .fetch_all(&app.db.pool)
            .await?
            .iter()
            .map(|r| r.try_get("leaf"))
            .collect::<Result<_, _>>()?;
    let missing_values: Vec<&str> = plan
        .leaf_codes()
        .filter(|code| !valued.iter().any(|v| v == code))
        .collect();
    let lacking: Vec<&String> = valued
        .iter()
        .filter(|l| plan.set().needs_evidence(l) && !evidenced.contains(l))
        .collect();
    if !lacking.is_empty() {
        return Err(ApiError::invalid_with(
                format!(
                    "evidence is required for every point claimed on these criteria; {} have a value but no file: {}",
                    lacking.len(),
                    lacking
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                json!({ "without_evidence": lacking, "without_value": missing_values }),
            )
            .with_check(
                "missing-evidence",
                vec![
                    ("count", lacking.len().to_string()),
                    (
                        "codes",
                        lacking.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                    ),
                ],
            ));
    }
    let mut write = app.db.write().await?;
    let moved = sqlx::query(
        "UPDATE units SET status = 'submitted', submitted_at = $1 WHERE round_id = $2 AND code = $3 AND status = 'editing'",
    )
    .bind(now())
    .bind(&round.id)
    .bind(unit)
    .execute(&mut *write.tx)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(ApiError::closed("the unit has already submitted"));
    }
    audit::record(
        &mut write,
        Change {
            round: Some(&round.id),
            actor: &account.login,
            action: "submit",
            target: unit.to_owned(),
            old: Some("editing".to_owned()),
            new: Some("submitted".to_owned()),
            reason: None,
        },
    )
    .await?;
    write.commit().await?;
    Ok(json!({ "unit": unit, "status": "submitted", "without_value": missing_values }))
}

/// `POST /api/rounds/{round}/units/{unit}/upload`: the unit uploads the office's template,
/// filled (multipart field `file`, `.xlsx` or `.csv`). It goes through the same reader as any
/// input; its problems come back each at its sheet and cell.
pub(crate) async fn upload(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path((round, unit)): Path<(String, String)>,
    mut multipart: Multipart,
) -> ApiResult<Json<Value>> {
    let (_, access) = access(&app, &caller.0, &round, &unit).await?;
    if access != Access::OwnUnit {
        return Err(ApiError::forbidden(
            "only the unit uploads its self-assessment",
        ));
    }
    let (name, bytes) = file_field(&mut multipart, MAX_UPLOAD_BYTES).await?;
    upload_template(&app, &caller.0, &round, &unit, &name, &bytes)
        .await
        .map(Json)
}

/// Stores a unit's filled template, read by the set's reader; only the unit itself, while it
/// edits, and only its own rows.
pub(crate) async fn upload_template(
    app: &App,
    account: &Account,
    round: &str,
    unit: &str,
    name: &str,
    bytes: &[u8],
) -> ApiResult<Value> {
    let (round, access) = access(app, account, round, unit).await?;
    if access != Access::OwnUnit {
        return Err(ApiError::forbidden(
            "only the unit uploads its self-assessment",
        ));
    }
    require_editing(app, &round, unit).await?;
    let written = import_file(app, &round, &account.login, Some(unit), name, bytes, false).await?;
    Ok(json!({ "unit": unit, "values": written }))
}

/// Reads a file through the set's reader and stores its values: for `only` a unit, only that
/// unit's own stage; with `add_units`, the file's units are created too. Returns the number of
/// values written.
pub(crate) async fn import_file(
    app: &App,
    round: &RoundRow,
    actor: &str,
    only: Option<&str>,
    name: &str,
    bytes: &[u8],
    add_units: bool,
) -> ApiResult<usize> {
    let plan = rounds::plan(app, round)?;
    let own_stage = plan.set().policy.stages[0].clone();
    let mut reader = InputReader::new(&plan);
    reader.keep_texts();
    reader.read_bytes(name, bytes);
    let texts = reader.texts().to_vec();
    let inputs = reader
        .finish()
        .map_err(|e| refused(&format!("{name} is refused"), &e))?;
    if let Some(only) = only {
        if let Some(other) = inputs.batch.units().iter().find(|u| u.id != only) {
            return Err(ApiError::forbidden(format!(
                "{name} holds unit {}: a unit uploads only its own self-assessment",
                other.id
            )));
        }
        if let Some(stage) = texts.iter().find_map(|t| match &t.target {
            CellTarget::Value { stage, .. } if *stage != own_stage => Some(stage),
            _ => None,
        }) {
            return Err(ApiError::forbidden(format!(
                "{name} holds values of the {stage} stage: a unit uploads only its self-assessment"
            )));
        }
    }
    let mut write = app.db.write().await?;
    if add_units {
        for unit in inputs.batch.units() {
            let attributes: serde_json::Map<String, Value> = texts
                .iter()
                .filter(|t| t.unit == unit.id)
                .filter_map(|t| match &t.target {
                    CellTarget::Attribute(a) => Some((a.clone(), Value::String(t.text.clone()))),
                    _ => None,
                })
                .collect();
            let unit_name = inputs.names.get(&unit.id).cloned().unwrap_or_default();
            sqlx::query(
                "INSERT INTO units (round_id, code, name, attributes, status, position) VALUES ($1, $2, $3, $4, 'editing', (SELECT COALESCE(MAX(position), 0) + 1 FROM units WHERE round_id = $1))",
            )
            .bind(&round.id)
            .bind(&unit.id)
            .bind(&unit_name)
            .bind(Value::Object(attributes).to_string())
            .execute(&mut *write.tx)
            .await?;
            audit::record(
                &mut write,
                Change {
                    round: Some(&round.id),
                    actor,
                    action: "add-unit",
                    target: unit.id.clone(),
                    old: None,
                    new: Some(unit_name),
                    reason: None,
                },
            )
            .await?;
        }
    }
    let mut written = 0;
    for text in &texts {
        if let CellTarget::Value { code, stage } = &text.target {
            store_value(
                &mut write,
                Stored {
                    round: &round.id,
                    unit: &text.unit,
                    leaf: code,
                    stage,
                    value: &text.text,
                    actor,
                    reason: Some(name),
                },
                None,
            )
            .await?;
            written += 1;
        }
    }
    write.commit().await?;
    Ok(written)
}
