//! Rounds, their units and windows, accounts, and logging in.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State as AppState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parindex_core::{CriteriaSet, Date, Plan, shipped};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;

use crate::App;
use crate::audit::{self, Change};
use crate::auth::{self, Account, Caller, Role, Viewer};
use crate::db::{new_id, now};
use crate::error::{ApiError, ApiResult};

/// Where a round is in its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum State {
    /// Being set up by the office: units, accounts, windows.
    Draft,
    /// Units self-assess and submit.
    Open,
    /// The council appraises.
    Appraisal,
    /// Units respond to the appraisal.
    Responses,
    /// The office checks the results before publishing.
    Final,
    /// Results are public and frozen in a bundle.
    Published,
}

impl State {
    const ALL: [State; 6] = [
        State::Draft,
        State::Open,
        State::Appraisal,
        State::Responses,
        State::Final,
        State::Published,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Open => "open",
            State::Appraisal => "appraisal",
            State::Responses => "responses",
            State::Final => "final",
            State::Published => "published",
        }
    }

    fn parse(name: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The state after this one.
    pub(crate) fn next(self) -> Option<State> {
        State::ALL.into_iter().skip_while(|s| *s != self).nth(1)
    }
}

/// A window of days, both ends included, in Vietnam's time (UTC+7).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Window {
    opens: String,
    closes: String,
}

/// The windows of a round's phases; a phase without one is open for as long as its state.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Windows {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    self_assessment: Option<Window>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    appraisal: Option<Window>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    responses: Option<Window>,
}

impl Windows {
    /// Windows from (opens, closes) texts per phase; a phase with both empty has none.
    pub(crate) fn from_texts(phases: [(&str, &str); 3]) -> Windows {
        let window = |(opens, closes): (&str, &str)| {
            (!opens.trim().is_empty() || !closes.trim().is_empty()).then(|| Window {
                opens: opens.trim().to_owned(),
                closes: closes.trim().to_owned(),
            })
        };
        Windows {
            self_assessment: window(phases[0]),
            appraisal: window(phases[1]),
            responses: window(phases[2]),
        }
    }

    /// A phase's window as an office writes dates: (opens, closes).
    pub(crate) fn shown(&self, state: State) -> Option<(String, String)> {
        self.of(state)
            .map(|w| (vn_date(&w.opens), vn_date(&w.closes)))
    }

    /// Each phase's (opens, closes) as an office writes dates, empty where none.
    pub(crate) fn texts(&self) -> [(String, String); 3] {
        [State::Open, State::Appraisal, State::Responses].map(|s| self.shown(s).unwrap_or_default())
    }

    /// The windows with their dates checked and written as ISO dates.
    fn checked(mut self) -> ApiResult<Windows> {
        for (name, window) in [
            ("self_assessment", &mut self.self_assessment),
            ("appraisal", &mut self.appraisal),
            ("responses", &mut self.responses),
        ] {
            if let Some(w) = window {
                let parse = |text: &str| {
                    text.parse::<Date>()
                        .map_err(|e| ApiError::invalid(format!("{name}: {e}")))
                };
                let (opens, closes) = (parse(&w.opens)?, parse(&w.closes)?);
                if closes < opens {
                    return Err(ApiError::invalid(format!(
                        "{name}: it closes ({closes}) before it opens ({opens})"
                    )));
                }
                *w = Window {
                    opens: opens.iso(),
                    closes: closes.iso(),
                };
            }
        }
        Ok(self)
    }

    fn of(&self, state: State) -> Option<&Window> {
        match state {
            State::Open => self.self_assessment.as_ref(),
            State::Appraisal => self.appraisal.as_ref(),
            State::Responses => self.responses.as_ref(),
            _ => None,
        }
    }
}

/// Today in Vietnam (UTC+7).
fn today() -> Option<Date> {
    let days = (now() / 1_000_000 + 7 * 3600).div_euclid(86_400);
    Date::new(1970, 1, 1)?.checked_add_days(days)
}

