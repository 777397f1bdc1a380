//! The database: SQLite by default, PostgreSQL by URL, one schema and one set of migrations.

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::error::ApiError;

/// The database and how to write to it.
#[derive(Debug)]
pub(crate) struct Db {
    pub(crate) pool: AnyPool,
    /// SQLite has one writer at a time: writes queue here rather than fail as busy.
    sqlite_writer: Option<Mutex<()>>,
}

/// A write transaction; on SQLite it holds the writer's turn until it ends.
pub(crate) struct Write<'a> {
    pub(crate) tx: Transaction<'static, Any>,
    _turn: Option<MutexGuard<'a, ()>>,
}

impl Write<'_> {
    /// Commits every statement of the transaction.
    pub(crate) async fn commit(self) -> Result<(), ApiError> {
        self.tx.commit().await.map_err(ApiError::from)
    }
}

impl Db {
    /// Connects and brings the schema up to date. A SQLite file is written ahead-logged, with
    /// every commit synced before it is acknowledged.
    pub(crate) async fn open(url: &str) -> Result<Db, sqlx::Error> {
        install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 8 } else { 16 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA busy_timeout = 10000",
                            "PRAGMA foreign_keys = ON",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        if sqlite {
            // A file that a crash or a copy damaged is refused before anything is written to it.
            let check: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(&pool)
                .await?;
            if check != "ok" {
                return Err(sqlx::Error::Protocol(format!(
                    "the SQLite file fails its integrity check: {check}"
                )));
            }
        }
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Db {
            pool,
            sqlite_writer: sqlite.then(|| Mutex::new(())),
        })
    }

    /// Begins a write transaction.
    pub(crate) async fn write(&self) -> Result<Write<'_>, ApiError> {
        let turn = match &self.sqlite_writer {
            Some(writer) => Some(writer.lock().await),
            None => None,
        };
        Ok(Write {
            tx: self.pool.begin().await?,
            _turn: turn,
        })
    }
}

/// Microseconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// `bytes` random bytes from the operating system, in hex.
pub(crate) fn random_hex(bytes: usize) -> Result<String, ApiError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(ApiError::internal)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A new id, ordered by time of creation.
pub(crate) fn new_id() -> Result<String, ApiError> {
    Ok(format!("{:016x}{}", now(), random_hex(6)?))
}

/// The SHA-256 of bytes, in hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
