//! The round's web pages: server-rendered HTML (maud, checked at compile time), plain forms,
//! Vietnamese by default. Every page calls the same operations as the JSON API, with the same
//! permission checks; a form carries the session's CSRF token in a hidden field.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{FromRequestParts, Multipart, Path, State as AppState};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use parindex_core::{InputShape, Rule};
use parindex_io::{ResultsDocument, UnitResult, bundle_results_json};
use serde_json::Value;
use sqlx::Row;

use crate::App;
use crate::auth::{self, Account, Role};
use crate::error::ApiError;
use crate::i18n::{Lang, t, t_with};
use crate::rounds::{self, RoundRow, State};
use crate::{scoring, unit_data};

/// The cookie that keeps the chosen language.
const LANG_COOKIE: &str = "parindex_lang";

/// The style of every page: readable on a 1366-px office screen and a 390-px phone, with
/// visible focus and contrast of at least 4.5:1.
const STYLE: &str = include_str!("../assets/pages.css");

/// Who is asking, in which language.
pub(crate) struct Ctx {
    lang: Lang,
    account: Option<Account>,
    csrf: String,
    /// The language to set, when the request asked for one.
    set_lang: Option<Lang>,
}

impl FromRequestParts<Arc<App>> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        let asked = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix("lang="))
                .map(Lang::from_code)
        });
        let kept = auth::cookie(&parts.headers, LANG_COOKIE).map(|c| Lang::from_code(&c));
        let lang = asked.or(kept).unwrap_or(Lang::Vi);
        let session = auth::session(app, &parts.headers)
            .await
            .map_err(|e| e.into_response())?;
        let (account, csrf) = match session {
            Some((account, csrf)) => (Some(account), csrf),
            None => (None, String::new()),
        };
        Ok(Ctx {
            lang,
            account,
            csrf,
            set_lang: asked,
        })
    }
}

impl Ctx {
    fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }

    fn t_with(&self, key: &str, args: &[(&str, String)]) -> String {
        t_with(self.lang, key, args)
    }

    /// Refuses a form without the session's CSRF token.
    fn check(&self, form: &HashMap<String, String>) -> Result<&Account, ApiError> {
        let account = self
            .account
            .as_ref()
            .ok_or_else(ApiError::unauthenticated)?;
        let given = form.get("csrf").map(String::as_bytes).unwrap_or_default();
        if self.csrf.is_empty() || !auth::constant_time_eq(given, self.csrf.as_bytes()) {
            return Err(ApiError::csrf());
        }
        Ok(account)
    }

    fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.csrf); }
    }

    /// A whole page.
    fn page(&self, title: &str, body: Markup) -> Response {
        self.page_with(StatusCode::OK, title, body)
    }

    fn page_with(&self, status: StatusCode, title: &str, body: Markup) -> Response {
        let other = match self.lang {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        };
        let markup = html! {
            (DOCTYPE)
            html lang=(self.lang.code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · " (self.t("app-title")) }
                    style { (PreEscaped(STYLE)) }
                    script src="/assets/preview.js" defer {}
                }
                body {
                    a class="skip" href="#main" { (self.t("skip-to-content")) }
                    header {
                        a class="brand" href="/" { (self.t("app-title")) }
                        nav aria-label=(self.t("language")) {
                            a href={ "?lang=" (other.code()) } lang=(other.code()) {
                                (match other { Lang::Vi => "Tiếng Việt", Lang::En => "English" })
                            }
                        }
                        @if let Some(account) = &self.account {
                            a href="/password" { (self.t("change-password")) }
                            form method="post" action="/logout" class="inline" {
                                span class="who" { (self.t_with("signed-in-as", &[("login", account.login.clone()), ("role", self.t(role_key(account.role)))])) }
                                (self.csrf_field())
                                button type="submit" { (self.t("log-out")) }
                            }
                        } @else {
                            a href="/login" { (self.t("log-in")) }
                        }
                    }
                    main id="main" {
                        h1 { (title) }
                        (body)
                    }
                }
            }
        };
        let mut response = (status, axum::response::Html(markup.into_string())).into_response();
        let headers = response.headers_mut();
        if let Some(lang) = self.set_lang
            && let Ok(value) = format!(
                "{LANG_COOKIE}={}; Path=/; SameSite=Strict; Max-Age=31536000",
                lang.code()
            )
            .parse()
        {
            headers.insert(header::SET_COOKIE, value);
        }
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(
                "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            header::HeaderValue::from_static("nosniff"),
        );
        response
    }

    /// A refusal in the reader's language: from the catalogue by its check code where it has
    /// one, else as the engine or server wrote it.
    fn message(&self, error: &ApiError) -> String {
        match &error.check {
            Some((check, args)) => {
                // States are named in the reader's words.
                let args: Vec<(&str, String)> = args
                    .iter()
                    .map(|(name, value)| match *name {
                        "state" | "needed" => (*name, self.t(&format!("state-{value}"))),
                        _ => (*name, value.clone()),
                    })
                    .collect();
                self.t_with(check, &args)
            }
            None if error.status == StatusCode::NOT_FOUND => self.t("not-found"),
            None => error.message.clone(),
        }
    }

    /// The page of a refusal.
    fn error(&self, error: ApiError) -> Response {
        let message = self.message(&error);
        let body = html! {
            p role="alert" { (message) }
            @if let Some(detail) = &error.detail {
                (problem_list(self, detail))
            }
            p { a href="/" { (self.t("back")) } }
        };
        self.page_with(error.status, &self.t("error"), body)
    }
}

fn role_key(role: Role) -> &'static str {
    match role {
        Role::Office => "role-office",
        Role::Unit => "role-unit",
        Role::Appraiser => "role-appraiser",
    }
}

fn state_key(state: State) -> String {
    format!("state-{}", state.name())
}