/// A round as stored.
#[derive(Debug, Clone)]
pub(crate) struct RoundRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) set_file: String,
    pub(crate) set_text: String,
    pub(crate) year: i64,
    pub(crate) state: State,
    pub(crate) windows: Windows,
}

impl RoundRow {
    /// Refuses unless the round is in `state` and today is inside that state's window.
    pub(crate) fn require_phase(&self, state: State) -> ApiResult<()> {
        if self.state != state {
            return Err(ApiError::closed(format!(
                "the round is {}, and this can be done only while it is {}",
                self.state.name(),
                state.name()
            ))
            .with_check(
                "check-wrong-state",
                vec![
                    ("state", self.state.name().to_owned()),
                    ("needed", state.name().to_owned()),
                ],
            ));
        }
        if let (Some(window), Some(today)) = (self.windows.of(state), today()) {
            let inside = window.opens.as_str() <= today.iso().as_str()
                && today.iso().as_str() <= window.closes.as_str();
            if !inside {
                let (opens, closes) = (vn_date(&window.opens), vn_date(&window.closes));
                return Err(ApiError::closed(format!(
                    "the {} window is {opens} to {closes}, and today is {today}",
                    state.name(),
                ))
                .with_check(
                    "check-window-closed",
                    vec![
                        ("opens", opens),
                        ("closes", closes),
                        ("today", today.to_string()),
                    ],
                ));
            }
        }
        Ok(())
    }

    fn json(&self) -> Value {
        let set = CriteriaSet::from_toml(&self.set_text, &self.set_file).ok();
        json!({
            "id": self.id,
            "title": self.title,
            "set": set.as_ref().map(|l| l.set.info.id.clone()),
            "set_title": set.as_ref().map(|l| l.set.info.title.clone()),
            "year": self.year,
            "state": self.state,
            "windows": self.windows,
            "stages": set.map(|l| l.set.policy.stages.clone()).unwrap_or_default(),
        })
    }
}

/// An ISO date as an office writes it: dd/mm/yyyy.
fn vn_date(iso: &str) -> String {
    iso.parse::<Date>()
        .map_or_else(|_| iso.to_owned(), |d| d.to_string())
}

/// Reads a round, or says it is not there.
pub(crate) async fn load(app: &App, id: &str) -> ApiResult<RoundRow> {
    let row = sqlx::query(
        "SELECT id, title, set_file, set_text, year, state, windows FROM rounds WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or_else(|| ApiError::not_found(format!("no round {id}")))?;
    let state: String = row.try_get("state")?;
    let windows: String = row.try_get("windows")?;
    Ok(RoundRow {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        set_file: row.try_get("set_file")?,
        set_text: row.try_get("set_text")?,
        year: row.try_get("year")?,
        state: State::parse(&state).ok_or_else(|| ApiError::internal("unknown state"))?,
        windows: serde_json::from_str(&windows).map_err(ApiError::internal)?,
    })
}

/// A round's compiled plan, compiled once.
pub(crate) fn plan(app: &App, round: &RoundRow) -> ApiResult<Arc<Plan>> {
    let mut plans = app.plans.lock().map_err(ApiError::internal)?;
    if let Some(plan) = plans.get(&round.id) {
        return Ok(plan.clone());
    }
    let loaded =
        CriteriaSet::from_toml(&round.set_text, &round.set_file).map_err(ApiError::internal)?;
    let plan = Arc::new(Plan::new(&loaded.set));
    plans.insert(round.id.clone(), plan.clone());
    Ok(plan)
}

/// Whether an account may see a round at all.
pub(crate) async fn may_see_round(
    app: &App,
    account: Option<&Account>,
    round: &RoundRow,
) -> ApiResult<bool> {
    Ok(match account {
        Some(a) if a.role == Role::Office => true,
        Some(a) if a.role == Role::Unit => a.round.as_deref() == Some(&round.id),
        Some(a) => assigned_units(app, a, &round.id)
            .await?
            .is_some_and(|u| !u.is_empty()),
        None => round.state == State::Published,
    } || round.state == State::Published)
}

/// An appraiser's assignments in a round, as (unit, area): `*` is every unit, an empty area
/// every criterion.
pub(crate) async fn assignments(
    app: &App,
    account: &Account,
    round: &str,
) -> ApiResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT unit_code, area FROM assignments WHERE round_id = $1 AND account_id = $2 ORDER BY unit_code, area",
    )
    .bind(round)
    .bind(&account.id)
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("unit_code")?, r.try_get("area")?)))
        .collect()
}

