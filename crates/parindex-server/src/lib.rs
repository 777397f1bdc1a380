//! # parindex-server
//!
//! The round server behind `parindex serve`: the Home Affairs office's annual round online.
//! Units self-assess each criterion with evidence and submit; the appraisal council reviews
//! with comments and reasons; units respond; the office finalises, ranks and publishes a
//! bundle anyone can verify. The API is JSON over HTTP (`openapi.json`); the data lives in
//! SQLite (`./parindex-data/` by default) or PostgreSQL.
//!
//! The server is one more door of the round: the values it stores are read, validated and
//! scored by `parindex-io`'s reader and round, exactly as a file would be. It holds no scoring,
//! layout or validation logic of its own.

mod audit;
mod auth;
mod db;
mod error;
mod i18n;
mod pages;
mod rounds;
mod scoring;
mod unit_data;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use auth::{Account, Role, SESSION_COOKIE};
pub use error::{ApiError, ApiResult};
pub use unit_data::{MAX_EVIDENCE_BYTES, MAX_UPLOAD_BYTES};

/// The OpenAPI document of the API, as served at `/api/openapi.json`.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// How a server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Where the SQLite database (unless `database` is given) and evidence files are kept.
    pub data_dir: PathBuf,
    /// A `postgres://…` or `sqlite://…` URL, instead of `data_dir`'s SQLite file.
    pub database: Option<String>,
    /// Open a demo round with the sample units already in it.
    pub demo: bool,
    /// Mark session cookies `Secure` on every response, for a server reached only over TLS
    /// (a proxy that sends `X-Forwarded-Proto: https` gets them anyway).
    pub secure_cookies: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("parindex-data"),
            database: None,
            demo: false,
            secure_cookies: false,
        }
    }
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The data folder or the listening address.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The database.
    #[error("database: {0}")]
    Database(String),
    /// The demo round.
    #[error("demo round: {0}")]
    Demo(String),
}

/// The state every request shares.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) config: Config,
    pub(crate) db: db::Db,
    pub(crate) attempts: auth::LoginAttempts,
    /// A hash checked against when a login is unknown, so that it takes as long as a known one.
    pub(crate) decoy_hash: String,
    /// Each round's compiled plan, by round id.
    pub(crate) plans: Mutex<HashMap<String, Arc<parindex_core::Plan>>>,
    /// Each published round's rank intervals, computed once: a published round never changes,
    /// and the public page must not cost a simulation per visit.
    pub(crate) published_intervals: Mutex<HashMap<String, pages::Intervals>>,
}

/// A running server.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on.
    pub address: SocketAddr,
    /// The office's `admin` password, when this start created the account.
    pub admin_password: Option<String>,
    /// The id of the demo round, when one was opened.
    pub demo_round: Option<String>,
    /// The demo's accounts made by this start: login, role and password.
    pub demo_accounts: Vec<(String, String, String)>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting requests, finishes those under way, and returns.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.stop.send(());
        self.task.await.map_err(std::io::Error::other)?
    }

    /// Serves until the process is interrupted.
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// Opens the database, creates the `admin` account on first start, and listens.
pub async fn start(config: Config) -> Result<Running, ServerError> {
    let url = match &config.database {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&config.data_dir)?;
            format!(
                "sqlite://{}?mode=rwc",
                config.data_dir.join("parindex.db").display()
            )
        }
    };
    std::fs::create_dir_all(config.data_dir.join("evidence"))?;
    let db = db::Db::open(&url)
        .await
        .map_err(|e| ServerError::Database(e.to_string()))?;
    let decoy_hash = auth::hash_password("decoy").map_err(|e| ServerError::Database(e.message))?;
    let app = Arc::new(App {
        config: config.clone(),
        db,
        attempts: auth::LoginAttempts::default(),
        decoy_hash,
        plans: Mutex::new(HashMap::new()),
        published_intervals: Mutex::new(HashMap::new()),
    });
    let admin_password = rounds::first_admin(&app)
        .await
        .map_err(|e| ServerError::Database(e.message))?;
    let (demo_round, demo_accounts) = if config.demo {
        let (round, accounts) = rounds::demo_round(&app)
            .await
            .map_err(|e| ServerError::Demo(e.message))?;
        (Some(round), accounts)
    } else {
        (None, Vec::new())
    };
    let listener = TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(Running {
        address,
        admin_password,
        demo_round,
        demo_accounts,
        stop,
        task,
    })
}

