//! Accounts, passwords, sessions and the CSRF check.
//!
//! A session is a random token in an `HttpOnly`, `SameSite=Strict` cookie (`Secure` behind
//! TLS); the database keeps only its SHA-256. Every request that changes something must also
//! carry the session's CSRF token in an `x-csrf-token` header, which another site's page cannot
//! read. Passwords are hashed with Argon2id.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use parindex_core::load::content_hash;
use serde::Serialize;
use sqlx::Row;

use crate::App;
use crate::db::{now, random_hex};
use crate::error::{ApiError, too_many_attempts};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "parindex_session";
/// How long a session lasts: a working day.
const SESSION_SECONDS: i64 = 12 * 3600;
/// Failed logins allowed per login name, and per address, in [`ATTEMPT_WINDOW`].
const MAX_FAILED_LOGINS: usize = 5;
const ATTEMPT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The Home Affairs office: administers rounds and accounts.
    Office,
    /// A unit's focal person: its own self-assessment, while the window is open.
    Unit,
    /// A member of the appraisal council: the units assigned to them.
    Appraiser,
}

impl Role {
    /// The role's name in the API.
    pub fn name(self) -> &'static str {
        match self {
            Role::Office => "office",
            Role::Unit => "unit",
            Role::Appraiser => "appraiser",
        }
    }

    /// The role of a name.
    pub fn parse(name: &str) -> Option<Role> {
        [Role::Office, Role::Unit, Role::Appraiser]
            .into_iter()
            .find(|r| r.name() == name)
    }
}

/// A logged-in account.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    /// Its id.
    #[serde(skip)]
    pub id: String,
    /// The name it logs in with.
    pub login: String,
    /// Its role.
    pub role: Role,
    /// A person's or office's name.
    pub name: String,
    /// The round of a unit account.
    pub round: Option<String>,
    /// The unit of a unit account.
    pub unit: Option<String>,
}

/// The caller of a request that needs a session; state-changing methods also need the CSRF
/// header.
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub(crate) Account);

/// The caller of a request open to the public: a session if there is one.
#[derive(Debug, Clone)]
pub(crate) struct Viewer(pub(crate) Option<Account>);

/// Hashes a password with Argon2id and a random salt.
pub(crate) fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Whether a password matches its stored hash.
fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A password to hand out: 16 letters and digits without look-alikes.
pub(crate) fn new_password() -> Result<String, ApiError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// Failed logins, per login name and per address, forgotten after [`ATTEMPT_WINDOW`].
#[derive(Debug, Default)]
pub(crate) struct LoginAttempts {
    failures: std::sync::Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginAttempts {
    fn keys(login: &str, ip: IpAddr) -> [String; 2] {
        [
            format!("login:{}", login.to_lowercase()),
            format!("ip:{ip}"),
        ]
    }

    /// Whether either key has used up its attempts.
    fn blocked(&self, login: &str, ip: IpAddr) -> bool {
        let Ok(mut failures) = self.failures.lock() else {
            return true;
        };
        Self::keys(login, ip).iter().any(|key| {
            failures.get_mut(key).is_some_and(|times| {
                times.retain(|t| t.elapsed() < ATTEMPT_WINDOW);
                times.len() >= MAX_FAILED_LOGINS
            })
        })
    }

    fn fail(&self, login: &str, ip: IpAddr) {
        if let Ok(mut failures) = self.failures.lock() {
            // Bounded: an attacker cycling names fills at most this many entries.
            if failures.len() > 100_000 {
                failures.retain(|_, times| times.iter().any(|t| t.elapsed() < ATTEMPT_WINDOW));
            }
            for key in Self::keys(login, ip) {
                failures.entry(key).or_default().push(Instant::now());
            }
        }
    }

    fn succeed(&self, login: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&format!("login:{}", login.to_lowercase()));
        }
    }
}

/// A new session: its cookie token and its CSRF token.
pub(crate) struct NewSession {
    pub(crate) token: String,
    pub(crate) csrf: String,
    pub(crate) account: Account,
}

fn account_of(row: &sqlx::any::AnyRow) -> Result<Account, ApiError> {
    let role: String = row.try_get("role")?;
    Ok(Account {
        id: row.try_get("id")?,
        login: row.try_get("login")?,
        role: Role::parse(&role).ok_or_else(|| ApiError::internal("unknown role"))?,
        name: row.try_get("name")?,
        round: row.try_get("round_id")?,
        unit: row.try_get("unit_code")?,
    })
}

