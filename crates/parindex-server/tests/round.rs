//! The round server over real HTTP, on SQLite and (when given) PostgreSQL: the whole round,
//! the same results as the command line, who may do what, and attacks on sessions, uploads
//! and concurrent edits.

mod common;

use std::time::Instant;

use common::{Server, User, pdf, round_with_units};
use futures::future::join_all;
use parindex_io::{Bundle, BundleFile, bundle_results_json, score_files};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

macro_rules! on_every_database {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_every_database() {
                for database in super::common::databases() {
                    let server = super::common::Server::start(database).await;
                    eprintln!("{}: {}", stringify!($name), server.database);
                    super::$name(&server).await;
                    server.stop().await;
                }
            }
        }
    )*};
}

on_every_database!(
    whole_round,
    permissions,
    sessions_and_logins,
    hostile_uploads_and_text,
    concurrent_appraisals,
    many_units_submit_at_once,
    template_upload_and_exports,
    area_assignments,
    pages_refuse_what_the_api_refuses,
    password_change,
    direct_points_show_their_range,
    refusals_name_their_reason,
);

async fn advance(office: &User, round: &str, to: &str) {
    office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/state"),
            json!({ "to": to }),
            200,
        )
        .await;
}

fn unit_path(round: &str, unit: &str) -> String {
    format!("/api/rounds/{round}/units/{unit}")
}

