//! `parindex serve`: the round server.

use std::net::SocketAddr;
use std::path::PathBuf;

use parindex_server::Config;

use crate::output::{Failure, Outcome};

/// Where and how the server runs.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on (port 0 picks a free port). Serve other machines through a TLS
    /// reverse proxy, not directly (docs/server.md).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Where the SQLite database and the evidence files are kept.
    #[arg(long, default_value = "parindex-data")]
    data: PathBuf,
    /// A PostgreSQL database instead of SQLite: postgres://user:password@host/database
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Open a demo round with the sample units already in it.
    #[arg(long)]
    demo: bool,
    /// Mark session cookies Secure on every response, for a server reached only over HTTPS.
    #[arg(long)]
    secure_cookies: bool,
}

/// Starts the server and serves until interrupted.
pub(crate) fn serve(args: &ServeArgs) -> Outcome {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::invalid(format!("error: cannot start: {e}")))?;
    runtime.block_on(async {
        let config = Config {
            listen: args.listen,
            data_dir: args.data.clone(),
            database: args.database.clone(),
            demo: args.demo,
            secure_cookies: args.secure_cookies,
        };
        let running = parindex_server::start(config)
            .await
            .map_err(|e| Failure::invalid(format!("error: {e}")))?;
        println!("parindex serves http://{}", running.address);
        match &running.admin_password {
            Some(password) => println!(
                "office account: admin, password {password} (shown once: keep it safe)"
            ),
            None => println!("office account: admin (created on first start)"),
        }
        if let Some(round) = &running.demo_round {
            println!("demo round: {round}");
        }
        for (login, role, password) in &running.demo_accounts {
            println!("demo account: {login} ({role}), password {password}");
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        tokio::select! {
            served = running_wait(running) => served.map_err(|e| Failure::invalid(format!("error: {e}"))),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })
}

async fn running_wait(running: parindex_server::Running) -> std::io::Result<()> {
    running.wait().await
}