/// The units an appraiser is assigned to in a round (`None` for other roles).
pub(crate) async fn assigned_units(
    app: &App,
    account: &Account,
    round: &str,
) -> ApiResult<Option<Vec<String>>> {
    if account.role != Role::Appraiser {
        return Ok(None);
    }
    let assigned = assignments(app, account, round).await?;
    if assigned.iter().any(|(unit, _)| unit == "*") {
        let rows =
            sqlx::query("SELECT code FROM units WHERE round_id = $1 ORDER BY position, code")
                .bind(round)
                .fetch_all(&app.db.pool)
                .await?;
        return Ok(Some(
            rows.iter()
                .map(|r| r.try_get("code"))
                .collect::<Result<_, _>>()?,
        ));
    }
    let mut units: Vec<String> = assigned.into_iter().map(|(unit, _)| unit).collect();
    units.dedup();
    Ok(Some(units))
}

/// Whether an appraiser's assignments cover a unit's criterion: an assignment of the unit (or
/// of every unit) to the whole set, or to an area that holds the criterion.
pub(crate) async fn covers(
    app: &App,
    account: &Account,
    round: &str,
    unit: &str,
    leaf: &str,
) -> ApiResult<bool> {
    let under = |area: &str| {
        area.is_empty()
            || std::iter::successors(Some(leaf), |code| parindex_core::parent_code(code))
                .any(|code| code == area)
    };
    Ok(assignments(app, account, round)
        .await?
        .iter()
        .any(|(u, area)| (u == unit || u == "*") && under(area)))
}

/// Refuses unless the caller is the office.
pub(crate) fn require_office(caller: &Caller) -> ApiResult<()> {
    if caller.0.role == Role::Office {
        Ok(())
    } else {
        Err(ApiError::forbidden("only the office may do this"))
    }
}

/// `GET /api/openapi.json`
pub(crate) async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::OPENAPI).into_response()
}

/// A login's name and password.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Login {
    login: String,
    password: String,
}

/// `POST /api/login`
pub(crate) async fn login(
    AppState(app): AppState<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(body): Json<Login>,
) -> ApiResult<Response> {
    let session = auth::login(&app, &body.login, &body.password, peer.ip()).await?;
    let cookie = auth::session_cookie(&session.token, auth::over_tls(&app, &headers));
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({ "account": session.account, "csrf": session.csrf })),
    )
        .into_response())
}

/// `POST /api/logout`
pub(crate) async fn logout(
    AppState(app): AppState<Arc<App>>,
    _caller: Caller,
    headers: HeaderMap,
) -> ApiResult<Response> {
    auth::logout(&app, &headers).await?;
    Ok((
        [(header::SET_COOKIE, auth::cleared_cookie())],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

/// `GET /api/session`
pub(crate) async fn session(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let csrf = auth::csrf_of(&app, &headers).await?;
    Ok(Json(json!({ "account": caller.0, "csrf": csrf })))
}

/// A password change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordChange {
    current: String,
    new: String,
}

/// `POST /api/password`: the caller changes its own password.
pub(crate) async fn change_password(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    headers: HeaderMap,
    Json(body): Json<PasswordChange>,
) -> ApiResult<StatusCode> {
    auth::change_password(&app, &caller.0, &headers, &body.current, &body.new).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new account.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAccount {
    pub(crate) login: String,
    pub(crate) role: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) round: Option<String>,
    #[serde(default)]
    pub(crate) unit: Option<String>,
    /// Generated when absent, and returned once.
    #[serde(default)]
    pub(crate) password: Option<String>,
}

/// `POST /api/accounts`: the office creates an account and gets its password.
pub(crate) async fn create_account(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Json(body): Json<NewAccount>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let role = body.role.clone();
    let (login, password) = new_account(&app, &caller.0, body).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "login": login, "role": role, "password": password })),
    ))
}