/// From creation to publication: two units fill in and submit (one refused until its evidence
/// is attached), an appraiser changes a row with a reason, a unit responds, the office
/// publishes; the published results are those the command line gives for the same values,
/// and the bundle verifies.
async fn whole_round(server: &Server) {
    let office = server.office().await;
    let (round, passwords) = round_with_units(server, &office).await;
    let a = server.login("cap-a", &passwords["cap-a"]).await;
    let b = server.login("cap-b", &passwords["cap-b"]).await;
    let a_path = unit_path(&round, "CAP-A");
    let b_path = unit_path(&round, "CAP-B");

    // Before the round opens, units cannot write.
    a.expect(
        Method::PUT,
        &format!("{a_path}/values/1.1.4"),
        json!({ "value": "7/9", "version": 0 }),
        409,
    )
    .await;
    advance(&office, &round, "open").await;

    let refused = a
        .expect(
            Method::PUT,
            &format!("{a_path}/values/1.1.4"),
            json!({ "value": "bảy", "version": 0 }),
            422,
        )
        .await;
    assert!(
        refused["detail"]["problems"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("1.1.4")),
        "{refused}"
    );
    // The reader's check code: 1.1.4 takes a percentage or a ratio.
    assert_eq!(refused["detail"]["problems"][0]["check"], "value-percent");
    let written = a
        .expect(
            Method::PUT,
            &format!("{a_path}/values/1.1.4"),
            json!({ "value": "7/9", "version": 0 }),
            200,
        )
        .await;
    assert_eq!(written["version"], 1);
    // Written decomposed, stored composed: the cell grammar's NFC.
    let decomposed = "co\u{301}";
    let written = a
        .expect(
            Method::PUT,
            &format!("{a_path}/values/1.1.2"),
            json!({ "value": decomposed, "version": 0 }),
            200,
        )
        .await;
    assert_eq!(written["value"], "có");
    for leaf in ["1.1.4", "1.1.2"] {
        let response = a
            .upload(
                &format!("{a_path}/evidence/{leaf}"),
                "biên bản.pdf",
                pdf(leaf),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    a.expect(Method::POST, &format!("{a_path}/submit"), json!({}), 200)
        .await;
    // Submitted: read-only.
    a.expect(
        Method::PUT,
        &format!("{a_path}/values/1.1.4"),
        json!({ "value": "8/9", "version": 1 }),
        409,
    )
    .await;

    b.expect(
        Method::PUT,
        &format!("{b_path}/values/1.1.4"),
        json!({ "value": "9/9", "version": 0 }),
        200,
    )
    .await;
    let missing = b
        .expect(Method::POST, &format!("{b_path}/submit"), json!({}), 422)
        .await;
    assert_eq!(
        missing["detail"]["without_evidence"],
        json!(["1.1.4"]),
        "{missing}"
    );
    assert_eq!(missing["check"], "missing-evidence");
    let response = b
        .upload(
            &format!("{b_path}/evidence/1.1.4"),
            "quyet-dinh.pdf",
            pdf("B"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    b.expect(Method::POST, &format!("{b_path}/submit"), json!({}), 200)
        .await;

    advance(&office, &round, "appraisal").await;
    let appraiser = server.login("thamdinh-a", &passwords["thamdinh-a"]).await;
    let changed = json!({ "value": "6/9", "version": 0 });
    let refused = appraiser
        .expect(
            Method::PUT,
            &format!("{a_path}/values/1.1.4"),
            changed.clone(),
            422,
        )
        .await;
    // A refusal people commonly meet carries its stable check code.
    assert_eq!(refused["check"], "check-reason-needed");
    let mut with_reason = changed;
    with_reason["reason"] = json!("Biên bản chỉ chứng minh 6 trên 9 nhiệm vụ");
    appraiser
        .expect(
            Method::PUT,
            &format!("{a_path}/values/1.1.4"),
            with_reason.clone(),
            200,
        )
        .await;
    // Not assigned to CAP-B: as if it were not there.
    appraiser
        .expect(
            Method::PUT,
            &format!("{b_path}/values/1.1.4"),
            with_reason,
            404,
        )
        .await;

    advance(&office, &round, "responses").await;
    a.expect(
        Method::POST,
        &format!("{a_path}/comments"),
        json!({ "leaf": "1.1.4", "body": "Đơn vị đề nghị xem xét lại: đã gửi bổ sung biên bản." }),
        201,
    )
    .await;
    advance(&office, &round, "final").await;
    let published = office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/publish"),
            json!({}),
            200,
        )
        .await;
    assert_eq!(published["round"], json!(round));

    // The public sees the published results without logging in.
    let public = server.anonymous();
    let results: Value = public
        .get(&format!("/api/rounds/{round}/results"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(results["units"].as_array().map(Vec::len), Some(2));

    // The bundle verifies, and its results are those of the same values read from a CSV file.
    let text = public
        .get(&format!("/api/rounds/{round}/bundle"))
        .await
        .text()
        .await
        .expect("bundle");
    let bundle = Bundle::from_json(&text, "bundle.json").expect("a bundle");
    assert_eq!(bundle.verify().expect("verifies"), 2);
    let csv = "unit,name,stage,code,value,evidence\n\
               CAP-A,Công an phường A,self,1.1.2,có,yes\n\
               CAP-A,,self,1.1.4,7/9,yes\n\
               CAP-A,,appraisal,1.1.4,6/9,\n\
               CAP-B,Công an xã B,self,1.1.4,9/9,yes\n";
    let file_door = score_files(
        &bundle.set.file,
        &bundle.set.text,
        &[BundleFile {
            file: "units.csv".to_owned(),
            text: csv.to_owned(),
        }],
    )
    .expect("scores");
    assert_eq!(bundle_results_json(&file_door), bundle.results);
    let served = public
        .get(&format!("/api/rounds/{round}/results"))
        .await
        .text()
        .await
        .expect("results");
    assert_eq!(served, bundle.results);

    // The audit log holds the appraisal's change with its reason.
    let audit = office
        .get(&format!("/api/rounds/{round}/audit?format=csv"))
        .await
        .text()
        .await
        .expect("audit");
    assert!(
        audit.lines().any(|l| l.contains("thamdinh-a,set-value,CAP-A 1.1.4 (appraisal),,6/9,Biên bản chỉ chứng minh 6 trên 9 nhiệm vụ")),
        "{audit}"
    );
    // A published round is frozen.
    office
        .expect(
            Method::PUT,
            &format!("/api/rounds/{round}/windows"),
            json!({}),
            409,
        )
        .await;
}

/// Every role against every endpoint, in an open round: allowed (any answer but 401, 403 and
/// 404) or denied. A unit cannot reach another unit by changing the id in the URL, and a
/// request without the CSRF header changes nothing.
async fn permissions(server: &Server) {
    let office = server.office().await;
    let (round, passwords) = round_with_units(server, &office).await;
    advance(&office, &round, "open").await;
    let unit_a = server.login("cap-a", &passwords["cap-a"]).await;
    let a = unit_path(&round, "CAP-A");
    unit_a
        .expect(
            Method::PUT,
            &format!("{a}/values/1.1.2"),
            json!({ "value": "có", "version": 0 }),
            200,
        )
        .await;
    let evidence = unit_a
        .upload(&format!("{a}/evidence/1.1.2"), "a.pdf", pdf("a"))
        .await;
    let sha = evidence.json::<Value>().await.expect("json")["sha256"]
        .as_str()
        .expect("sha")
        .to_owned();

    let mut office_without_csrf = server.office().await;
    office_without_csrf.csrf = "0".repeat(32);
    let callers: Vec<(&str, User)> = vec![
        ("anonymous", server.anonymous()),
        ("office", office),
        ("unit A", unit_a),
        ("unit B", server.login("cap-b", &passwords["cap-b"]).await),
        (
            "appraiser of A",
            server.login("thamdinh-a", &passwords["thamdinh-a"]).await,
        ),
        (
            "other appraiser",
            server.login("thamdinh-x", &passwords["thamdinh-x"]).await,
        ),
        ("office, no CSRF", office_without_csrf),
    ];
    // Who is allowed, in the order of `callers`.
    const OFFICE: [bool; 7] = [false, true, false, false, false, false, false];
    const OFFICE_READ: [bool; 7] = [false, true, false, false, false, false, true];
    const IN_ROUND: [bool; 7] = [false, true, true, true, true, false, true];
    const UNIT_A: [bool; 7] = [false, false, true, false, false, false, false];
    const SEES_A: [bool; 7] = [false, true, true, false, true, false, true];
    const REACHES_A: [bool; 7] = [false, true, true, false, true, false, false];
    const NOBODY: [bool; 7] = [false; 7];
    const EVERYONE: [bool; 7] = [true; 7];
    let r = format!("/api/rounds/{round}");
    let matrix: Vec<(Method, String, Value, [bool; 7])> = vec![
        (
            Method::GET,
            "/api/openapi.json".into(),
            Value::Null,
            EVERYONE,
        ),
        (
            Method::GET,
            "/api/session".into(),
            Value::Null,
            [false, true, true, true, true, true, true],
        ),
        (
            Method::POST,
            "/api/accounts".into(),
            json!({ "login": "x", "role": "office", "name": "x", "password": "a long enough password" }),
            OFFICE,
        ),
        (Method::GET, "/api/sets".into(), Value::Null, OFFICE_READ),
        (
            Method::POST,
            "/api/rounds".into(),
            json!({ "title": "t", "set": "binh-thuan-police/commune/2024" }),
            OFFICE,
        ),
        (Method::GET, r.clone(), Value::Null, IN_ROUND),
        (Method::PUT, format!("{r}/windows"), json!({}), OFFICE),
        (
            Method::POST,
            format!("{r}/state"),
            json!({ "to": "final" }),
            OFFICE,
        ),
        (Method::GET, format!("{r}/units"), Value::Null, IN_ROUND),
        (
            Method::POST,
            format!("{r}/units"),
            json!({ "units": [] }),
            OFFICE,
        ),
        (
            Method::POST,
            format!("{r}/assignments"),
            json!({ "account": "thamdinh-x", "units": [] }),
            OFFICE,
        ),
        (Method::GET, format!("{r}/results"), Value::Null, IN_ROUND),
        (
            Method::GET,
            format!("{r}/export/json"),
            Value::Null,
            OFFICE_READ,
        ),
        (Method::POST, format!("{r}/publish"), json!({}), OFFICE),
        (Method::GET, format!("{r}/bundle"), Value::Null, NOBODY),
        (Method::GET, format!("{r}/audit"), Value::Null, OFFICE_READ),
        (Method::GET, a.clone(), Value::Null, SEES_A),
        (
            Method::GET,
            format!("{a}/evidence/1.1.2/{sha}"),
            Value::Null,
            SEES_A,
        ),
        (
            Method::PUT,
            format!("{a}/values/1.1.4"),
            json!({ "value": "", "version": 0 }),
            [false, false, true, false, true, false, false],
        ),
        (
            Method::POST,
            format!("{a}/comments"),
            json!({ "leaf": "1.1.4", "body": "?" }),
            REACHES_A,
        ),
        (
            Method::POST,
            format!("{a}/evidence/1.1.4"),
            Value::Null,
            UNIT_A,
        ),
        (Method::POST, format!("{a}/upload"), Value::Null, UNIT_A),
        (Method::POST, format!("{a}/submit"), json!({}), UNIT_A),
    ];
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (method, path, body, allowed) in &matrix {
        for ((who, user), allowed) in callers.iter().zip(allowed) {
            let response = if path.ends_with("/evidence/1.1.4") {
                user.upload(path, "b.pdf", pdf(who)).await
            } else if path.ends_with("/upload") {
                let csv = "unit,1.1.2\nCAP-A,có\n";
                user.upload(path, "tu-danh-gia.csv", csv.as_bytes().to_vec())
                    .await
            } else if *method == Method::GET {
                user.get(path).await
            } else {
                user.send(method.clone(), path, body.clone()).await
            };
            let status = response.status().as_u16();
            let denied = matches!(status, 401 | 403 | 404);
            if denied == *allowed {
                wrong.push(format!("{who}: {method} {path} → {status}"));
            }
            checked += 1;
        }
    }
    eprintln!(
        "permission matrix: {} endpoints × {} callers = {checked} checks",
        matrix.len(),
        callers.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // Changing the unit in the body does not help either: a unit's upload holds only itself.
    let unit_b = &callers[3].1;
    let response = unit_b
        .upload(
            &format!("{}/upload", unit_path(&round, "CAP-B")),
            "x.csv",
            "unit,1.1.4\nCAP-A,1/9\n".as_bytes().to_vec(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let office = &callers[1].1;
    let audit: Value = office
        .get(&format!("{r}/audit"))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        !audit["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["actor"] == "cap-b"),
        "{audit}"
    );
}

/// Logins are rate-limited; session cookies are HttpOnly and SameSite=Strict, Secure behind
/// TLS; a logged-out session is dead on the server, not only in the browser.
async fn sessions_and_logins(server: &Server) {
    let client = reqwest::Client::new();
    let login = |password: &str, proto: Option<&str>| {
        let mut request = client
            .post(server.url("/api/login"))
            .json(&json!({ "login": "admin", "password": password }));
        if let Some(proto) = proto {
            request = request.header("x-forwarded-proto", proto);
        }
        request.send()
    };
    let response = login(&server.admin_password, None).await.expect("login");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
    let token = cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, token)| token.to_owned())
        .expect("token");
    let body: Value = response.json().await.expect("json");
    let csrf = body["csrf"].as_str().expect("csrf").to_owned();
    let secure = login(&server.admin_password, Some("https"))
        .await
        .expect("login");
    assert!(
        secure.headers()["set-cookie"]
            .to_str()
            .expect("cookie")
            .contains("; Secure")
    );

    let with_token = |method: Method, path: &str| {
        client
            .request(method, server.url(path))
            .header("cookie", format!("parindex_session={token}"))
            .header("x-csrf-token", &csrf)
    };
    let status = |method: Method, path: &'static str| {
        let request = with_token(method, path);
        async move { request.send().await.expect("request").status().as_u16() }
    };
    assert_eq!(status(Method::GET, "/api/session").await, 200);
    assert_eq!(status(Method::POST, "/api/logout").await, 204);
    assert_eq!(status(Method::GET, "/api/session").await, 401);
    // A made-up token is no session.
    let forged = client
        .get(server.url("/api/session"))
        .header("cookie", format!("parindex_session={}", "a".repeat(64)))
        .send()
        .await
        .expect("s");
    assert_eq!(forged.status(), 401);

    for _ in 0..5 {
        assert_eq!(
            login("wrong password", None).await.expect("login").status(),
            401
        );
    }
    // The sixth attempt is refused even with the right password.
    let blocked = login(&server.admin_password, None).await.expect("login");
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers().contains_key("retry-after"));
}

/// Adds a unit whose name is a script, to see that every page and report shows it as text.
async fn add_unit_named_with_a_script(office: &User, round: &str) {
    office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/units"),
            json!({ "units": [{ "code": "CAP-X", "name": "<script>alert(1)</script>" }] }),
            201,
        )
        .await;
}

/// Hostile file names, oversized and disguised uploads, and markup in names and comments.
async fn hostile_uploads_and_text(server: &Server) {
    let office = server.office().await;
    let (round, passwords) = round_with_units(server, &office).await;
    add_unit_named_with_a_script(&office, &round).await;
    advance(&office, &round, "open").await;
    let a = server.login("cap-a", &passwords["cap-a"]).await;
    let path = unit_path(&round, "CAP-A");

    let response = a
        .upload(
            &format!("{path}/evidence/1.1.2"),
            "../../../x.pdf",
            pdf("x"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let stored: Value = response.json().await.expect("json");
    assert_eq!(stored["file_name"], "x.pdf");
    let sha = stored["sha256"].as_str().expect("sha");
    let outside = server.dir.path().parent().expect("parent").join("x.pdf");
    assert!(!outside.exists());
    assert!(
        server
            .dir
            .path()
            .join("evidence")
            .join(&sha[..2])
            .join(sha)
            .is_file()
    );
    let download = a.get(&format!("{path}/evidence/1.1.2/{sha}")).await;
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .expect("h")
            .starts_with("attachment")
    );
    assert_eq!(
        download.bytes().await.expect("bytes").as_ref(),
        pdf("x").as_slice()
    );

    for (name, bytes) in [
        (
            "trang.html",
            b"<html><script>alert(1)</script></html>".to_vec(),
        ),
        (
            "gia-mao.pdf",
            b"<html><script>alert(1)</script></html>".to_vec(),
        ),
        ("khong-ten", pdf("no extension")),
    ] {
        let response = a
            .upload(&format!("{path}/evidence/1.1.2"), name, bytes)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
    }
    let mut big = pdf("big");
    big.resize(parindex_server::MAX_EVIDENCE_BYTES + 1, b' ');
    let response = a
        .upload(&format!("{path}/evidence/1.1.2"), "lon.pdf", big)
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let markup = "<img src=x onerror=alert(1)>";
    a.expect(
        Method::POST,
        &format!("{path}/comments"),
        json!({ "leaf": "1.1.2", "body": markup }),
        201,
    )
    .await;
    let shown = a.get(&path).await;
    assert!(
        shown.headers()["content-type"]
            .to_str()
            .expect("h")
            .starts_with("application/json")
    );
    let shown: Value = shown.json().await.expect("json");
    assert_eq!(shown["comments"][0]["body"], markup);
    let report = office
        .get(&format!("/api/rounds/{round}/export/html"))
        .await
        .text()
        .await
        .expect("report");
    assert!(!report.contains("<script>alert(1)"));
    assert!(report.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // A unit code is an identifier: invisible or look-alike characters are refused.
    let refused = office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/units"),
            json!({ "units": [{ "code": "CAP-\u{200b}Y", "name": "y" }] }),
            422,
        )
        .await;
    assert!(
        refused["detail"]["problems"][0]["message"].is_string(),
        "{refused}"
    );
}

/// Two appraisers read the same row and both change it: one wins, the other gets a conflict
/// with the value that won, and nothing is lost.
async fn concurrent_appraisals(server: &Server) {
    let office = server.office().await;
    let (round, passwords) = round_with_units(server, &office).await;
    office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/assignments"),
            json!({ "account": "thamdinh-x", "units": ["CAP-A"] }),
            204,
        )
        .await;
    for to in ["open", "appraisal"] {
        advance(&office, &round, to).await;
    }
    let first = server.login("thamdinh-a", &passwords["thamdinh-a"]).await;
    let second = server.login("thamdinh-x", &passwords["thamdinh-x"]).await;
    let path = format!("{}/values/1.1.4", unit_path(&round, "CAP-A"));
    for _ in 0..10 {
        let current: Value = first
            .get(&unit_path(&round, "CAP-A"))
            .await
            .json()
            .await
            .expect("json");
        let version = current["values"]
            .as_array()
            .and_then(|v| v.iter().find(|v| v["stage"] == "appraisal"))
            .map_or(0, |v| v["version"].as_i64().unwrap_or(0));
        let (one, two) = tokio::join!(
            first.put(
                &path,
                json!({ "value": "5/9", "version": version, "reason": "một" })
            ),
            second.put(
                &path,
                json!({ "value": "4/9", "version": version, "reason": "hai" })
            ),
        );
        let mut statuses = [one.status().as_u16(), two.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409]);
    }
    let audit: Value = office
        .get(&format!("/api/rounds/{round}/audit"))
        .await
        .json()
        .await
        .expect("json");
    let writes = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "set-value")
        .count();
    assert_eq!(
        writes, 10,
        "every acknowledged write, and only those, is in the log"
    );
}

/// 300 units fill in a row and submit at the same moment; every request succeeds. The
/// latencies are reported, not asserted.
async fn many_units_submit_at_once(server: &Server) {
    const UNITS: usize = 300;
    let office = server.office().await;
    let round = office
        .expect(
            Method::POST,
            "/api/rounds",
            json!({ "title": "300", "set": "binh-thuan-police/commune/2024" }),
            201,
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let codes: Vec<String> = (0..UNITS).map(|i| format!("CAP-{i:03}")).collect();
    let units: Vec<Value> = codes
        .iter()
        .map(|c| json!({ "code": c, "name": c }))
        .collect();
    office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/units"),
            json!({ "units": units }),
            201,
        )
        .await;
    let password = "mật khẩu đủ dài 2024";
    let creating = codes.iter().map(|code| {
        office.post(
            "/api/accounts",
            json!({ "login": code.to_lowercase(), "role": "unit", "name": code, "round": round, "unit": code, "password": password }),
        )
    });
    for response in join_all(creating).await {
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    advance(&office, &round, "open").await;
    let logins: Vec<String> = codes.iter().map(|c| c.to_lowercase()).collect();
    let users = join_all(logins.iter().map(|login| server.login(login, password))).await;
    let started = Instant::now();
    let submissions = users.iter().zip(&codes).map(|(user, code)| {
        let path = unit_path(&round, code);
        async move {
            let t = Instant::now();
            let put = user
                .put(
                    &format!("{path}/values/1.1.2"),
                    json!({ "value": "có", "version": 0 }),
                )
                .await
                .status();
            let submit = user
                .post(&format!("{path}/submit"), json!({}))
                .await
                .status();
            (put, submit, t.elapsed())
        }
    });
    let outcomes = join_all(submissions).await;
    let wall = started.elapsed();
    let mut latencies: Vec<f64> = outcomes
        .iter()
        .map(|(put, submit, elapsed)| {
            assert_eq!((put.as_u16(), submit.as_u16()), (200, 200));
            elapsed.as_secs_f64() * 1000.0
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    eprintln!(
        "{UNITS} units, write and submit at once ({}): p50 {:.0} ms, p99 {:.0} ms, all in {:.2} s",
        server.database,
        at(0.5),
        at(0.99),
        wall.as_secs_f64()
    );
    let listed: Value = office
        .get(&format!("/api/rounds/{round}/units"))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        listed
            .as_array()
            .expect("units")
            .iter()
            .all(|u| u["status"] == "submitted")
    );
}

/// The checked-in OpenAPI document describes every route the server has, and no other.
#[test]
fn openapi_describes_every_route() {
    let r = "/api/rounds/{round}";
    let u = "/api/rounds/{round}/units/{unit}";
    let routes: Vec<(&str, String)> = vec![
        ("get", "/api/openapi.json".into()),
        ("post", "/api/login".into()),
        ("post", "/api/logout".into()),
        ("get", "/api/session".into()),
        ("post", "/api/password".into()),
        ("post", "/api/accounts".into()),
        ("get", "/api/sets".into()),
        ("get", "/api/rounds".into()),
        ("post", "/api/rounds".into()),
        ("get", r.into()),
        ("put", format!("{r}/windows")),
        ("post", format!("{r}/state")),
        ("get", format!("{r}/units")),
        ("post", format!("{r}/units")),
        ("post", format!("{r}/assignments")),
        ("get", format!("{r}/results")),
        ("get", format!("{r}/export/{{format}}")),
        ("post", format!("{r}/publish")),
        ("get", format!("{r}/bundle")),
        ("get", format!("{r}/audit")),
        ("get", u.into()),
        ("put", format!("{u}/values/{{leaf}}")),
        ("post", format!("{u}/evidence/{{leaf}}")),
        ("get", format!("{u}/evidence/{{leaf}}/{{sha256}}")),
        ("post", format!("{u}/comments")),
        ("post", format!("{u}/submit")),
        ("post", format!("{u}/upload")),
    ];
    let document: Value = serde_json::from_str(parindex_server::OPENAPI).expect("JSON");
    let mut described: Vec<(String, String)> = document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flat_map(|ops| ops.keys())
                .filter(|m| ["get", "post", "put", "delete", "patch"].contains(&m.as_str()))
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let mut expected: Vec<(String, String)> =
        routes.into_iter().map(|(m, p)| (m.to_owned(), p)).collect();
    described.sort();
    expected.sort();
    assert_eq!(described, expected);
}

/// A workbook in the template's layout, one sheet of self-assessment.
fn workbook(rows: &[[&str; 3]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Tự đánh giá").expect("name");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).expect("cell");
        }
    }
    book.save_to_buffer().expect("workbook")
}

/// A unit uploads the template filled in Excel: a bad cell comes back at its sheet and cell and
/// nothing is stored; a good one stores its values. The office's exports read back.
async fn template_upload_and_exports(server: &Server) {
    let office = server.office().await;
    let (round, passwords) = round_with_units(server, &office).await;
    advance(&office, &round, "open").await;
    let a = server.login("cap-a", &passwords["cap-a"]).await;
    let path = unit_path(&round, "CAP-A");

    let bad = workbook(&[["unit", "1.1.4", "1.1.2"], ["CAP-A", "bảy phần chín", "có"]]);
    let response = a
        .upload(&format!("{path}/upload"), "tu-danh-gia.xlsx", bad)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = response.json().await.expect("json");
    let message = refused["detail"]["problems"][0]["message"]
        .as_str()
        .expect("message");
    assert!(
        message.starts_with("tu-danh-gia.xlsx: sheet \"Tự đánh giá\", cell B2 (1.1.4)"),
        "{message}"
    );
    let stored: Value = a.get(&path).await.json().await.expect("json");
    assert_eq!(
        stored["values"],
        json!([]),
        "nothing of a refused file is stored"
    );

    let good = workbook(&[["unit", "1.1.4", "1.1.2"], ["CAP-A", "7/9", "có"]]);
    let response = a
        .upload(&format!("{path}/upload"), "tu-danh-gia.xlsx", good)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let stored: Value = a.get(&path).await.json().await.expect("json");
    let values: Vec<(String, String)> = stored["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| {
            (
                v["leaf"].as_str().unwrap_or_default().to_owned(),
                v["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            ("1.1.2".to_owned(), "có".to_owned()),
            ("1.1.4".to_owned(), "7/9".to_owned())
        ]
    );

    // The workbook export opens, with both units on its summary sheet.
    let bytes = office
        .get(&format!("/api/rounds/{round}/export/xlsx"))
        .await
        .bytes()
        .await
        .expect("workbook");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("opens");
    let first = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&first).expect("sheet");
    let cells: Vec<String> = range.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(
        cells.iter().any(|c| c == "CAP-A") && cells.iter().any(|c| c == "CAP-B"),
        "{cells:?}"
    );
    let csv = office
        .get(&format!("/api/rounds/{round}/export/csv"))
        .await
        .text()
        .await
        .expect("csv");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    // Before publication the public gets nothing, a unit no export.
    assert_eq!(
        server
            .anonymous()
            .get(&format!("/api/rounds/{round}/export/csv"))
            .await
            .status(),
        404
    );
    assert_eq!(
        a.get(&format!("/api/rounds/{round}/export/csv"))
            .await
            .status(),
        403
    );
}

/// An appraiser assigned an area of the set, for every unit, appraises that area's rows of
/// any unit and nothing else.
async fn area_assignments(server: &Server) {
    let office = server.office().await;
    let (round, passwords) = round_with_units(server, &office).await;
    office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/assignments"),
            json!({ "account": "thamdinh-x", "areas": ["2"] }),
            204,
        )
        .await;
    office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/assignments"),
            json!({ "account": "thamdinh-x", "areas": ["9.9"] }),
            422,
        )
        .await;
    for to in ["open", "appraisal"] {
        advance(&office, &round, to).await;
    }
    let area = server.login("thamdinh-x", &passwords["thamdinh-x"]).await;
    let body = json!({ "value": "có", "version": 0, "reason": "kiểm tra hồ sơ" });
    for unit in ["CAP-A", "CAP-B"] {
        let path = unit_path(&round, unit);
        area.expect(
            Method::PUT,
            &format!("{path}/values/2.1.1"),
            body.clone(),
            200,
        )
        .await;
        area.expect(
            Method::PUT,
            &format!("{path}/values/1.1.2"),
            body.clone(),
            403,
        )
        .await;
    }
    let listed: Value = area
        .get(&format!("/api/rounds/{round}/units"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
}

/// The pages hold to the API's promises: a form without the session's CSRF token changes
/// nothing, a unit's session cannot open or preview another unit's page, names are escaped.
async fn pages_refuse_what_the_api_refuses(server: &Server) {
    let office = server.office().await;
    let (round, passwords) = round_with_units(server, &office).await;
    add_unit_named_with_a_script(&office, &round).await;
    let form = |user: &User, path: &str, fields: Vec<(&str, String)>| {
        user.client
            .post(format!("{}{path}", user.base))
            .form(&fields)
            .send()
    };
    // No token, then a wrong one: the round does not move.
    for token in [None, Some("0".repeat(32))] {
        let mut fields = vec![("to", "open".to_owned())];
        if let Some(token) = token {
            fields.push(("csrf", token));
        }
        let response = form(&office, &format!("/rounds/{round}/state"), fields)
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    let shown: Value = office
        .get(&format!("/api/rounds/{round}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(shown["state"], "draft");
    let response = form(
        &office,
        &format!("/rounds/{round}/state"),
        vec![("to", "open".to_owned()), ("csrf", office.csrf.clone())],
    )
    .await
    .expect("post");
    assert!(response.status().is_success() || response.status().is_redirection());
    let shown: Value = office
        .get(&format!("/api/rounds/{round}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(shown["state"], "open");

    let round_page = office
        .get(&format!("/rounds/{round}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(round_page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!round_page.contains("<script>alert(1)"));

    let b = server.login("cap-b", &passwords["cap-b"]).await;
    let page = b.get(&format!("/rounds/{round}/units/CAP-A")).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let preview = form(
        &b,
        &format!("/rounds/{round}/units/CAP-A/preview"),
        vec![("v:1.1.4", "9/9".to_owned()), ("csrf", b.csrf.clone())],
    )
    .await
    .expect("post");
    let preview: Value = preview.json().await.expect("json");
    assert!(preview.get("rows").is_none(), "{preview}");
    let write = form(
        &b,
        &format!("/rounds/{round}/units/CAP-A/values"),
        vec![
            ("v:1.1.4", "9/9".to_owned()),
            ("ver:1.1.4", "0".to_owned()),
            ("csrf", b.csrf.clone()),
        ],
    )
    .await
    .expect("post");
    assert_eq!(write.status(), StatusCode::NOT_FOUND);
    let a: Value = office
        .get(&unit_path(&round, "CAP-A"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(a["values"], json!([]));
    // Without a session, the office's page is not shown.
    assert_eq!(
        server
            .anonymous()
            .get(&format!("/rounds/{round}"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

/// A password is changed only with the current one; the old one stops working, and so do the
/// account's other sessions.
async fn password_change(server: &Server) {
    let office = server.office().await;
    let elsewhere = server.office().await;
    let new = "một mật khẩu mới đủ dài";
    let refused = office
        .expect(
            Method::POST,
            "/api/password",
            json!({ "current": "sai", "new": new }),
            403,
        )
        .await;
    assert_eq!(refused["check"], "check-password-wrong");
    let refused = office
        .expect(
            Method::POST,
            "/api/password",
            json!({ "current": server.admin_password, "new": "ngắn" }),
            422,
        )
        .await;
    assert_eq!(refused["check"], "check-password-short");
    office
        .expect(
            Method::POST,
            "/api/password",
            json!({ "current": server.admin_password, "new": new }),
            204,
        )
        .await;
    assert_eq!(office.get("/api/session").await.status(), 200);
    assert_eq!(elsewhere.get("/api/session").await.status(), 401);
    let old = server
        .anonymous()
        .post(
            "/api/login",
            json!({ "login": "admin", "password": server.admin_password }),
        )
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    server.login("admin", new).await;
}

/// A row of points given directly shows the range and step the table prints, in the reader's
/// way of writing decimals.
async fn direct_points_show_their_range(server: &Server) {
    let office = server.office().await;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../parindex-core/tests/fixtures/every-rule.toml"
    ))
    .expect("fixture");
    let round = office
        .expect(
            Method::POST,
            "/api/rounds",
            json!({ "title": "t", "set_toml": text }),
            201,
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/units"),
            json!({ "units": [{ "code": "U1", "name": "Một", "attributes": { "kind": "ward" } }] }),
            201,
        )
        .await;
    advance(&office, &round, "open").await;
    let page = office
        .get(&format!("/rounds/{round}/units/U1"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("placeholder=\"0–3, bước 0,25\""),
        "no range hint for 2.3"
    );
}

/// Each way the server refuses a request says why, in words a person reads, and with its check
/// code where the pages word it themselves.
async fn refusals_name_their_reason(server: &Server) {
    let office = server.office().await;
    let (round, passwords) = round_with_units(server, &office).await;
    let a = server.login("cap-a", &passwords["cap-a"]).await;
    let path = unit_path(&round, "CAP-A");
    let value = json!({ "value": "có", "version": 0 });

    let refused = a
        .expect(
            Method::PUT,
            &format!("{path}/values/1.1.2"),
            value.clone(),
            409,
        )
        .await;
    assert_eq!(refused["check"], "check-wrong-state");
    assert_eq!(
        refused["message"],
        "the round is draft, and this can be done only while it is open"
    );

    // A window that closed yesterday, written the way an office writes dates.
    office
        .expect(
            Method::PUT,
            &format!("/api/rounds/{round}/windows"),
            json!({ "self_assessment": { "opens": "01/01/2020", "closes": "31/12/2020" } }),
            200,
        )
        .await;
    advance(&office, &round, "open").await;
    let refused = a
        .expect(
            Method::PUT,
            &format!("{path}/values/1.1.2"),
            value.clone(),
            409,
        )
        .await;
    assert_eq!(refused["check"], "check-window-closed");
    assert!(
        refused["message"].as_str().is_some_and(
            |m| m.starts_with("the open window is 01/01/2020 to 31/12/2020, and today is ")
        ),
        "{refused}"
    );
    let refused = office
        .expect(
            Method::PUT,
            &format!("/api/rounds/{round}/windows"),
            json!({ "self_assessment": { "opens": "31/12/2020", "closes": "01/01/2020" } }),
            422,
        )
        .await;
    assert_eq!(
        refused["message"],
        "self_assessment: it closes (01/01/2020) before it opens (31/12/2020)"
    );
    office
        .expect(
            Method::PUT,
            &format!("/api/rounds/{round}/windows"),
            json!({}),
            200,
        )
        .await;

    let refused = a
        .expect(
            Method::POST,
            &format!("{path}/comments"),
            json!({ "leaf": "1.1.2", "body": "x".repeat(4001) }),
            422,
        )
        .await;
    assert_eq!(refused["check"], "check-comment-length");
    assert_eq!(refused["message"], "a comment has 1 to 4000 characters");

    let response = a
        .upload(
            &format!("{path}/evidence/1.1.2"),
            "gia-mao.pdf",
            b"<html>".to_vec(),
        )
        .await;
    let refused: Value = response.json().await.expect("json");
    assert_eq!(refused["check"], "check-evidence-type");
    let mut big = pdf("big");
    big.resize(parindex_server::MAX_EVIDENCE_BYTES + 1, b' ');
    let response = a
        .upload(&format!("{path}/evidence/1.1.2"), "lon.pdf", big)
        .await;
    let refused: Value = response.json().await.expect("json");
    assert_eq!(refused["check"], "check-file-too-large");
    assert_eq!(refused["message"], "the file is over 20 MiB");

    for (body, message) in [
        (
            json!({ "login": "có dấu", "role": "unit", "name": "x", "round": round, "unit": "CAP-A" }),
            "a login is 1–64 letters, digits, '-', '_', '.' or '@'",
        ),
        (
            json!({ "login": "x", "role": "admin", "name": "x" }),
            "role must be office, unit or appraiser",
        ),
        (
            json!({ "login": "x", "role": "appraiser", "name": "x", "password": "ngắn" }),
            "a password has at least 12 characters",
        ),
        (
            json!({ "login": "x", "role": "unit", "name": "x" }),
            "a unit account names its round and unit",
        ),
    ] {
        let refused = office
            .expect(Method::POST, "/api/accounts", body, 422)
            .await;
        assert_eq!(refused["message"], message);
    }
    let refused = office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/assignments"),
            json!({ "account": "thamdinh-x", "areas": ["9.9"] }),
            422,
        )
        .await;
    assert_eq!(refused["message"], "the set has no area or criterion 9.9");
    let refused = office
        .expect(
            Method::POST,
            "/api/rounds",
            json!({ "title": "t", "set_toml": "[set]\nid = 1\n", "set_file": "x.toml" }),
            422,
        )
        .await;
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("the criteria file does not validate:\nx.toml:")),
        "{refused}"
    );
}
