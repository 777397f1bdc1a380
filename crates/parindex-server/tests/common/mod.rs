//! A real server on a real database, and clients that log in to it.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use parindex_server::{Config, Running};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use sqlx::{Connection, Executor};

/// The databases the suite runs on: SQLite always; PostgreSQL too when
/// `PARINDEX_TEST_POSTGRES` gives a server (`postgres://user@host:port`, trusted), on which
/// every test gets a database of its own.
pub fn databases() -> Vec<Option<String>> {
    let mut out = vec![None];
    if let Ok(base) = std::env::var("PARINDEX_TEST_POSTGRES") {
        out.push(Some(base));
    }
    out
}

/// A server for one test, with its data folder.
pub struct Server {
    pub base: String,
    pub admin_password: String,
    pub dir: tempfile::TempDir,
    pub database: &'static str,
    running: Option<Running>,
}

static NEXT_DB: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Server {
    pub async fn start(postgres: Option<String>) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database, kind) = match postgres {
            Some(base) => {
                let name = format!(
                    "parindex_test_{}_{}",
                    std::process::id(),
                    NEXT_DB.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                );
                let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres"))
                    .await
                    .expect("PostgreSQL reachable");
                admin
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create database");
                (Some(format!("{base}/{name}")), "postgres")
            }
            None => (None, "sqlite"),
        };
        let running = parindex_server::start(Config {
            listen: "127.0.0.1:0".parse().expect("address"),
            data_dir: dir.path().to_path_buf(),
            database,
            demo: false,
            secure_cookies: false,
        })
        .await
        .expect("server starts");
        Server {
            base: format!("http://{}", running.address),
            admin_password: running.admin_password.clone().expect("first start"),
            dir,
            database: kind,
            running: Some(running),
        }
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("stops");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client without a session.
    pub fn anonymous(&self) -> User {
        User {
            client: client(),
            csrf: String::new(),
            base: self.base.clone(),
            login: String::new(),
        }
    }

    pub async fn login(&self, login: &str, password: &str) -> User {
        let mut user = self.anonymous();
        let response = user
            .client
            .post(self.url("/api/login"))
            .json(&json!({ "login": login, "password": password }))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), StatusCode::OK, "login {login}");
        let body: Value = response.json().await.expect("json");
        user.csrf = body["csrf"].as_str().expect("csrf").to_owned();
        user.login = login.to_owned();
        user
    }

    pub async fn office(&self) -> User {
        self.login("admin", &self.admin_password).await
    }
}

fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client")
}

/// A logged-in client: it sends the session cookie, and the CSRF header on every change.
pub struct User {
    pub client: Client,
    pub csrf: String,
    pub base: String,
    pub login: String,
}

impl User {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let builder = self
            .client
            .request(method.clone(), format!("{}{path}", self.base));
        if method == Method::GET || self.csrf.is_empty() {
            builder
        } else {
            builder.header("x-csrf-token", &self.csrf)
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path)
            .send()
            .await
            .expect("request")
    }

    pub async fn send(&self, method: Method, path: &str, body: Value) -> Response {
        self.request(method, path)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.send(Method::PUT, path, body).await
    }

    /// Sends and expects `status`; returns the JSON body (null when there is none).
    pub async fn expect(&self, method: Method, path: &str, body: Value, status: u16) -> Value {
        let response = self.send(method.clone(), path, body).await;
        let got = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(got, status, "{} {method} {path}: {text}", self.login);
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn upload(&self, path: &str, name: &str, bytes: Vec<u8>) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        self.request(Method::POST, path)
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }
}

/// The shipped commune set with evidence required for every point claimed.
pub fn evidence_required_set() -> String {
    let (_, text) =
        parindex_core::shipped::text("binh-thuan-police/commune/2024").expect("shipped");
    text.replacen(
        "missing = \"zero-with-warning\"",
        "missing = \"zero-with-warning\"\nevidence = \"required\"",
        1,
    )
}

/// A round of the commune set (evidence required) with units `CAP-A` and `CAP-B`, their
/// accounts, and appraisers `thamdinh-a` (assigned CAP-A) and `thamdinh-x` (none); returns
/// the round's id and the passwords by login.
pub async fn round_with_units(
    server: &Server,
    office: &User,
) -> (String, std::collections::HashMap<String, String>) {
    let round = office
        .expect(
            Method::POST,
            "/api/rounds",
            json!({ "title": "Năm 2024", "set_toml": evidence_required_set(), "set_file": "commune.toml" }),
            201,
        )
        .await;
    let id = round["id"].as_str().expect("id").to_owned();
    office
        .expect(
            Method::POST,
            &format!("/api/rounds/{id}/units"),
            json!({ "units": [
                { "code": "CAP-A", "name": "Công an phường A" },
                { "code": "CAP-B", "name": "Công an xã B" },
            ]}),
            201,
        )
        .await;
    let mut passwords = std::collections::HashMap::new();
    for (login, role, unit) in [
        ("cap-a", "unit", Some("CAP-A")),
        ("cap-b", "unit", Some("CAP-B")),
        ("thamdinh-a", "appraiser", None),
        ("thamdinh-x", "appraiser", None),
    ] {
        let mut body = json!({ "login": login, "role": role, "name": login });
        if let Some(unit) = unit {
            body["round"] = json!(id);
            body["unit"] = json!(unit);
        }
        let created = office
            .expect(Method::POST, "/api/accounts", body, 201)
            .await;
        passwords.insert(
            login.to_owned(),
            created["password"].as_str().expect("password").to_owned(),
        );
    }
    office
        .expect(
            Method::POST,
            &format!("/api/rounds/{id}/assignments"),
            json!({ "account": "thamdinh-a", "units": ["CAP-A"] }),
            204,
        )
        .await;
    let _ = server;
    (id, passwords)
}

/// A small PDF, as evidence.
pub fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
}