/// The office creates an account; returns its login and password.
pub(crate) async fn new_account(
    app: &App,
    office: &Account,
    account: NewAccount,
) -> ApiResult<(String, String)> {
    let NewAccount {
        login,
        role,
        name,
        round,
        unit,
        password,
    } = account;
    if office.role != Role::Office {
        return Err(ApiError::forbidden("only the office may do this"));
    }
    let role = Role::parse(&role)
        .ok_or_else(|| ApiError::invalid("role must be office, unit or appraiser"))?;
    let login = login.trim();
    if login.is_empty()
        || login.len() > 64
        || !login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
    {
        return Err(ApiError::invalid(
            "a login is 1–64 letters, digits, '-', '_', '.' or '@'",
        ));
    }
    if role == Role::Unit {
        let (Some(round), Some(unit)) = (&round, &unit) else {
            return Err(ApiError::invalid("a unit account names its round and unit"));
        };
        unit_exists(app, round, unit).await?;
    } else if round.is_some() || unit.is_some() {
        return Err(ApiError::invalid(
            "only a unit account names a round and unit",
        ));
    }
    let password = match password {
        Some(p) if p.chars().count() >= 12 => p,
        Some(_) => return Err(ApiError::invalid("a password has at least 12 characters")),
        None => auth::new_password()?,
    };
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || auth::hash_password(&password))
            .await
            .map_err(ApiError::internal)??
    };
    let mut write = app.db.write().await?;
    sqlx::query(
        "INSERT INTO accounts (id, login, password_hash, role, name, round_id, unit_code, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id()?)
    .bind(login)
    .bind(hash)
    .bind(role.name())
    .bind(name)
    .bind(&round)
    .bind(&unit)
    .bind(now())
    .execute(&mut *write.tx)
    .await?;
    audit::record(
        &mut write,
        Change {
            round: round.as_deref(),
            actor: &office.login,
            action: "create-account",
            target: format!("{login} ({})", role.name()),
            old: None,
            new: None,
            reason: None,
        },
    )
    .await?;
    write.commit().await?;
    Ok((login.to_owned(), password))
}

async fn unit_exists(app: &App, round: &str, unit: &str) -> ApiResult<()> {
    sqlx::query("SELECT code FROM units WHERE round_id = $1 AND code = $2")
        .bind(round)
        .bind(unit)
        .fetch_optional(&app.db.pool)
        .await?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found(format!("round {round} has no unit {unit}")))
}

/// `GET /api/sets`: the shipped criteria sets a round can use.
pub(crate) async fn sets(caller: Caller) -> ApiResult<Json<Value>> {
    require_office(&caller)?;
    Ok(Json(json!(
        shipped::list()
            .into_iter()
            .map(|s| json!({ "id": s.id, "year": s.year, "title": s.title }))
            .collect::<Vec<_>>()
    )))
}

/// The largest criteria file a round may be created from.
pub(crate) const MAX_SET_BYTES: usize = 4 * 1024 * 1024;

/// A new round.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewRound {
    pub(crate) title: String,
    /// A shipped set's id…
    #[serde(default)]
    pub(crate) set: Option<String>,
    /// …or a criteria file's text, with its name for messages.
    #[serde(default)]
    pub(crate) set_toml: Option<String>,
    #[serde(default)]
    pub(crate) set_file: Option<String>,
    #[serde(default)]
    pub(crate) windows: Windows,
}

/// `POST /api/rounds`
pub(crate) async fn create(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Json(body): Json<NewRound>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    require_office(&caller)?;
    let id = create_round(&app, &caller.0.login, body).await?;
    Ok((StatusCode::CREATED, Json(load(&app, &id).await?.json())))
}