/// Checks a login and opens a session.
pub(crate) async fn login(
    app: &App,
    login: &str,
    password: &str,
    ip: IpAddr,
) -> Result<NewSession, ApiError> {
    if app.attempts.blocked(login, ip) {
        return Err(too_many_attempts());
    }
    let row = sqlx::query(
        "SELECT id, login, password_hash, role, name, round_id, unit_code FROM accounts WHERE login = $1",
    )
    .bind(login)
    .fetch_optional(&app.db.pool)
    .await?;
    // An unknown login costs the same hashing as a known one.
    let hash = match &row {
        Some(row) => row.try_get::<String, _>("password_hash")?,
        None => app.decoy_hash.clone(),
    };
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || password_matches(&password, &hash))
        .await
        .map_err(ApiError::internal)?;
    let Some(row) = row.filter(|_| matches) else {
        app.attempts.fail(login, ip);
        return Err(ApiError {
            status: axum::http::StatusCode::UNAUTHORIZED,
            code: "unauthenticated",
            message: "wrong login or password".to_owned(),
            detail: None,
            check: None,
        });
    };
    app.attempts.succeed(login);
    let account = account_of(&row)?;
    let token = random_hex(32)?;
    let csrf = random_hex(16)?;
    let mut write = app.db.write().await?;
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now())
        .execute(&mut *write.tx)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, csrf, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(content_hash(&token))
    .bind(&account.id)
    .bind(&csrf)
    .bind(now() + SESSION_SECONDS * 1_000_000)
    .execute(&mut *write.tx)
    .await?;
    write.commit().await?;
    Ok(NewSession {
        token,
        csrf,
        account,
    })
}

/// Ends the session of a request's cookie.
pub(crate) async fn logout(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    if let Some(token) = session_token(headers) {
        let mut write = app.db.write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(content_hash(&token))
            .execute(&mut *write.tx)
            .await?;
        write.commit().await?;
    }
    Ok(())
}

/// Changes an account's password, given its current one; every other session of the account
/// ends, so that a stolen session does not outlive the change.
pub(crate) async fn change_password(
    app: &App,
    account: &Account,
    headers: &HeaderMap,
    current: &str,
    new: &str,
) -> Result<(), ApiError> {
    if new.chars().count() < 12 {
        return Err(ApiError::invalid("a password has at least 12 characters")
            .with_check("check-password-short", Vec::new()));
    }
    let hash: String = sqlx::query("SELECT password_hash FROM accounts WHERE id = $1")
        .bind(&account.id)
        .fetch_one(&app.db.pool)
        .await?
        .try_get("password_hash")?;
    let (current, new) = (current.to_owned(), new.to_owned());
    let new_hash = tokio::task::spawn_blocking(move || {
        password_matches(&current, &hash).then(|| hash_password(&new))
    })
    .await
    .map_err(ApiError::internal)?
    .ok_or_else(|| {
        ApiError::forbidden("the current password is wrong")
            .with_check("check-password-wrong", Vec::new())
    })??;
    let keep = session_token(headers)
        .map(|t| content_hash(&t))
        .unwrap_or_default();
    let mut write = app.db.write().await?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(new_hash)
        .bind(&account.id)
        .execute(&mut *write.tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
        .bind(&account.id)
        .bind(keep)
        .execute(&mut *write.tx)
        .await?;
    crate::audit::record(
        &mut write,
        crate::audit::Change {
            round: None,
            actor: &account.login,
            action: "change-password",
            target: account.login.clone(),
            old: None,
            new: None,
            reason: None,
        },
    )
    .await?;
    write.commit().await
}

/// The `Set-Cookie` value of a session; `secure` behind TLS.
pub(crate) fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that ends a session.
pub(crate) fn cleared_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// Whether the request reached the server over TLS, directly or through a proxy that says so.
pub(crate) fn over_tls(app: &App, headers: &HeaderMap) -> bool {
    app.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE).filter(|token| !token.is_empty())
}

/// The value of a request's cookie.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (n, value) = pair.trim().split_once('=')?;
            (n == name).then(|| value.to_owned())
        })
}

/// The account and CSRF token of a request's session, if it is valid.
pub(crate) async fn session(
    app: &App,
    headers: &HeaderMap,
) -> Result<Option<(Account, String)>, ApiError> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT a.id, a.login, a.role, a.name, a.round_id, a.unit_code, s.csrf FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(content_hash(&token))
    .bind(now())
    .fetch_optional(&app.db.pool)
    .await?;
    match row {
        Some(row) => Ok(Some((account_of(&row)?, row.try_get("csrf")?))),
        None => Ok(None),
    }
}

/// Whether a method can change something, and so needs the CSRF header.
fn changes(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        let (account, csrf) = session(app, &parts.headers)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        if changes(&parts.method) {
            let given = parts
                .headers
                .get("x-csrf-token")
                .map(|v| v.as_bytes())
                .unwrap_or_default();
            if !constant_time_eq(given, csrf.as_bytes()) {
                return Err(ApiError::csrf());
            }
        }
        Ok(Caller(account))
    }
}

impl FromRequestParts<Arc<App>> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        Ok(Viewer(session(app, &parts.headers).await?.map(|(a, _)| a)))
    }
}

/// Compares two secrets in time that does not depend on where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The CSRF token of a request's session, for `GET /api/session`.
pub(crate) async fn csrf_of(app: &App, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    Ok(session(app, headers).await?.map(|(_, csrf)| csrf))
}
