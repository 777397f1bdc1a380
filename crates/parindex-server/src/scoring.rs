//! Results, exports and publication. The round's stored values become one JSON input document
//! and are scored by `parindex-io`'s round, the same way a bundle is verified.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State as AppState};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use parindex_io::{
    Bundle, BundleFile, ReportOptions, Scored, bundle_results_json, report_html, score_files,
    summary_csv, write_results_xlsx,
};
use serde_json::{Map, Value, json};
use sqlx::Row;

use crate::App;
use crate::auth::{Caller, Role, Viewer};
use crate::db::{now, sha256_hex};
use crate::error::{ApiError, ApiResult};
use crate::rounds::{self, RoundRow, State};
use crate::unit_data::refused;

/// The name of the input document a round's values become.
const INPUTS_FILE: &str = "units.json";

/// The round's units, attributes, values of every stage and evidence flags, as one JSON input
/// document (criteria/FORMAT.md), units and codes in order.
pub(crate) async fn inputs_document(app: &App, round: &RoundRow) -> ApiResult<BundleFile> {
    let document = inputs_value(app, round).await?;
    Ok(BundleFile {
        file: INPUTS_FILE.to_owned(),
        text: serde_json::to_string_pretty(&document).map_err(ApiError::internal)? + "\n",
    })
}

/// A unit's values at a stage, in the JSON input document: `values` for the first stage,
/// `stages.<stage>` for the others.
fn stage_values<'a>(unit: &'a mut Map<String, Value>, stage: &str, first: &str) -> &'a mut Value {
    let values = if stage == first {
        unit.entry("values").or_insert_with(|| json!({}))
    } else {
        &mut unit.entry("stages").or_insert_with(|| json!({}))[stage]
    };
    if values.is_null() {
        *values = json!({});
    }
    values
}

/// The round's input document, as a value (see [`inputs_document`]).
async fn inputs_value(app: &App, round: &RoundRow) -> ApiResult<Value> {
    let plan = rounds::plan(app, round)?;
    let first_stage = plan.set().policy.stages[0].clone();
    // Units in the order the office gave them, as a file would list them.
    let mut order: Vec<String> = Vec::new();
    let mut units: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for row in sqlx::query(
        "SELECT code, name, attributes FROM units WHERE round_id = $1 ORDER BY position, code",
    )
    .bind(&round.id)
    .fetch_all(&app.db.pool)
    .await?
    {
        let code: String = row.try_get("code")?;
        let name: String = row.try_get("name")?;
        let attributes: String = row.try_get("attributes")?;
        let mut unit = Map::new();
        unit.insert("unit".to_owned(), Value::String(code.clone()));
        if !name.is_empty() {
            unit.insert("name".to_owned(), Value::String(name));
        }
        let attributes: Value = serde_json::from_str(&attributes).map_err(ApiError::internal)?;
        if attributes.as_object().is_some_and(|a| !a.is_empty()) {
            unit.insert("attributes".to_owned(), attributes);
        }
        order.push(code.clone());
        units.insert(code, unit);
    }
    for row in sqlx::query(
        "SELECT unit_code, leaf, stage, value FROM leaf_values WHERE round_id = $1 AND value <> '' ORDER BY unit_code, stage, leaf",
    )
    .bind(&round.id)
    .fetch_all(&app.db.pool)
    .await?
    {
        let code: String = row.try_get("unit_code")?;
        let leaf: String = row.try_get("leaf")?;
        let stage: String = row.try_get("stage")?;
        let value: String = row.try_get("value")?;
        let Some(unit) = units.get_mut(&code) else {
            continue;
        };
        stage_values(unit, &stage, &first_stage)[&leaf] = Value::String(value);
    }
    for row in sqlx::query(
        "SELECT DISTINCT e.unit_code, e.leaf FROM evidence e JOIN leaf_values v ON v.round_id = e.round_id AND v.unit_code = e.unit_code AND v.leaf = e.leaf AND v.stage = $2 AND v.value <> '' WHERE e.round_id = $1 ORDER BY e.unit_code, e.leaf",
    )
    .bind(&round.id)
    .bind(&first_stage)
    .fetch_all(&app.db.pool)
    .await?
    {
        let code: String = row.try_get("unit_code")?;
        let leaf: String = row.try_get("leaf")?;
        if let Some(unit) = units.get_mut(&code) {
            unit.entry("evidence").or_insert_with(|| json!({}))[&leaf] = Value::Bool(true);
        }
    }
    Ok(json!({
        "set": plan.set().info.id,
        "units": order
            .iter()
            .filter_map(|code| units.remove(code))
            .map(Value::Object)
            .collect::<Vec<_>>(),
    }))
}