pub(crate) async fn create_round(app: &App, actor: &str, body: NewRound) -> ApiResult<String> {
    let (file, text) = match (&body.set, body.set_toml) {
        (Some(id), None) => shipped::text(id)
            .map(|(path, text)| (format!("criteria/{path}"), text.to_owned()))
            .ok_or_else(|| ApiError::invalid(format!("no shipped set {id}")))?,
        (None, Some(text)) => (
            body.set_file.unwrap_or_else(|| "uploaded.toml".to_owned()),
            text,
        ),
        _ => {
            return Err(ApiError::invalid(
                "give either set (a shipped id) or set_toml",
            ));
        }
    };
    if text.len() > MAX_SET_BYTES {
        return Err(ApiError::too_large("a criteria file is at most 4 MiB"));
    }
    let loaded = CriteriaSet::from_toml(&text, &file)
        .map_err(|e| ApiError::invalid(format!("the criteria file does not validate:\n{e}")))?;
    let windows = body.windows.checked()?;
    let id = new_id()?;
    let mut write = app.db.write().await?;
    sqlx::query(
        "INSERT INTO rounds (id, title, set_file, set_text, year, state, windows, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&body.title)
    .bind(&file)
    .bind(&text)
    .bind(i64::from(loaded.set.info.year))
    .bind(State::Draft.name())
    .bind(serde_json::to_string(&windows).map_err(ApiError::internal)?)
    .bind(now())
    .execute(&mut *write.tx)
    .await?;
    audit::record(
        &mut write,
        Change {
            round: Some(&id),
            actor,
            action: "create-round",
            target: format!("{} ({})", body.title, loaded.set.info.id),
            old: None,
            new: Some(loaded.set.content_hash.clone()),
            reason: None,
        },
    )
    .await?;
    write.commit().await?;
    Ok(id)
}

/// `GET /api/rounds`: the rounds the caller may see.
pub(crate) async fn list(
    AppState(app): AppState<Arc<App>>,
    viewer: Viewer,
) -> ApiResult<Json<Value>> {
    let ids = sqlx::query("SELECT id FROM rounds ORDER BY created_at")
        .fetch_all(&app.db.pool)
        .await?;
    let mut out = Vec::new();
    for row in ids {
        let round = load(&app, &row.try_get::<String, _>("id")?).await?;
        if may_see_round(&app, viewer.0.as_ref(), &round).await? {
            out.push(round.json());
        }
    }
    Ok(Json(Value::Array(out)))
}

/// Loads a round the viewer may see; another round is "not found", as if it were not there.
pub(crate) async fn visible(app: &App, viewer: Option<&Account>, id: &str) -> ApiResult<RoundRow> {
    let round = load(app, id).await?;
    if may_see_round(app, viewer, &round).await? {
        Ok(round)
    } else {
        Err(ApiError::not_found(format!("no round {id}")))
    }
}

/// `GET /api/rounds/{round}`
pub(crate) async fn show(
    AppState(app): AppState<Arc<App>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(visible(&app, viewer.0.as_ref(), &id).await?.json()))
}

/// `PUT /api/rounds/{round}/windows`
pub(crate) async fn set_windows(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Json(windows): Json<Windows>,
) -> ApiResult<Json<Value>> {
    change_windows(&app, &caller.0, &id, windows).await?;
    Ok(Json(load(&app, &id).await?.json()))
}

/// The office sets a round's windows.
pub(crate) async fn change_windows(
    app: &App,
    office: &Account,
    id: &str,
    windows: Windows,
) -> ApiResult<()> {
    if office.role != Role::Office {
        return Err(ApiError::forbidden("only the office may do this"));
    }
    let round = load(app, id).await?;
    if round.state == State::Published {
        return Err(ApiError::closed("a published round is frozen"));
    }
    let windows = windows.checked()?;
    let text = serde_json::to_string(&windows).map_err(ApiError::internal)?;
    let mut write = app.db.write().await?;
    sqlx::query("UPDATE rounds SET windows = $1 WHERE id = $2")
        .bind(&text)
        .bind(id)
        .execute(&mut *write.tx)
        .await?;
    audit::record(
        &mut write,
        Change {
            round: Some(id),
            actor: &office.login,
            action: "set-windows",
            target: round.title.clone(),
            old: serde_json::to_string(&round.windows).ok(),
            new: Some(text),
            reason: None,
        },
    )
    .await?;
    write.commit().await
}

