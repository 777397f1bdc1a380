//! The server is one more door: random units of every shipped set, entered through the API (the
//! office adds the units, each unit writes its self-assessment, an appraiser the appraisal),
//! give the results document that the same units give in a CSV file, byte for byte.

#[path = "../../parindex-io/tests/random_units/mod.rs"]
mod random_units;

mod common;

use common::Server;
use parindex_core::Plan;
use parindex_io::{BundleFile, bundle_results_json, score_files};
use random_units::{plans, units, wide_csv};
use reqwest::Method;
use serde_json::{Value, json};

/// A plan's criteria file: shipped, or the fixture with every rule kind.
fn set_text(plan: &Plan) -> String {
    match parindex_core::shipped::text(&plan.set().info.id) {
        Some((_, text)) => text.to_owned(),
        None => std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../parindex-core/tests/fixtures/every-rule.toml"
        ))
        .expect("fixture"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entering_units_through_the_api_gives_the_same_results_as_a_file() {
    for database in common::databases() {
        let server = Server::start(database).await;
        let office = server.office().await;
        let mut compared = 0;
        for seed in [11_u64, 12] {
            for (p, plan) in plans().iter().enumerate() {
                let mut units = units(plan, seed, false);
                // Units and appraisers enter the first two stages; later ones come from files.
                for unit in &mut units {
                    unit.stages.truncate(2);
                }
                let text = set_text(plan);
                let file = "set.toml";
                let expected = bundle_results_json(
                    &score_files(
                        file,
                        &text,
                        &[BundleFile {
                            file: "units.csv".to_owned(),
                            text: wide_csv(plan, &units),
                        }],
                    )
                    .expect("the file door scores"),
                );
                let served = through_the_api(
                    &server,
                    &office,
                    plan,
                    &units,
                    &text,
                    &format!("{seed}-{p}"),
                )
                .await;
                assert_same(&served, &expected);
                compared += 1;
            }
        }
        eprintln!(
            "{compared} rounds entered through the API agree with the file ({})",
            server.database
        );
        server.stop().await;
    }
}

async fn through_the_api(
    server: &Server,
    office: &common::User,
    plan: &Plan,
    units: &[random_units::UnitInputs],
    set_text: &str,
    tag: &str,
) -> String {
    let round = office
        .expect(
            Method::POST,
            "/api/rounds",
            json!({ "title": tag, "set_toml": set_text, "set_file": "set.toml" }),
            201,
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let listed: Vec<Value> = units
        .iter()
        .map(|u| {
            let attributes: serde_json::Map<String, Value> = u
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            json!({ "code": u.id, "name": u.name, "attributes": attributes })
        })
        .collect();
    office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/units"),
            json!({ "units": listed }),
            201,
        )
        .await;
    office
        .expect(
            Method::POST,
            &format!("/api/rounds/{round}/state"),
            json!({ "to": "open" }),
            200,
        )
        .await;
    let password = "một mật khẩu đủ dài";
    for unit in units {
        let login = format!("u{tag}-{}", unit.id).to_lowercase();
        office
            .expect(
                Method::POST,
                "/api/accounts",
                json!({ "login": login, "role": "unit", "name": unit.name, "round": round, "unit": unit.id, "password": password }),
                201,
            )
            .await;
        let user = server.login(&login, password).await;
        for (code, value) in &unit.stages[0] {
            user.expect(
                Method::PUT,
                &format!("/api/rounds/{round}/units/{}/values/{code}", unit.id),
                json!({ "value": value, "version": 0 }),
                200,
            )
            .await;
        }
    }
    if units
        .iter()
        .any(|u| u.stages.get(1).is_some_and(|s| !s.is_empty()))
    {
        office
            .expect(
                Method::POST,
                &format!("/api/rounds/{round}/state"),
                json!({ "to": "appraisal" }),
                200,
            )
            .await;
        let login = format!("a{tag}");
        office
            .expect(Method::POST, "/api/accounts", json!({ "login": login, "role": "appraiser", "name": "Hội đồng", "password": password }), 201)
            .await;
        let codes: Vec<&str> = units.iter().map(|u| u.id.as_str()).collect();
        office
            .expect(
                Method::POST,
                &format!("/api/rounds/{round}/assignments"),
                json!({ "account": login, "units": codes }),
                204,
            )
            .await;
        let appraiser = server.login(&login, password).await;
        for unit in units {
            for (code, value) in unit.stages.get(1).into_iter().flatten() {
                appraiser
                    .expect(
                        Method::PUT,
                        &format!("/api/rounds/{round}/units/{}/values/{code}", unit.id),
                        json!({ "value": value, "version": 0, "reason": "thẩm định" }),
                        200,
                    )
                    .await;
            }
        }
    }
    let _ = plan;
    office
        .get(&format!("/api/rounds/{round}/results"))
        .await
        .text()
        .await
        .expect("results")
}

/// The demo round holds the sample units exactly: its results are those of the sample file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_round_scores_as_the_sample_file() {
    let dir = tempfile::tempdir().expect("dir");
    let running = parindex_server::start(parindex_server::Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        data_dir: dir.path().to_path_buf(),
        database: None,
        demo: true,
        secure_cookies: false,
    })
    .await
    .expect("starts");
    let round = running.demo_round.clone().expect("a demo round");
    let logins: Vec<&str> = running
        .demo_accounts
        .iter()
        .map(|(l, _, _)| l.as_str())
        .collect();
    assert_eq!(logins, ["donvi", "thamdinh"]);
    let base = format!("http://{}", running.address);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let password = running.admin_password.clone().expect("password");
    client
        .post(format!("{base}/api/login"))
        .json(&json!({ "login": "admin", "password": password }))
        .send()
        .await
        .expect("login");
    let served = client
        .get(format!("{base}/api/rounds/{round}/results"))
        .send()
        .await
        .expect("results")
        .text()
        .await
        .expect("text");
    let (file, text) = parindex_core::shipped::text("binh-thuan-police/commune/2024").expect("set");
    let sample = include_str!("../../../criteria/samples/binh-thuan-police-commune-2024.csv");
    let expected = bundle_results_json(
        &score_files(
            &format!("criteria/{file}"),
            text,
            &[BundleFile {
                file: "sample.csv".to_owned(),
                text: sample.to_owned(),
            }],
        )
        .expect("scores"),
    );
    assert_same(&served, &expected);
    running.stop().await.expect("stops");
}

/// Two documents are the same; where they are not, the first difference is shown in context.
fn assert_same(got: &str, expected: &str) {
    if got != expected {
        let at = got
            .bytes()
            .zip(expected.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let context = |t: &str| {
            t.get(at.saturating_sub(300)..(at + 200).min(t.len()))
                .unwrap_or(t)
                .to_owned()
        };
        panic!(
            "the documents differ at byte {at}:\nserved:   …{}…\nexpected: …{}…",
            context(got),
            context(expected)
        );
    }
}