/// Scores the round's current values.
async fn score_now(app: &App, round: &RoundRow) -> ApiResult<Scored> {
    score_inputs(round, inputs_document(app, round).await?)
}

/// Scores an input document with the round's set.
fn score_inputs(round: &RoundRow, inputs: BundleFile) -> ApiResult<Scored> {
    score_files(&round.set_file, &round.set_text, &[inputs]).map_err(|e| match e {
        parindex_io::RoundError::Input(e) => refused("the round's values cannot be scored", &e),
        other => ApiError::internal(other),
    })
}

/// The published bundle of a round.
async fn published(app: &App, round: &RoundRow) -> ApiResult<Bundle> {
    let row = sqlx::query("SELECT document FROM bundles WHERE round_id = $1")
        .bind(&round.id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("the round is not published"))?;
    Bundle::from_json(&row.try_get::<String, _>("document")?, "bundle.json")
        .map_err(ApiError::internal)
}

/// What a viewer may see of a round's results: everything once published; before, the office
/// sees every unit, an appraiser the units assigned, a unit only itself.
enum Scope {
    Published,
    Live(Option<Vec<String>>),
}

async fn scope(app: &App, viewer: Option<&crate::Account>, round: &RoundRow) -> ApiResult<Scope> {
    if round.state == State::Published {
        return Ok(Scope::Published);
    }
    match viewer {
        Some(a) if a.role == Role::Office => Ok(Scope::Live(None)),
        Some(a) if a.role == Role::Unit => Ok(Scope::Live(Some(a.unit.iter().cloned().collect()))),
        Some(a) => Ok(Scope::Live(
            rounds::assigned_units(app, a, &round.id).await?,
        )),
        None => Err(ApiError::not_found("the round is not published")),
    }
}

/// The round's results as the viewer may see them: published, or scored now for the office
/// (`None` for anyone else before publication).
pub(crate) async fn viewable_results(
    app: &App,
    viewer: Option<&crate::Account>,
    round: &RoundRow,
) -> ApiResult<Option<Scored>> {
    match scope(app, viewer, round).await {
        Ok(Scope::Published) => {
            let bundle = published(app, round).await?;
            score_files(&bundle.set.file, &bundle.set.text, &bundle.inputs)
                .map(Some)
                .map_err(ApiError::internal)
        }
        Ok(Scope::Live(None)) => score_now(app, round).await.map(Some),
        Ok(Scope::Live(Some(_))) | Err(_) => Ok(None),
    }
}

/// The scores of the round's current values, for a unit's preview.
pub(crate) async fn preview(app: &App, round: &RoundRow) -> ApiResult<Scored> {
    score_now(app, round).await
}

/// The scores of the round's values with a unit's values at a stage replaced by `typed` (an
/// empty text clears one), without storing anything: the live preview of a form being filled.
pub(crate) async fn preview_with(
    app: &App,
    round: &RoundRow,
    unit: &str,
    stage: &str,
    typed: &[(String, String)],
) -> ApiResult<Scored> {
    let plan = rounds::plan(app, round)?;
    let first = plan.set().policy.stages[0].clone();
    let mut document = inputs_value(app, round).await?;
    let entry = document["units"]
        .as_array_mut()
        .and_then(|units| units.iter_mut().find(|u| u["unit"] == unit))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| ApiError::not_found(format!("no unit {unit}")))?;
    if let Some(values) = stage_values(entry, stage, &first).as_object_mut() {
        for (leaf, text) in typed {
            if text.trim().is_empty() {
                values.remove(leaf);
            } else {
                values.insert(leaf.clone(), Value::String(text.clone()));
            }
        }
    }
    let inputs = BundleFile {
        file: "preview.json".to_owned(),
        text: document.to_string(),
    };
    score_inputs(round, inputs)
}