/// A move to the next state.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Advance {
    to: String,
}

/// `POST /api/rounds/{round}/state`: the office moves the round one state on (publishing is
/// `POST …/publish`).
pub(crate) async fn advance(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<Advance>,
) -> ApiResult<Json<Value>> {
    advance_round(&app, &caller.0, &id, &body.to).await?;
    Ok(Json(load(&app, &id).await?.json()))
}

/// The office moves a round one state on.
pub(crate) async fn advance_round(
    app: &App,
    account: &Account,
    id: &str,
    to: &str,
) -> ApiResult<()> {
    if account.role != Role::Office {
        return Err(ApiError::forbidden("only the office may do this"));
    }
    let round = load(app, id).await?;
    let to = State::parse(to).ok_or_else(|| ApiError::invalid("unknown state"))?;
    if to == State::Published {
        return Err(ApiError::invalid(
            "publish with POST /api/rounds/{round}/publish",
        ));
    }
    if round.state.next() != Some(to) {
        return Err(ApiError::closed(format!(
            "a round that is {} cannot become {}",
            round.state.name(),
            to.name()
        )));
    }
    set_state(app, &round, to, &account.login).await
}

/// Moves a round to a state, with its audit entry, inside a write of the caller's.
pub(crate) async fn set_state_in(
    write: &mut crate::db::Write<'_>,
    round: &RoundRow,
    from: State,
    to: State,
    actor: &str,
) -> ApiResult<()> {
    let moved = sqlx::query("UPDATE rounds SET state = $1 WHERE id = $2 AND state = $3")
        .bind(to.name())
        .bind(&round.id)
        .bind(from.name())
        .execute(&mut *write.tx)
        .await?;
    if moved.rows_affected() != 1 {
        return Err(ApiError::conflict(
            "the round's state changed meanwhile",
            Value::Null,
        ));
    }
    audit::record(
        write,
        Change {
            round: Some(&round.id),
            actor,
            action: "set-state",
            target: round.title.clone(),
            old: Some(from.name().to_owned()),
            new: Some(to.name().to_owned()),
            reason: None,
        },
    )
    .await
}

async fn set_state(app: &App, round: &RoundRow, to: State, actor: &str) -> ApiResult<()> {
    let mut write = app.db.write().await?;
    set_state_in(&mut write, round, round.state, to, actor).await?;
    write.commit().await
}

/// A unit of a round.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUnit {
    code: String,
    name: String,
    #[serde(default)]
    attributes: serde_json::Map<String, Value>,
}

/// Units to add.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUnits {
    units: Vec<NewUnit>,
}

/// `POST /api/rounds/{round}/units`: the office adds units, checked by the set's reader.
pub(crate) async fn add_units(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<NewUnits>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    require_office(&caller)?;
    let round = load(&app, &id).await?;
    if round.state > State::Open {
        return Err(ApiError::closed(
            "units are added while the round is draft or open",
        ));
    }
    insert_units(&app, &round, &caller.0.login, &body.units).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "added": body.units.len() })),
    ))
}

async fn insert_units(
    app: &App,
    round: &RoundRow,
    actor: &str,
    units: &[NewUnit],
) -> ApiResult<()> {
    if units.len() > parindex_io::MAX_UNITS {
        return Err(ApiError::too_large(format!(
            "at most {} units at a time",
            parindex_io::MAX_UNITS
        )));
    }
    // The units go through the set's reader as a JSON input would, so that an id, a name or an
    // attribute is refused here exactly as in a file.
    let document = json!({ "units": units.iter().map(|u| json!({
        "unit": u.code, "name": u.name, "attributes": u.attributes,
    })).collect::<Vec<_>>() });
    crate::unit_data::import_file(
        app,
        round,
        actor,
        None,
        "units.json",
        document.to_string().as_bytes(),
        true,
    )
    .await
    .map(|_| ())
}