/// Every route of the API.
fn router(app: Arc<App>) -> Router {
    let rounds = "/api/rounds/{round}";
    let unit = "/api/rounds/{round}/units/{unit}";
    Router::new()
        .route("/api/openapi.json", get(rounds::openapi))
        .route("/api/login", post(rounds::login))
        .route("/api/logout", post(rounds::logout))
        .route("/api/session", get(rounds::session))
        .route("/api/password", post(rounds::change_password))
        .route("/api/accounts", post(rounds::create_account))
        .route("/api/sets", get(rounds::sets))
        .route(
            "/api/rounds",
            get(rounds::list)
                .post(rounds::create)
                .layer(DefaultBodyLimit::max(rounds::MAX_SET_BYTES + 64 * 1024)),
        )
        .route(rounds, get(rounds::show))
        .route(&format!("{rounds}/windows"), put(rounds::set_windows))
        .route(&format!("{rounds}/state"), post(rounds::advance))
        .route(
            &format!("{rounds}/units"),
            get(rounds::units).post(rounds::add_units),
        )
        .route(&format!("{rounds}/assignments"), post(rounds::assign))
        .route(&format!("{rounds}/results"), get(scoring::results))
        .route(&format!("{rounds}/export/{{format}}"), get(scoring::export))
        .route(&format!("{rounds}/publish"), post(scoring::publish))
        .route(&format!("{rounds}/bundle"), get(scoring::bundle))
        .route(&format!("{rounds}/audit"), get(audit::export))
        .route(unit, get(unit_data::show))
        .route(
            &format!("{unit}/values/{{leaf}}"),
            put(unit_data::set_value),
        )
        .route(
            &format!("{unit}/evidence/{{leaf}}"),
            post(unit_data::add_evidence)
                .layer(DefaultBodyLimit::max(MAX_EVIDENCE_BYTES + 64 * 1024)),
        )
        .route(
            &format!("{unit}/evidence/{{leaf}}/{{sha256}}"),
            get(unit_data::evidence_file),
        )
        .route(&format!("{unit}/comments"), post(unit_data::comment))
        .route(&format!("{unit}/submit"), post(unit_data::submit))
        .route(
            &format!("{unit}/upload"),
            post(unit_data::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .route("/", get(pages::home))
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/logout", post(pages::logout))
        .route(
            "/password",
            get(pages::password_page).post(pages::change_password),
        )
        .route(
            "/rounds",
            post(pages::create_round)
                .layer(DefaultBodyLimit::max(rounds::MAX_SET_BYTES + 64 * 1024)),
        )
        .route("/rounds/{round}", get(pages::round_page))
        .route("/rounds/{round}/results", get(pages::results_page))
        .route(
            "/rounds/{round}/units/import",
            post(pages::import_units).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .route("/rounds/{round}/{action}", post(pages::round_action))
        .route("/rounds/{round}/units/{unit}", get(pages::unit_page))
        .route(
            "/rounds/{round}/units/{unit}/evidence/{leaf}",
            post(pages::evidence).layer(DefaultBodyLimit::max(MAX_EVIDENCE_BYTES + 64 * 1024)),
        )
        .route(
            "/rounds/{round}/units/{unit}/preview",
            post(pages::live_preview),
        )
        .route("/assets/preview.js", get(pages::preview_script))
        .route(
            "/rounds/{round}/units/{unit}/{action}",
            post(pages::unit_action),
        )
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .with_state(app)
}