/// `GET /api/rounds/{round}/results`: the results document (`parindex-results/1`): published,
/// or scored now from the current values, limited to the units the caller may see.
pub(crate) async fn results(
    AppState(app): AppState<Arc<App>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let round = rounds::visible(&app, viewer.0.as_ref(), &id).await?;
    let text = match scope(&app, viewer.0.as_ref(), &round).await? {
        Scope::Published => published(&app, &round).await?.results,
        Scope::Live(None) => bundle_results_json(&score_now(&app, &round).await?),
        Scope::Live(Some(units)) => {
            let all = bundle_results_json(&score_now(&app, &round).await?);
            let mut document: Value = serde_json::from_str(&all).map_err(ApiError::internal)?;
            if let Some(list) = document.get_mut("units").and_then(Value::as_array_mut) {
                list.retain(|u| {
                    u.get("unit")
                        .and_then(Value::as_str)
                        .is_some_and(|code| units.iter().any(|x| x == code))
                });
            }
            document.to_string()
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

/// `GET /api/rounds/{round}/export/{format}`: the results workbook (`xlsx`), report (`html`),
/// summary (`csv`) or document (`json`): the office's at any time, everyone's once published.
pub(crate) async fn export(
    AppState(app): AppState<Arc<App>>,
    viewer: Viewer,
    Path((id, format)): Path<(String, String)>,
) -> ApiResult<Response> {
    let round = rounds::visible(&app, viewer.0.as_ref(), &id).await?;
    let scored = match scope(&app, viewer.0.as_ref(), &round).await? {
        Scope::Published => {
            let bundle = published(&app, &round).await?;
            score_files(&bundle.set.file, &bundle.set.text, &bundle.inputs)
                .map_err(ApiError::internal)?
        }
        Scope::Live(None) => score_now(&app, &round).await?,
        Scope::Live(Some(_)) => {
            return Err(ApiError::forbidden(
                "exports of an unpublished round are the office's",
            ));
        }
    };
    let names = &scored.inputs.names;
    let (media_type, bytes) = match format.as_str() {
        "json" => (
            "application/json",
            bundle_results_json(&scored).into_bytes(),
        ),
        "csv" => (
            "text/csv; charset=utf-8",
            summary_csv(&scored.results, names).into_bytes(),
        ),
        "html" => (
            "text/html; charset=utf-8",
            report_html(
                &scored.results,
                &ReportOptions {
                    names: names.clone(),
                    ..ReportOptions::default()
                },
            )
            .into_bytes(),
        ),
        "xlsx" => {
            let mut out = std::io::Cursor::new(Vec::new());
            write_results_xlsx(&scored.results, names, &mut out).map_err(ApiError::internal)?;
            (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                out.into_inner(),
            )
        }
        _ => return Err(ApiError::not_found("export as json, csv, html or xlsx")),
    };
    Ok((
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"results.{format}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /api/rounds/{round}/publish`: the office publishes a final round, freezing its bundle.
pub(crate) async fn publish(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    publish_round(&app, &caller.0, &id).await.map(Json)
}

/// The office publishes a final round: its bundle is frozen and its results become public.
pub(crate) async fn publish_round(
    app: &App,
    account: &crate::Account,
    id: &str,
) -> ApiResult<Value> {
    if account.role != Role::Office {
        return Err(ApiError::forbidden("only the office may do this"));
    }
    let round = rounds::load(app, id).await?;
    round.require_phase(State::Final)?;
    let inputs = inputs_document(app, &round).await?;
    let bundle =
        Bundle::publish(&round.set_file, &round.set_text, vec![inputs]).map_err(|e| match e {
            parindex_io::BundleError::Round(parindex_io::RoundError::Input(e)) => {
                refused("the round's values cannot be scored", &e)
            }
            other => ApiError::invalid(other.to_string()),
        })?;
    let document = bundle.to_json();
    let sha256 = sha256_hex(document.as_bytes());
    let mut write = app.db.write().await?;
    sqlx::query(
        "INSERT INTO bundles (round_id, sha256, document, published_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&round.id)
    .bind(&sha256)
    .bind(&document)
    .bind(now())
    .execute(&mut *write.tx)
    .await?;
    rounds::set_state_in(
        &mut write,
        &round,
        State::Final,
        State::Published,
        &account.login,
    )
    .await?;
    write.commit().await?;
    Ok(json!({
        "round": round.id,
        "bundle_sha256": sha256,
        "results_sha256": bundle.results_sha256,
    }))
}

/// `GET /api/rounds/{round}/bundle`: the published bundle, for `parindex verify`.
pub(crate) async fn bundle(
    AppState(app): AppState<Arc<App>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let round = rounds::visible(&app, viewer.0.as_ref(), &id).await?;
    let row = sqlx::query("SELECT document FROM bundles WHERE round_id = $1")
        .bind(&round.id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("the round is not published"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"bundle.json\"",
            ),
        ],
        row.try_get::<String, _>("document")?,
    )
        .into_response())
}