/// The problems of a refused input, each in the reader's language where its check code has a
/// wording in the catalogue.
fn problem_texts(ctx: &Ctx, detail: &Value) -> Vec<String> {
    detail["problems"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|p| {
                    let message = p["message"].as_str()?;
                    Some(match (p["check"].as_str(), ctx.lang) {
                        (Some(check), Lang::Vi) => format!("{} — {message}", ctx.t(check)),
                        _ => message.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The problems of a refused input, as a list.
fn problem_list(ctx: &Ctx, detail: &Value) -> Markup {
    let problems = problem_texts(ctx, detail);
    html! {
        @if !problems.is_empty() {
            ul class="problems" { @for p in &problems { li { (p) } } }
        }
    }
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// `GET /`: published results for everyone; each role's own start.
pub(crate) async fn home(AppState(app): AppState<Arc<App>>, ctx: Ctx) -> Response {
    match home_body(&app, &ctx).await {
        Ok(response) => response,
        Err(e) => ctx.error(e),
    }
}

async fn home_body(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let ids: Vec<String> = sqlx::query("SELECT id FROM rounds ORDER BY created_at DESC")
        .fetch_all(&app.db.pool)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let mut published = Vec::new();
    let mut mine = Vec::new();
    for id in &ids {
        let round = rounds::load(app, id).await?;
        if round.state == State::Published {
            published.push(round.clone());
        }
        if let Some(account) = &ctx.account
            && account.role != Role::Unit
            && rounds::may_see_round(app, Some(account), &round).await?
        {
            mine.push(round);
        }
    }
    if let Some(account) = &ctx.account
        && account.role == Role::Unit
        && let (Some(round), Some(unit)) = (&account.round, &account.unit)
    {
        return Ok(see_other(&format!("/rounds/{round}/units/{unit}")));
    }
    let role = ctx.account.as_ref().map(|a| a.role);
    let mut queue = Vec::new();
    if let Some(account) = ctx.account.as_ref().filter(|a| a.role == Role::Appraiser) {
        for round in &mine {
            let units = rounds::assigned_units(app, account, &round.id)
                .await?
                .unwrap_or_default();
            let stages = rounds::plan(app, round)?.set().policy.stages.clone();
            for unit in units {
                let appraised: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM leaf_values WHERE round_id = $1 AND unit_code = $2 AND stage = $3",
                )
                .bind(&round.id)
                .bind(&unit)
                .bind(stages.get(1).cloned().unwrap_or_default())
                .fetch_one(&app.db.pool)
                .await?;
                queue.push((round.clone(), unit, appraised));
            }
        }
    }
    let sets = parindex_core::shipped::list();
    let body = html! {
        @if role == Some(Role::Office) {
            section {
                h2 { (ctx.t("rounds")) }
                (round_table(ctx, &mine))
            }
            section {
                h2 { (ctx.t("new-round")) }
                form method="post" action="/rounds" enctype="multipart/form-data" class="stack" {
                    (ctx.csrf_field())
                    label for="title" { (ctx.t("round-title")) }
                    input id="title" name="title" required;
                    label for="set" { (ctx.t("shipped-set")) }
                    select id="set" name="set" {
                        option value="" { (ctx.t("choose")) }
                        @for s in &sets { option value=(s.id) { (s.id) " — " (s.year) } }
                    }
                    label for="set_file" { (ctx.t("or-upload-set")) }
                    input id="set_file" name="file" type="file" accept=".toml";
                    button type="submit" { (ctx.t("create")) }
                }
            }
        }
        @if role == Some(Role::Appraiser) {
            section {
                h2 { (ctx.t("my-queue")) }
                table {
                    thead { tr { th scope="col" { (ctx.t("rounds")) } th scope="col" { (ctx.t("unit")) } th scope="col" { (ctx.t("appraised-rows")) } } }
                    tbody {
                        @for (round, unit, appraised) in &queue {
                            tr {
                                td { (round.title) }
                                td { a href={ "/rounds/" (round.id) "/units/" (unit) } { (unit) } }
                                td class="num" { (appraised) }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { (ctx.t("published-rounds")) }
            @if published.is_empty() {
                p { (ctx.t("no-published-rounds")) }
            } @else {
                ul { @for round in &published { li { a href={ "/rounds/" (round.id) "/results" } { (round.title) " (" (round.year) ")" } } } }
            }
        }
    };
    Ok(ctx.page(&ctx.t("app-title"), body))
}

fn round_table(ctx: &Ctx, rounds: &[RoundRow]) -> Markup {
    html! {
        table {
            thead { tr { th scope="col" { (ctx.t("round-title")) } th scope="col" { "Năm / Year" } th scope="col" { (ctx.t("state")) } } }
            tbody {
                @for round in rounds {
                    tr {
                        td { a href={ "/rounds/" (round.id) } { (round.title) } }
                        td class="num" { (round.year) }
                        td { (ctx.t(&state_key(round.state))) }
                    }
                }
            }
        }
    }
}

/// `GET /login`
pub(crate) async fn login_page(ctx: Ctx) -> Response {
    login_form(&ctx, None, StatusCode::OK)
}

fn login_form(ctx: &Ctx, problem: Option<String>, status: StatusCode) -> Response {
    let body = html! {
        @if let Some(problem) = problem { p role="alert" class="problem" { (problem) } }
        form method="post" action="/login" class="stack narrow" {
            label for="login" { (ctx.t("login-name")) }
            input id="login" name="login" autocomplete="username" required;
            label for="password" { (ctx.t("password")) }
            input id="password" name="password" type="password" autocomplete="current-password" required;
            button type="submit" { (ctx.t("log-in")) }
        }
    };
    ctx.page_with(status, &ctx.t("log-in"), body)
}

/// `POST /login`
pub(crate) async fn login(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    match auth::login(&app, &field("login"), &field("password"), peer.ip()).await {
        Ok(session) => {
            let cookie = auth::session_cookie(&session.token, auth::over_tls(&app, &headers));
            let mut response = see_other("/");
            if let Ok(value) = cookie.parse() {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            login_form(&ctx, Some(ctx.t("login-blocked")), e.status)
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            login_form(&ctx, Some(ctx.t("login-failed")), e.status)
        }
        Err(e) => ctx.error(e),
    }
}

/// `GET /password`: the caller changes its password.
pub(crate) async fn password_page(ctx: Ctx) -> Response {
    password_form(&ctx, None, StatusCode::OK)
}

fn password_form(
    ctx: &Ctx,
    notice: Option<Result<String, String>>,
    status: StatusCode,
) -> Response {
    if ctx.account.is_none() {
        return ctx.error(ApiError::unauthenticated());
    }
    let body = html! {
        @match &notice {
            Some(Ok(text)) => p role="status" class="notice" { (text) },
            Some(Err(text)) => p role="alert" class="problem" { (text) },
            None => {},
        }
        form method="post" action="/password" class="stack narrow" {
            (ctx.csrf_field())
            label for="current" { (ctx.t("current-password")) }
            input id="current" name="current" type="password" autocomplete="current-password" required;
            label for="new" { (ctx.t("new-password")) }
            input id="new" name="new" type="password" autocomplete="new-password" minlength="12" required;
            button type="submit" { (ctx.t("change-password")) }
        }
    };
    ctx.page_with(status, &ctx.t("change-password"), body)
}

/// `POST /password`
pub(crate) async fn change_password(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let account = match ctx.check(&form) {
        Ok(a) => a.clone(),
        Err(e) => return ctx.error(e),
    };
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    match auth::change_password(&app, &account, &headers, &field("current"), &field("new")).await {
        Ok(()) => password_form(&ctx, Some(Ok(ctx.t("password-changed"))), StatusCode::OK),
        Err(e) => password_form(&ctx, Some(Err(ctx.message(&e))), e.status),
    }
}

/// `POST /logout`
pub(crate) async fn logout(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(e) = ctx.check(&form) {
        return ctx.error(e);
    }
    if let Err(e) = auth::logout(&app, &headers).await {
        return ctx.error(e);
    }
    let mut response = see_other("/");
    if let Ok(value) = auth::cleared_cookie().parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// A multipart form's text fields, and its `file` field (safe name and bytes) when one was
/// sent; `limit` names the size a refused part is over.
async fn multipart_form(
    multipart: &mut Multipart,
    limit: &str,
) -> Result<(HashMap<String, String>, Option<(String, axum::body::Bytes)>), ApiError> {
    let mut fields = HashMap::new();
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let Ok(bytes) = field.bytes().await else {
            return Err(ApiError::too_large(format!("the file is over {limit}")));
        };
        if name == "file" {
            if !bytes.is_empty() {
                file = Some((
                    unit_data::safe_file_name(&file_name.unwrap_or_default()),
                    bytes,
                ));
            }
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok((fields, file))
}

/// `POST /rounds`: the office creates a round from a shipped set or an uploaded file.
pub(crate) async fn create_round(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    mut multipart: Multipart,
) -> Response {
    let (fields, file) = match multipart_form(&mut multipart, "4 MiB").await {
        Ok(form) => form,
        Err(e) => return ctx.error(e),
    };
    let file = file.map(|(name, bytes)| (name, String::from_utf8_lossy(&bytes).into_owned()));
    let account = match ctx.check(&fields) {
        Ok(a) if a.role == Role::Office => a.clone(),
        Ok(_) => return ctx.error(ApiError::forbidden("only the office may do this")),
        Err(e) => return ctx.error(e),
    };
    let set = fields.get("set").filter(|s| !s.is_empty()).cloned();
    let body = rounds::NewRound {
        title: fields.get("title").cloned().unwrap_or_default(),
        set: if file.is_some() { None } else { set },
        set_file: file.as_ref().map(|(name, _)| name.clone()),
        set_toml: file.map(|(_, text)| text),
        windows: Default::default(),
    };
    match rounds::create_round(&app, &account.login, body).await {
        Ok(id) => see_other(&format!("/rounds/{id}")),
        Err(e) => ctx.error(e),
    }
}

/// The unit rows of a round, with their progress.
async fn unit_rows(
    app: &App,
    round: &RoundRow,
) -> Result<Vec<(String, String, String, i64, i64)>, ApiError> {
    let stages = rounds::plan(app, round)?.set().policy.stages.clone();
    let rows = sqlx::query(
        "SELECT u.code, u.name, u.status, (SELECT COUNT(*) FROM leaf_values v WHERE v.round_id = u.round_id AND v.unit_code = u.code AND v.stage = $2 AND v.value <> '') AS entered, (SELECT COUNT(*) FROM evidence e WHERE e.round_id = u.round_id AND e.unit_code = u.code) AS files FROM units u WHERE u.round_id = $1 ORDER BY u.position, u.code",
    )
    .bind(&round.id)
    .bind(&stages[0])
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("code")?,
                r.try_get("name")?,
                r.try_get("status")?,
                r.try_get("entered")?,
                r.try_get("files")?,
            ))
        })
        .collect()
}

/// `GET /rounds/{round}`: the office follows a round: its state, units and their progress,
/// accounts, assignments and downloads.
pub(crate) async fn round_page(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    match round_body(&app, &ctx, &id, None).await {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

async fn round_body(
    app: &App,
    ctx: &Ctx,
    id: &str,
    notice: Option<String>,
) -> Result<Response, ApiError> {
    let account = ctx.account.as_ref().ok_or_else(ApiError::unauthenticated)?;
    if account.role != Role::Office {
        return Err(ApiError::not_found("no such page"));
    }
    let round = rounds::load(app, id).await?;
    let plan = rounds::plan(app, &round)?;
    let leaves = plan.leaf_count();
    let units = unit_rows(app, &round).await?;
    let next = round.state.next().filter(|s| *s != State::Published);
    let body = html! {
        @if let Some(notice) = notice { p role="status" class="notice" { (notice) } }
        p { (ctx.t("state")) ": " strong { (ctx.t(&state_key(round.state))) } " · " (plan.set().info.title) }
        div class="actions" {
            @if let Some(next) = next {
                form method="post" action={ "/rounds/" (round.id) "/state" } {
                    (ctx.csrf_field())
                    input type="hidden" name="to" value=(next.name());
                    button type="submit" { (ctx.t_with("move-to", &[("state", ctx.t(&state_key(next)))])) }
                }
            }
            @if round.state == State::Final {
                form method="post" action={ "/rounds/" (round.id) "/publish" } {
                    (ctx.csrf_field())
                    button type="submit" class="primary" { (ctx.t("publish")) }
                }
            }
            a class="button" href={ "/rounds/" (round.id) "/results" } { (ctx.t("ranking")) }
        }
        @let windows = round.windows.texts();
        form method="post" action={ "/rounds/" (round.id) "/windows" } class="windows" {
            h2 { (ctx.t("windows")) }
            (ctx.csrf_field())
            @for (i, (phase, key)) in [("self", "state-open"), ("appraisal", "state-appraisal"), ("responses", "state-responses")].iter().enumerate() {
                fieldset {
                    legend { (ctx.t(key)) }
                    label for={ (phase) "_opens" } { (ctx.t("opens")) }
                    input id={ (phase) "_opens" } name={ (phase) "_opens" } value=(windows[i].0) placeholder="dd/mm/yyyy";
                    label for={ (phase) "_closes" } { (ctx.t("closes")) }
                    input id={ (phase) "_closes" } name={ (phase) "_closes" } value=(windows[i].1) placeholder="dd/mm/yyyy";
                }
            }
            button type="submit" { (ctx.t("save")) }
        }
        h2 { (ctx.t("units")) }
        table {
            thead { tr {
                th scope="col" { (ctx.t("unit-code")) } th scope="col" { (ctx.t("name")) }
                th scope="col" { (ctx.t("status")) } th scope="col" { (ctx.t("values-entered")) }
                th scope="col" { (ctx.t("evidence-files")) }
            } }
            tbody {
                @for (code, name, status, entered, files) in &units {
                    tr {
                        td { a href={ "/rounds/" (round.id) "/units/" (code) } { (code) } }
                        td { (name) }
                        td { (ctx.t(&format!("status-{status}"))) }
                        td class="num" { (entered) " / " (leaves) }
                        td class="num" { (files) }
                    }
                }
            }
        }
        div class="columns" {
            form method="post" action={ "/rounds/" (round.id) "/units/import" } enctype="multipart/form-data" class="stack" {
                h2 { (ctx.t("import-units")) }
                (ctx.csrf_field())
                label for="units-file" { (ctx.t("file")) }
                input id="units-file" name="file" type="file" accept=".xlsx,.csv" required;
                button type="submit" { (ctx.t("import")) }
            }
            form method="post" action={ "/rounds/" (round.id) "/accounts" } class="stack" {
                h2 { (ctx.t("new-account")) }
                (ctx.csrf_field())
                label for="acc-login" { (ctx.t("login-name")) }
                input id="acc-login" name="login" required;
                label for="acc-role" { (ctx.t("role")) }
                select id="acc-role" name="role" {
                    option value="unit" { (ctx.t("role-unit")) }
                    option value="appraiser" { (ctx.t("role-appraiser")) }
                }
                label for="acc-unit" { (ctx.t("unit-code")) }
                select id="acc-unit" name="unit" {
                    option value="" { (ctx.t("choose")) }
                    @for (code, name, ..) in &units { option value=(code) { (code) " — " (name) } }
                }
                button type="submit" { (ctx.t("create")) }
            }
            form method="post" action={ "/rounds/" (round.id) "/assignments" } class="stack" {
                h2 { (ctx.t("assign")) }
                (ctx.csrf_field())
                label for="as-login" { (ctx.t("login-name")) }
                input id="as-login" name="account" required;
                label for="as-units" { (ctx.t("assign-units")) }
                input id="as-units" name="units";
                label for="as-areas" { (ctx.t("assign-areas")) }
                input id="as-areas" name="areas";
                button type="submit" { (ctx.t("assign")) }
            }
        }
        h2 { (ctx.t("downloads")) }
        ul {
            li { a href={ "/api/rounds/" (round.id) "/export/xlsx" } { (ctx.t("download-workbook")) } }
            li { a href={ "/api/rounds/" (round.id) "/export/html" } { (ctx.t("download-report")) } }
            li { a href={ "/api/rounds/" (round.id) "/export/json" } { (ctx.t("download-json")) } }
            @if round.state == State::Published {
                li { a href={ "/api/rounds/" (round.id) "/bundle" } { (ctx.t("download-bundle")) } }
            }
        }
    };
    Ok(ctx.page(&round.title, body))
}

/// `POST /rounds/{round}/state`, `/publish`, `/accounts`, `/assignments`: the office's forms.
pub(crate) async fn round_action(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let account = match ctx.check(&form) {
        Ok(a) => a.clone(),
        Err(e) => return ctx.error(e),
    };
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let list = |k: &str| -> Option<Vec<String>> {
        let items: Vec<String> = field(k)
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        (!items.is_empty()).then_some(items)
    };
    let done: Result<Option<String>, ApiError> = match action.as_str() {
        "state" => rounds::advance_round(&app, &account, &id, &field("to"))
            .await
            .map(|()| None),
        "publish" => scoring::publish_round(&app, &account, &id)
            .await
            .map(|_| None),
        "accounts" => {
            let unit = Some(field("unit")).filter(|u| !u.is_empty());
            let round = unit.as_ref().map(|_| id.clone());
            let new = rounds::NewAccount {
                login: field("login"),
                role: field("role"),
                name: field("login"),
                round,
                unit,
                password: None,
            };
            rounds::new_account(&app, &account, new)
                .await
                .map(|(login, password)| {
                    Some(ctx.t_with(
                        "account-created",
                        &[("login", login), ("password", password)],
                    ))
                })
        }
        "windows" => {
            let windows = rounds::Windows::from_texts([
                (&field("self_opens"), &field("self_closes")),
                (&field("appraisal_opens"), &field("appraisal_closes")),
                (&field("responses_opens"), &field("responses_closes")),
            ]);
            rounds::change_windows(&app, &account, &id, windows)
                .await
                .map(|()| None)
        }
        "assignments" => rounds::assign_to(
            &app,
            &account,
            &id,
            &field("account"),
            list("units"),
            list("areas"),
        )
        .await
        .map(|()| None),
        _ => Err(ApiError::not_found("no such action")),
    };
    match done {
        Ok(None) => see_other(&format!("/rounds/{id}")),
        Ok(Some(notice)) => match round_body(&app, &ctx, &id, Some(notice)).await {
            Ok(r) => r,
            Err(e) => ctx.error(e),
        },
        Err(e) => ctx.error(e),
    }
}

/// `POST /rounds/{round}/units/import`: the office imports units from a sheet.
pub(crate) async fn import_units(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Response {
    let (csrf, file) = match multipart_form(&mut multipart, "10 MiB").await {
        Ok(form) => form,
        Err(e) => return ctx.error(e),
    };
    let account = match ctx.check(&csrf) {
        Ok(a) if a.role == Role::Office => a.clone(),
        Ok(_) => return ctx.error(ApiError::forbidden("only the office may do this")),
        Err(e) => return ctx.error(e),
    };
    let Some((name, bytes)) = file else {
        return ctx.error(ApiError::invalid("no file"));
    };
    let imported = async {
        let round = rounds::load(&app, &id).await?;
        if round.state > State::Open {
            return Err(ApiError::closed(
                "units are added while the round is draft or open",
            ));
        }
        unit_data::import_file(&app, &round, &account.login, None, &name, &bytes, true).await
    }
    .await;
    match imported {
        Ok(_) => see_other(&format!("/rounds/{id}")),
        Err(e) => ctx.error(e),
    }
}

/// An area of the set, over its rows on a unit's page.
struct AreaHeading {
    code: String,
    name: String,
    /// The preview's points of the area, as "points / max".
    points: Option<String>,
}

/// What a leaf's row shows and takes.
struct LeafRow<'a> {
    code: &'a str,
    name: &'a str,
    max: String,
    rule: &'a Rule,
    own: Option<(String, i64)>,
    appraisal: Option<(String, i64)>,
    evidence: Vec<(String, String)>,
    points: Option<String>,
    reason: Option<String>,
}

/// A word with its first letter in capitals: `có` → `Có`.
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The control a rule calls for: the printed answers to choose from, or a field with its hint.
fn control(
    ctx: &Ctx,
    rule: &Rule,
    id: &str,
    name: &str,
    value: &str,
    editable: bool,
    (label, max): (&str, &str),
) -> Markup {
    let shape = rule.input();
    let choices: Vec<(String, String)> = match &shape {
        // A level judged within a range is typed with its points: a field, not a list.
        InputShape::Answer(_) if shape.judged() => Vec::new(),
        // A yes-no answer without a printed label shows the word capitalised.
        InputShape::Answer(answers) => answers
            .iter()
            .map(|a| {
                let shown = a.label.map_or_else(|| capitalised(&a.key), str::to_owned);
                (a.key.to_string(), shown)
            })
            .collect(),
        _ => Vec::new(),
    };
    let step = match &shape {
        InputShape::Points { step, .. } => *step,
        _ => None,
    };
    let hint = match &shape {
        InputShape::Date { .. } => "dd/mm/yyyy".to_owned(),
        InputShape::Percent | InputShape::Survey => "85,5% · 45/50".to_owned(),
        InputShape::Trend => "80 → 85".to_owned(),
        InputShape::Answer(answers) => {
            let shown = |d: rust_decimal::Decimal| ctx.lang.decimal(&d.normalize().to_string());
            let forms: Vec<String> = answers
                .iter()
                .map(|a| match a.range {
                    Some((low, high)) => format!("{}: {}–{}", a.key, shown(low), shown(high)),
                    None => a.key.to_string(),
                })
                .collect();
            forms.join(" · ")
        }
        // Points given directly: the allowed range and step, as the table prints them.
        InputShape::Points { min, step } => {
            let shown = |d: rust_decimal::Decimal| ctx.lang.decimal(&d.normalize().to_string());
            let range = format!("{}–{max}", shown(*min));
            match step {
                Some(step) => {
                    ctx.t_with("points-step", &[("range", range), ("step", shown(*step))])
                }
                None => range,
            }
        }
        _ => String::new(),
    };
    html! {
        @if !choices.is_empty() {
            select id=(id) name=(name) aria-label=(label) disabled[!editable] {
                option value="" { (ctx.t("choose")) }
                @for (key, shown) in &choices {
                    option value=(key) selected[key == value || shown == value] { (shown) }
                }
                option value="N/A" selected[value == "N/A"] { (ctx.t("not-applicable")) }
            }
        } @else {
            @let step = step.map(|s| s.to_string());
            input id=(id) name=(name) value=(value) aria-label=(label) placeholder=(hint)
                inputmode=[step.as_ref().map(|_| "decimal")] disabled[!editable];
        }
    }
}

/// `GET /rounds/{round}/units/{unit}`: a unit's criteria: its own values and evidence, the
/// appraisal beside them, the engine's preview of points, index and band, and comments.
pub(crate) async fn unit_page(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    Path((round, unit)): Path<(String, String)>,
) -> Response {
    match unit_body(&app, &ctx, &round, &unit, None, &[], StatusCode::OK).await {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

#[allow(clippy::too_many_lines)]
async fn unit_body(
    app: &App,
    ctx: &Ctx,
    round_id: &str,
    unit: &str,
    notice: Option<String>,
    problems: &[String],
    status: StatusCode,
) -> Result<Response, ApiError> {
    let account = ctx.account.as_ref().ok_or_else(ApiError::unauthenticated)?;
    let detail = unit_data::unit_detail(app, account, round_id, unit).await?;
    let round = rounds::load(app, round_id).await?;
    let plan = rounds::plan(app, &round)?;
    let set = plan.set();
    let stages = &set.policy.stages;
    let submitted = detail["status"] == "submitted";
    let unit_edits = account.role == Role::Unit
        && round.state == State::Open
        && !submitted
        && round.require_phase(State::Open).is_ok();
    let appraiser_edits =
        account.role == Role::Appraiser && round.require_phase(State::Appraisal).is_ok();
    let value_of = |leaf: &str, stage: &str| {
        detail["values"].as_array().and_then(|vs| {
            vs.iter()
                .find(|v| v["leaf"] == leaf && v["stage"] == stage)
                .map(|v| {
                    (
                        v["value"].as_str().unwrap_or_default().to_owned(),
                        v["version"].as_i64().unwrap_or(0),
                    )
                })
        })
    };
    // The engine's preview, for this unit only; a round whose values cannot all be scored yet
    // shows none.
    let preview: Option<UnitResult> = scoring::preview(app, &round)
        .await
        .ok()
        .and_then(|scored| {
            ResultsDocument::from_json(&bundle_results_json(&scored), "preview").ok()
        })
        .and_then(|doc| doc.units.into_iter().find(|u| u.unit == unit));
    let mut rows = Vec::new();
    for node in set.leaves() {
        let Some(rule) = node.rule.as_ref() else {
            continue;
        };
        let result = preview
            .as_ref()
            .and_then(|p| p.nodes.iter().find(|n| n.code == node.code));
        rows.push(LeafRow {
            code: &node.code,
            name: &node.name,
            max: ctx.lang.decimal(&node.max.normalize().to_string()),
            rule,
            own: value_of(&node.code, &stages[0]),
            appraisal: stages.get(1).and_then(|s| value_of(&node.code, s)),
            evidence: detail["evidence"]
                .as_array()
                .map(|es| {
                    es.iter()
                        .filter(|e| e["leaf"] == node.code.as_str())
                        .map(|e| {
                            (
                                e["sha256"].as_str().unwrap_or_default().to_owned(),
                                e["file_name"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            points: result.map(|n| ctx.lang.decimal(&n.points)),
            reason: result.and_then(|n| n.reason.clone()),
        });
    }
    // The rows under each area of the set, so that a long set reads (and folds) area by area.
    let mut areas: Vec<(AreaHeading, Vec<&LeafRow>)> = Vec::new();
    for row in &rows {
        let top = std::iter::successors(Some(row.code), |c| parindex_core::parent_code(c))
            .last()
            .unwrap_or(row.code);
        if areas.last().is_none_or(|(a, _)| a.code != top) {
            let points = preview
                .as_ref()
                .and_then(|p| p.nodes.iter().find(|n| n.code == top))
                .map(|n| {
                    format!(
                        "{} / {}",
                        ctx.lang.decimal(&n.points),
                        ctx.lang.decimal(&n.max)
                    )
                });
            areas.push((
                AreaHeading {
                    code: top.to_owned(),
                    name: set.node(top).map(|n| n.name.clone()).unwrap_or_default(),
                    points,
                },
                Vec::new(),
            ));
        }
        if let Some((_, list)) = areas.last_mut() {
            list.push(row);
        }
    }
    let missing: Vec<&str> = rows
        .iter()
        .filter(|r| r.own.as_ref().is_none_or(|(v, _)| v.is_empty()))
        .map(|r| r.code)
        .collect();
    let lacking: Vec<&str> = rows
        .iter()
        .filter(|r| {
            set.needs_evidence(r.code)
                && r.own.as_ref().is_some_and(|(v, _)| !v.is_empty())
                && r.evidence.is_empty()
        })
        .map(|r| r.code)
        .collect();
    let base = format!("/rounds/{}/units/{unit}", round.id);
    let title = format!("{unit} — {}", detail["name"].as_str().unwrap_or_default());
    let window = round_window(ctx, &round);
    let body = html! {
        @if let Some(notice) = notice { p role="status" class="notice" { (notice) } }
        @if !problems.is_empty() {
            div role="alert" class="problem" { p { (ctx.t("problems")) } ul { @for p in problems { li { (p) } } } }
        }
        p { (ctx.t("state")) ": " strong { (ctx.t(&state_key(round.state))) } @if let Some(w) = window { " · " (w) } }
        @if account.role == Role::Unit && submitted { p class="notice" { (ctx.t("submitted-read-only")) } }
        @else if account.role == Role::Unit && !unit_edits { p class="notice" { (ctx.t("closed-read-only")) } }
        @if let Some(p) = &preview {
            section class="preview" aria-label=(ctx.t("preview")) {
                h2 { (ctx.t("preview")) }
                dl aria-live="polite" {
                    dt { (ctx.t("total")) } dd id="preview-total" { (ctx.lang.decimal(&p.total)) " / " (ctx.lang.decimal(&p.max)) }
                    dt { (ctx.t("index")) } dd id="preview-index" { (p.reported_index.as_deref().or(p.index.as_deref()).map(|i| ctx.lang.decimal(i)).unwrap_or_default()) }
                    dt { (ctx.t("band")) } dd id="preview-band" { (p.band.clone().unwrap_or_default()) }
                }
                p id="preview-problems" class="problem" {}
            }
        }
        form method="post" action={ (base) "/values" } id="values" data-preview={ (base) "/preview" } {
            (ctx.csrf_field())
            @for (area, area_rows) in &areas {
                details class="area" open {
                    summary {
                        span class="code" { (area.code) } " " (area.name)
                        @if let Some(points) = &area.points { " — " span data-area-points=(area.code) { (points) } }
                    }
            table class="criteria" {
                        thead { tr {
                            th scope="col" { (ctx.t("criterion")) }
                            th scope="col" class="num" { (ctx.t("max-points")) }
                            th scope="col" { (ctx.t("self-assessment")) }
                            th scope="col" { (ctx.t("evidence-files")) }
                            @if stages.len() > 1 { th scope="col" { (ctx.t("appraisal")) } }
                            th scope="col" class="num" { (ctx.t("points")) }
                        } }
                        tbody {
                            @for row in area_rows.iter() {
                                @let label = format!("{} {}", row.code, row.name);
                                tr {
                                    th scope="row" { span class="code" { (row.code) } " " (row.name) }
                                    td class="num" data-label=(ctx.t("max-points")) { (row.max) }
                                    td data-label=(ctx.t("self-assessment")) {
                                        (control(ctx, row.rule, &format!("v-{}", row.code), &format!("v:{}", row.code), row.own.as_ref().map_or("", |(v, _)| v), unit_edits, (&format!("{} — {label}", ctx.t("self-assessment")), &row.max)))
                                        @if unit_edits { input type="hidden" name={ "ver:" (row.code) } value=(row.own.as_ref().map_or(0, |(_, v)| *v)); }
                                    }
                                    td data-label=(ctx.t("evidence-files")) {
                                        ul class="files" { @for (sha, name) in &row.evidence {
                                            li { a href={ "/api/rounds/" (round.id) "/units/" (unit) "/evidence/" (row.code) "/" (sha) } { (name) } }
                                        } }
                                        @if unit_edits {
                                            // The row's upload belongs to a form of its own, below the
                                            // table: forms cannot nest.
                                            label class="visually-hidden" for={ "f-" (row.code) } { (ctx.t_with("attach-file", &[("code", row.code.to_owned())])) }
                                            input id={ "f-" (row.code) } name="file" type="file" form={ "ev-" (row.code) } required;
                                            button type="submit" form={ "ev-" (row.code) } { (ctx.t("attach")) }
                                        }
                                    }
                                    @if stages.len() > 1 {
                                        td data-label=(ctx.t("appraisal")) {
                                            (control(ctx, row.rule, &format!("a-{}", row.code), &format!("a:{}", row.code), row.appraisal.as_ref().map_or("", |(v, _)| v), appraiser_edits, (&format!("{} — {label}", ctx.t("appraisal")), &row.max)))
                                            @if appraiser_edits {
                                                input type="hidden" name={ "aver:" (row.code) } value=(row.appraisal.as_ref().map_or(0, |(_, v)| *v));
                                                input name={ "why:" (row.code) } aria-label={ (ctx.t("reason")) " — " (row.code) } placeholder=(ctx.t("reason"));
                                            }
                                        }
                                    }
                                    td class="num" data-label=(ctx.t("points")) data-points=(row.code) {
                                        span class="points" { (row.points.clone().unwrap_or_default()) }
                                        div class="reason" { (row.reason.clone().unwrap_or_default()) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if unit_edits || appraiser_edits { button type="submit" class="primary" { (ctx.t("save")) } }
        }
        @if unit_edits {
            @for row in &rows {
                form id={ "ev-" (row.code) } method="post" action={ (base) "/evidence/" (row.code) } enctype="multipart/form-data" {
                    (ctx.csrf_field())
                }
            }
            section {
                @if !missing.is_empty() { p { (ctx.t_with("missing-values", &[("count", missing.len().to_string()), ("codes", missing.join(", "))])) } }
                @if !lacking.is_empty() { p class="problem" { (ctx.t_with("missing-evidence", &[("count", lacking.len().to_string()), ("codes", lacking.join(", "))])) } }
                form method="post" action={ (base) "/submit" } {
                    (ctx.csrf_field())
                    button type="submit" class="primary" { (ctx.t("submit")) }
                }
            }
        }
        section {
            h2 { (ctx.t("comments")) }
            ul class="comments" {
                @for c in detail["comments"].as_array().into_iter().flatten() {
                    li { strong { (c["author"].as_str().unwrap_or_default()) } " · " (c["leaf"].as_str().unwrap_or_default()) ": " (c["body"].as_str().unwrap_or_default()) }
                }
            }
            form method="post" action={ (base) "/comments" } class="stack" {
                (ctx.csrf_field())
                label for="comment-leaf" { (ctx.t("comment-on")) }
                select id="comment-leaf" name="leaf" { @for row in &rows { option value=(row.code) { (row.code) } } }
                label for="comment-body" { (ctx.t("add-comment")) }
                textarea id="comment-body" name="body" rows="3" maxlength="4000" required {}
                button type="submit" { (ctx.t("send")) }
            }
        }
    };
    Ok(ctx.page_with(status, &title, body))
}

/// The open window of the round's current state, as an office writes dates.
fn round_window(ctx: &Ctx, round: &RoundRow) -> Option<String> {
    let (opens, closes) = round.windows.shown(round.state)?;
    Some(ctx.t_with("window", &[("opens", opens), ("closes", closes)]))
}

/// `POST /rounds/{round}/units/{unit}/values`, `/submit`, `/comments`: a unit's or appraiser's
/// forms. Each changed value is written with the version it was read at.
pub(crate) async fn unit_action(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    Path((round, unit, action)): Path<(String, String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let account = match ctx.check(&form) {
        Ok(a) => a.clone(),
        Err(e) => return ctx.error(e),
    };
    let mut problems = Vec::new();
    let mut notice = None;
    match action.as_str() {
        "values" => {
            let detail = match unit_data::unit_detail(&app, &account, &round, &unit).await {
                Ok(d) => d,
                Err(e) => return ctx.error(e),
            };
            let (prefix, version_prefix, stage_index) = match account.role {
                Role::Unit => ("v:", "ver:", 0),
                _ => ("a:", "aver:", 1),
            };
            let Ok(round_row) = rounds::load(&app, &round).await else {
                return ctx.error(ApiError::not_found("no such round"));
            };
            let stage = match rounds::plan(&app, &round_row) {
                Ok(plan) => plan
                    .set()
                    .policy
                    .stages
                    .get(stage_index)
                    .cloned()
                    .unwrap_or_default(),
                Err(e) => return ctx.error(e),
            };
            let mut keys: Vec<&String> = form.keys().filter(|k| k.starts_with(prefix)).collect();
            keys.sort();
            for key in keys {
                let leaf = &key[prefix.len()..];
                let value = form[key].trim();
                let stored = detail["values"].as_array().and_then(|vs| {
                    vs.iter()
                        .find(|v| v["leaf"] == leaf && v["stage"] == stage.as_str())
                });
                let current = stored.and_then(|v| v["value"].as_str()).unwrap_or_default();
                if value == current {
                    continue;
                }
                let version = form
                    .get(&format!("{version_prefix}{leaf}"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let reason = form.get(&format!("why:{leaf}")).map(String::as_str);
                if let Err(e) = unit_data::write_value(
                    &app,
                    &account,
                    (&round, &unit, leaf),
                    value,
                    version,
                    reason,
                )
                .await
                {
                    problems.push(format!("{leaf}: {}", ctx.message(&e)));
                    if let Some(detail) = &e.detail {
                        problems.extend(problem_texts(&ctx, detail));
                    }
                }
            }
            if problems.is_empty() {
                notice = Some(ctx.t("saved"));
            }
        }
        "submit" => {
            if let Err(e) = unit_data::submit_unit(&app, &account, &round, &unit).await {
                problems.push(ctx.message(&e));
            }
        }
        "comments" => {
            let field = |k: &str| form.get(k).cloned().unwrap_or_default();
            if let Err(e) = unit_data::add_comment(
                &app,
                &account,
                (&round, &unit, &field("leaf")),
                &field("body"),
            )
            .await
            {
                problems.push(e.message);
            }
        }
        _ => return ctx.error(ApiError::not_found("no such action")),
    }
    if problems.is_empty() && notice.is_none() {
        return see_other(&format!("/rounds/{round}/units/{unit}"));
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    match unit_body(&app, &ctx, &round, &unit, notice, &problems, status).await {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

/// `POST /rounds/{round}/units/{unit}/preview`: the engine's points for the values typed in a
/// unit's form, before they are saved (JSON for the page's script; nothing is stored).
pub(crate) async fn live_preview(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    Path((round, unit)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let computed = async {
        let account = ctx.check(&form)?;
        // The caller must be able to see the unit, as for its page.
        unit_data::unit_detail(&app, account, &round, &unit).await?;
        let round = rounds::load(&app, &round).await?;
        let plan = rounds::plan(&app, &round)?;
        let (prefix, stage) = match account.role {
            Role::Unit => ("v:", 0),
            _ => ("a:", 1),
        };
        let Some(stage) = plan.set().policy.stages.get(stage).cloned() else {
            return Err(ApiError::invalid("this set has no appraisal stage"));
        };
        let typed: Vec<(String, String)> = form
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(prefix)
                    .map(|leaf| (leaf.to_owned(), v.clone()))
            })
            .collect();
        let scored = scoring::preview_with(&app, &round, &unit, &stage, &typed).await?;
        let document = ResultsDocument::from_json(&bundle_results_json(&scored), "preview")
            .map_err(ApiError::internal)?;
        document
            .units
            .into_iter()
            .find(|u| u.unit == unit)
            .ok_or_else(|| ApiError::not_found("no such unit"))
    }
    .await;
    let body = match computed {
        Ok(result) => serde_json::json!({
            "total": ctx.lang.decimal(&result.total),
            "max": ctx.lang.decimal(&result.max),
            "index": result.reported_index.as_deref().or(result.index.as_deref()).map(|i| ctx.lang.decimal(i)),
            "band": result.band,
            "rows": result.nodes.iter().map(|n| (n.code.clone(), serde_json::json!({
                "points": ctx.lang.decimal(&n.points),
                "max": ctx.lang.decimal(&n.max),
                "reason": n.reason,
            }))).collect::<serde_json::Map<_, _>>(),
        }),
        Err(e) => serde_json::json!({
            "problems": e.detail.as_ref()
                .map(|d| problem_texts(&ctx, d))
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| vec![ctx.message(&e)]),
        }),
    };
    axum::Json(body).into_response()
}

/// `GET /assets/preview.js`: the page's only script, which asks for the live preview.
pub(crate) async fn preview_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../assets/preview.js"),
    )
        .into_response()
}

/// `POST /rounds/{round}/units/{unit}/evidence/{leaf}`: a unit attaches a file from its page.
pub(crate) async fn evidence(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    Path((round, unit, leaf)): Path<(String, String, String)>,
    mut multipart: Multipart,
) -> Response {
    let (fields, file) = match multipart_form(&mut multipart, "20 MiB").await {
        Ok(form) => form,
        Err(e) => return ctx.error(e),
    };
    let account = match ctx.check(&fields) {
        Ok(a) => a.clone(),
        Err(e) => return ctx.error(e),
    };
    let Some((name, bytes)) = file else {
        return ctx.error(ApiError::invalid("no file"));
    };
    match unit_data::attach_evidence(&app, &account, (&round, &unit, &leaf), &name, &bytes).await {
        Ok(_) => see_other(&format!("/rounds/{round}/units/{unit}")),
        Err(e) => {
            let problems = [format!("{leaf}: {}", ctx.message(&e))];
            match unit_body(&app, &ctx, &round, &unit, None, &problems, e.status).await {
                Ok(r) => r,
                Err(e) => ctx.error(e),
            }
        }
    }
}

/// `GET /rounds/{round}/results`: the ranking with bands, each unit's explanation, and the
/// report's charts: the office's at any time, everyone's once published.
pub(crate) async fn results_page(
    AppState(app): AppState<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let shown = async {
        let round = rounds::visible(&app, ctx.account.as_ref(), &id).await?;
        let scored = scoring::viewable_results(&app, ctx.account.as_ref(), &round)
            .await?
            .ok_or_else(|| ApiError::not_found("not published"))?;
        let document = ResultsDocument::from_json(&bundle_results_json(&scored), "results")
            .map_err(ApiError::internal)?;
        Ok::<_, ApiError>((round, scored, document))
    }
    .await;
    let (round, scored, document) = match shown {
        Ok(x) => x,
        Err(e) => return ctx.error(e),
    };
    let mut units: Vec<&UnitResult> = document.units.iter().collect();
    units.sort_by_key(|u| (u.rank.is_none(), u.rank, u.unit.clone()));
    let intervals = rank_intervals(&app, &round, scored).await;
    let body = html! {
        p { a class="button" href={ "/api/rounds/" (round.id) "/export/html" } { (ctx.t("download-report")) } }
        table class="ranking" {
            thead { tr {
                th scope="col" class="num" { (ctx.t("rank")) }
                th scope="col" { (ctx.t("unit")) }
                th scope="col" class="num" { (ctx.t("points")) }
                th scope="col" class="num" { (ctx.t("index")) }
                th scope="col" { (ctx.t("band")) }
                @if intervals.is_some() { th scope="col" class="num" { (ctx.t("rank-interval")) } }
            } }
            tbody {
                @for u in &units {
                    tr {
                        td class="num" data-label=(ctx.t("rank")) { (u.rank.map(|r| r.to_string()).unwrap_or_default()) }
                        th scope="row" { (u.unit) " " (u.name.clone().unwrap_or_default()) }
                        td class="num" data-label=(ctx.t("points")) { (ctx.lang.decimal(&u.total)) " / " (ctx.lang.decimal(&u.max)) }
                        td class="num" data-label=(ctx.t("index")) { (u.reported_index.as_deref().or(u.index.as_deref()).map(|i| ctx.lang.decimal(i)).unwrap_or_default()) }
                        td data-label=(ctx.t("band")) { (u.band.clone().unwrap_or_default()) }
                        @if let Some(intervals) = &intervals {
                            td class="num" data-label=(ctx.t("rank-interval")) {
                                (intervals.get(&u.unit).map(|(low, high)| if low == high { low.to_string() } else { format!("{low}–{high}") }).unwrap_or_default())
                            }
                        }
                    }
                }
            }
        }
        @if intervals.is_some() {
            p class="note" { (ctx.t_with("rank-interval-note", &[("replications", INTERVAL_REPLICATIONS.to_string())])) }
        }
        h2 { (ctx.t("explanation")) }
        @for u in &units {
            details {
                summary { (u.unit) " " (u.name.clone().unwrap_or_default()) }
                ul class="explain" {
                    @for n in u.nodes.iter().filter(|n| n.reason.is_some()) {
                        li { span class="code" { (n.code) } " " (ctx.lang.decimal(&n.points)) " / " (ctx.lang.decimal(&n.max)) ": " (n.reason.clone().unwrap_or_default()) }
                    }
                }
            }
        }
    };
    ctx.page(&format!("{} — {}", ctx.t("ranking"), round.title), body)
}

/// Each unit's rank interval, low and high, by unit id.
pub(crate) type Intervals = std::collections::BTreeMap<String, (u32, u32)>;

/// Replications behind the ranking page's rank intervals.
const INTERVAL_REPLICATIONS: usize = 200;
/// Rounds with more units show no intervals: the page would wait for them.
const INTERVAL_MAX_UNITS: usize = 2000;

/// Each unit's 5–95% rank interval under the uncertainty of appraisal (5% of appraised rows
/// one outcome off) and of the areas' weights (±10%): how firm the published order is. `None`
/// for a large round, or when the analysis cannot run.
async fn rank_intervals(
    app: &App,
    round: &RoundRow,
    scored: parindex_io::Scored,
) -> Option<Intervals> {
    let published = round.state == State::Published;
    if published
        && let Some(kept) = app
            .published_intervals
            .lock()
            .ok()
            .and_then(|kept| kept.get(&round.id).cloned())
    {
        return Some(kept);
    }
    if scored.results.units.len() > INTERVAL_MAX_UNITS {
        return None;
    }
    let intervals: Intervals = tokio::task::spawn_blocking(move || {
        let uncertainty = parindex_analysis::Uncertainty {
            appraisal: Some(0.05),
            weights: Some(0.1),
            ..parindex_analysis::Uncertainty::default()
        };
        let settings = parindex_analysis::Settings {
            replications: INTERVAL_REPLICATIONS,
            threads: 2,
            ..parindex_analysis::Settings::default()
        };
        let analysis =
            parindex_analysis::analyse(&scored.results, &uncertainty, &settings, &|_| {}).ok()?;
        Some(
            analysis
                .units
                .iter()
                .filter_map(|u| {
                    let r = u.rank_interval?;
                    Some((
                        u.unit.clone(),
                        (r.low.round() as u32, r.high.round() as u32),
                    ))
                })
                .collect(),
        )
    })
    .await
    .ok()
    .flatten()?;
    if published && let Ok(mut kept) = app.published_intervals.lock() {
        kept.insert(round.id.clone(), intervals.clone());
    }
    Some(intervals)
}

/// Pages' fallback: the API answers JSON, everything else a page that says so.
pub(crate) async fn not_found(ctx: Ctx) -> Response {
    ctx.error(ApiError::not_found("no such page"))
}