/// `GET /api/rounds/{round}/units`: the units the caller may see, with their status.
pub(crate) async fn units(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let round = visible(&app, Some(&caller.0), &id).await?;
    let assigned = assigned_units(&app, &caller.0, &round.id).await?;
    let rows = sqlx::query(
        "SELECT code, name, attributes, status, submitted_at FROM units WHERE round_id = $1 ORDER BY position, code",
    )
    .bind(&round.id)
    .fetch_all(&app.db.pool)
    .await?;
    let mut out = Vec::new();
    for row in rows {
        let code: String = row.try_get("code")?;
        let allowed = match caller.0.role {
            Role::Office => true,
            Role::Unit => caller.0.unit.as_deref() == Some(&code),
            Role::Appraiser => assigned.as_ref().is_some_and(|a| a.contains(&code)),
        };
        if allowed {
            let attributes: String = row.try_get("attributes")?;
            out.push(json!({
                "code": code,
                "name": row.try_get::<String, _>("name")?,
                "attributes": serde_json::from_str::<Value>(&attributes).unwrap_or(Value::Null),
                "status": row.try_get::<String, _>("status")?,
            }));
        }
    }
    Ok(Json(Value::Array(out)))
}

/// An appraiser's assignment: units (every unit when absent) and areas of the set (every
/// criterion when absent).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Assignment {
    account: String,
    #[serde(default)]
    units: Option<Vec<String>>,
    #[serde(default)]
    areas: Option<Vec<String>>,
}

