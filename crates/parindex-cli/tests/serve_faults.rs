//! `parindex serve` killed with SIGKILL in the middle of a burst of writes: after a restart,
//! every write it acknowledged is there, and the database passes its integrity check (the
//! server checks it at every start, and refuses a damaged file).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

/// A server process and the first lines it printed.
fn serve(data: &std::path::Path) -> (Child, String, Option<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_parindex"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("text");
    let address = first
        .strip_prefix("parindex serves ")
        .expect("the address")
        .to_owned();
    let second = lines.next().expect("a line").expect("text");
    let password = second
        .split("password ")
        .nth(1)
        .map(|rest| rest.split(' ').next().unwrap_or_default().to_owned());
    (child, address, password)
}

struct Session {
    client: reqwest::blocking::Client,
    base: String,
    csrf: String,
}

impl Session {
    fn login(base: &str, login: &str, password: &str) -> Session {
        let client = reqwest::blocking::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let body: Value = client
            .post(format!("{base}/api/login"))
            .json(&json!({ "login": login, "password": password }))
            .send()
            .expect("login")
            .json()
            .expect("json");
        Session {
            client,
            base: base.to_owned(),
            csrf: body["csrf"].as_str().expect("csrf").to_owned(),
        }
    }

    fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> reqwest::Result<reqwest::blocking::Response> {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
    }

    fn get(&self, path: &str) -> Value {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .expect("get")
            .json()
            .expect("json")
    }
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let (mut server, base, password) = serve(&data);
    let password = password.expect("first start prints the password");
    let office = Session::login(&base, "admin", &password);
    let round: Value = office
        .send(
            reqwest::Method::POST,
            "/api/rounds",
            json!({ "title": "t", "set": "binh-thuan-police/division/2024" }),
        )
        .expect("round")
        .json()
        .expect("json");
    let round = round["id"].as_str().expect("id").to_owned();
    let post = |path: &str, body: Value| {
        let response = office
            .send(reqwest::Method::POST, path, body)
            .expect("request");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json::<Value>().unwrap_or(Value::Null)
    };
    post(
        &format!("/api/rounds/{round}/units"),
        json!({ "units": [{ "code": "PX01", "name": "Phòng 1" }] }),
    );
    let unit = post(
        "/api/accounts",
        json!({ "login": "px01", "role": "unit", "name": "PX01", "round": round, "unit": "PX01" }),
    );
    post(
        &format!("/api/rounds/{round}/state"),
        json!({ "to": "open" }),
    );
    let unit_password = unit["password"].as_str().expect("password").to_owned();
    let unit = Session::login(&base, "px01", &unit_password);

    // Writes of one row, version after version, from four threads: each write that got its
    // 200 is recorded, until the server is killed under them.
    let acknowledged = Arc::new(Mutex::new(Vec::<(i64, String)>::new()));
    let unit = Arc::new(unit);
    let path = format!("/api/rounds/{round}/units/PX01/values/1.1.1");
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (unit, acknowledged, path) = (unit.clone(), acknowledged.clone(), path.clone());
            std::thread::spawn(move || {
                for i in 0..10_000 {
                    let version = acknowledged
                        .lock()
                        .map(|a| a.last().map_or(0, |(v, _)| *v))
                        .unwrap_or(0);
                    let value = if (w + i) % 2 == 0 { "có" } else { "không" };
                    match unit.send(
                        reqwest::Method::PUT,
                        &path,
                        json!({ "value": value, "version": version }),
                    ) {
                        Ok(r) if r.status() == 200 => {
                            let body: Value = r.json().unwrap_or(Value::Null);
                            if let (Some(v), Some(text)) =
                                (body["version"].as_i64(), body["value"].as_str())
                            {
                                if let Ok(mut a) = acknowledged.lock() {
                                    a.push((v, text.to_owned()));
                                    a.sort();
                                }
                            }
                        }
                        Ok(_) => {}
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    while acknowledged.lock().map(|a| a.len()).unwrap_or(0) < 50 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    server.kill().expect("SIGKILL");
    server.wait().expect("killed");
    for writer in writers {
        writer.join().expect("writer");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    let (last_version, last_value) = acknowledged.last().cloned().expect("writes");

    let (mut server, base, again) = serve(&data);
    assert!(again.is_none(), "the restart keeps the accounts");
    let office = Session::login(&base, "admin", &password);
    let stored = office.get(&format!("/api/rounds/{round}/units/PX01"));
    let row = stored["values"]
        .as_array()
        .and_then(|values| values.iter().find(|v| v["leaf"] == "1.1.1"))
        .cloned()
        .expect("the row");
    // Every acknowledged version is at most the stored one, and the last acknowledged write
    // is there with its value (a write may have landed unacknowledged after it).
    let stored_version = row["version"].as_i64().expect("version");
    assert!(
        stored_version >= last_version,
        "{row} after {acknowledged:?}"
    );
    if stored_version == last_version {
        assert_eq!(row["value"], json!(last_value));
    }
    let audit = office.get(&format!("/api/rounds/{round}/audit"));
    let writes = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "set-value")
        .count() as i64;
    assert_eq!(writes, stored_version, "one audit entry per stored version");
    eprintln!(
        "{} writes acknowledged before SIGKILL; version {stored_version} stored",
        acknowledged.len()
    );
    server.kill().expect("stop");
    let _ = server.wait();
}