/// `POST /api/rounds/{round}/assignments`: the office assigns units, areas of the set, or
/// both, to an appraiser.
pub(crate) async fn assign(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<Assignment>,
) -> ApiResult<StatusCode> {
    assign_to(&app, &caller.0, &id, &body.account, body.units, body.areas).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The office assigns units (every unit when `None`) and areas (every criterion when `None`)
/// of a round to an appraiser.
pub(crate) async fn assign_to(
    app: &App,
    office: &Account,
    id: &str,
    account_login: &str,
    units: Option<Vec<String>>,
    areas: Option<Vec<String>>,
) -> ApiResult<()> {
    if office.role != Role::Office {
        return Err(ApiError::forbidden("only the office may do this"));
    }
    let round = load(app, id).await?;
    let account = sqlx::query("SELECT id, role FROM accounts WHERE login = $1")
        .bind(account_login)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no account {account_login}")))?;
    if account.try_get::<String, _>("role")? != Role::Appraiser.name() {
        return Err(ApiError::invalid("only an appraiser is assigned units"));
    }
    let account_id: String = account.try_get("id")?;
    if units.is_none() && areas.is_none() {
        return Err(ApiError::invalid("name the units, the areas, or both"));
    }
    let units = units.unwrap_or_else(|| vec!["*".to_owned()]);
    let areas = areas.unwrap_or_else(|| vec![String::new()]);
    for unit in units.iter().filter(|u| *u != "*") {
        unit_exists(app, &round.id, unit).await?;
    }
    let plan = plan(app, &round)?;
    if let Some(area) = areas
        .iter()
        .find(|a| !a.is_empty() && plan.node_index(a).is_none())
    {
        return Err(ApiError::invalid(format!(
            "the set has no area or criterion {area}"
        )));
    }
    let mut write = app.db.write().await?;
    for unit in &units {
        for area in &areas {
            // An assignment already made stays as it is.
            sqlx::query(
                "INSERT INTO assignments (round_id, account_id, unit_code, area) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(&round.id)
            .bind(&account_id)
            .bind(unit)
            .bind(area)
            .execute(&mut *write.tx)
            .await?;
        }
    }
    audit::record(
        &mut write,
        Change {
            round: Some(&round.id),
            actor: &office.login,
            action: "assign",
            target: account_login.to_owned(),
            old: None,
            new: Some(format!(
                "units: {}; areas: {}",
                units.join(", "),
                areas
                    .iter()
                    .map(|a| if a.is_empty() { "all" } else { a.as_str() })
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            reason: None,
        },
    )
    .await?;
    write.commit().await
}

/// Creates the office's `admin` account on first start; returns its password, shown once.
pub(crate) async fn first_admin(app: &App) -> ApiResult<Option<String>> {
    let exists = sqlx::query("SELECT id FROM accounts WHERE login = 'admin'")
        .fetch_optional(&app.db.pool)
        .await?;
    if exists.is_some() {
        return Ok(None);
    }
    let password = auth::new_password()?;
    let hash = auth::hash_password(&password)?;
    let mut write = app.db.write().await?;
    sqlx::query(
        "INSERT INTO accounts (id, login, password_hash, role, name, created_at) VALUES ($1, 'admin', $2, 'office', $3, $4)",
    )
    .bind(new_id()?)
    .bind(hash)
    .bind("Sở Nội vụ")
    .bind(now())
    .execute(&mut *write.tx)
    .await?;
    audit::record(
        &mut write,
        Change {
            round: None,
            actor: "parindex",
            action: "create-account",
            target: "admin (office)".to_owned(),
            old: None,
            new: None,
            reason: None,
        },
    )
    .await?;
    write.commit().await?;
    Ok(Some(password))
}

/// The demo's set and sample units (synthetic figures; see criteria/samples/README.md).
const DEMO_SET: &str = "binh-thuan-police/commune/2024";
const DEMO_CSV: &str = include_str!("../../../criteria/samples/binh-thuan-police-commune-2024.csv");

/// Opens the demo round, once: the sample units with their self-assessments, open for editing,
/// a unit account for the first unit and an appraiser of every unit. Returns the round and, on
/// the start that made them, the accounts' logins, roles and passwords.
pub(crate) async fn demo_round(app: &App) -> ApiResult<(String, Vec<(String, String, String)>)> {
    let existing = sqlx::query("SELECT id FROM rounds WHERE title = 'Demo'")
        .fetch_optional(&app.db.pool)
        .await?;
    if let Some(row) = existing {
        return Ok((row.try_get("id")?, Vec::new()));
    }
    let id = create_round(
        app,
        "parindex",
        NewRound {
            title: "Demo".to_owned(),
            set: Some(DEMO_SET.to_owned()),
            set_toml: None,
            set_file: None,
            windows: Windows::default(),
        },
    )
    .await?;
    let round = load(app, &id).await?;
    crate::unit_data::import_file(
        app,
        &round,
        "parindex",
        None,
        "demo.csv",
        DEMO_CSV.as_bytes(),
        true,
    )
    .await?;
    let round = load(app, &id).await?;
    set_state(app, &round, State::Open, "parindex").await?;
    let office = Account {
        id: String::new(),
        login: "parindex".to_owned(),
        role: Role::Office,
        name: "parindex".to_owned(),
        round: None,
        unit: None,
    };
    let first: String =
        sqlx::query("SELECT code FROM units WHERE round_id = $1 ORDER BY position, code")
            .bind(&id)
            .fetch_one(&app.db.pool)
            .await?
            .try_get("code")?;
    let mut accounts = Vec::new();
    let unit = NewAccount {
        login: "donvi".to_owned(),
        role: "unit".to_owned(),
        name: first.clone(),
        round: Some(id.clone()),
        unit: Some(first.clone()),
        password: None,
    };
    let (login, password) = new_account(app, &office, unit).await?;
    accounts.push((login, format!("unit {first}"), password));
    let appraiser = NewAccount {
        login: "thamdinh".to_owned(),
        role: "appraiser".to_owned(),
        name: "Hội đồng thẩm định".to_owned(),
        round: None,
        unit: None,
        password: None,
    };
    let (login, password) = new_account(app, &office, appraiser).await?;
    assign_to(app, &office, &id, &login, Some(vec!["*".to_owned()]), None).await?;
    accounts.push((login, "appraiser".to_owned(), password));
    Ok((id, accounts))
}
