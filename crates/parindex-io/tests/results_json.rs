//! The results document has one encoder. For runs that exercise every branch of the document
//! (one stage; two stages, with `by_stage`; measurements derived from a reform plan and from
//! survey answers, with `derived`), explained and lean:
//!
//! - any number of threads gives the same bytes;
//! - the bytes read back with `ResultsDocument::read` and encoded again are the same bytes;
//! - `ResultsDocument::new` is that document read back, and a unit entry serialized alone is
//!   the unit as the document holds it;
//! - `by_stage` and `derived` say what the scorecards say, with figures worked out by hand from
//!   the inputs in the comments.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parindex_core::records::ReformPlan;
use parindex_core::{Plan, Results, shipped};
use parindex_io::{
    Derived, InputReader, NodeResult, RecordFiles, ResultsDocument, SurveyGroupEntry, TaskEntry,
    UnitResult, decimal, read_completions, read_survey_answers_bytes, write_results_json,
    write_results_json_with_threads,
};
use rust_decimal::Decimal;

const COMMUNE: &str = "binh-thuan-police/commune/2024";
const DIVISION: &str = "binh-thuan-police/division-procedures/2024";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn sample_csv() -> String {
    std::fs::read_to_string(repo("criteria/samples/binh-thuan-police-commune-2024.csv"))
        .expect("the commune sample")
}

/// The appraisal council's figures for three units of the commune sample. In the sample (self
/// stage), CAP-PHU-THUY has 1.1.4 = 100%, 1.2.1 = 12/12, 3.2.2 = 93.5; CAP-PHU-TRINH 10/10, 12/12
/// and 100; CAP-DUC-LONG 79.5%, 6/6 and 100%.
const APPRAISAL: &str = "unit,stage,1.1.4,1.2.1,3.2.2\n\
                         CAP-PHU-THUY,appraisal,50%,6/12,80\n\
                         CAP-PHU-TRINH,appraisal,100%,12/12,\n\
                         CAP-DUC-LONG,appraisal,,,40%\n";

/// A scored run with its units' names.
struct Run {
    results: Results,
    names: BTreeMap<String, String>,
}

fn score(set: &str, files: &[(&str, &[u8])], records: &RecordFiles) -> Run {
    let plan = Plan::new(&shipped::load(set).expect("shipped set").set);
    let mut reader = InputReader::new(&plan);
    for (file, bytes) in files {
        reader.read_bytes(file, bytes);
    }
    let mut inputs = reader.finish().expect("inputs read");
    records.apply(&mut inputs.batch).expect("records apply");
    Run {
        results: plan.score(&inputs.batch).expect("scores"),
        names: inputs.names,
    }
}

/// (a) The commune sample: thirty units, one stage, no records.
fn sample() -> Run {
    let csv = sample_csv();
    score(
        COMMUNE,
        &[("sample.csv", csv.as_bytes())],
        &RecordFiles::default(),
    )
}

/// (b) The commune sample at the self stage, and the appraisal's figures for three units.
fn two_stages() -> Run {
    let csv = sample_csv();
    score(
        COMMUNE,
        &[
            ("sample.csv", csv.as_bytes()),
            ("appraisal.csv", APPRAISAL.as_bytes()),
        ],
        &RecordFiles::default(),
    )
}

/// (c) The Quảng Ngãi city 2018 reform plan with its completion records, for its twelve
/// departments.
fn plan_records() -> Run {
    let departments =
        std::fs::read(repo("plans/2018/quang-ngai-city-departments.csv")).expect("the departments");
    let records = RecordFiles {
        plan: Some(
            ReformPlan::from_path(&repo("plans/2018/quang-ngai-city.toml")).expect("the plan"),
        ),
        completions: Some(
            read_completions(&repo("plans/2018/quang-ngai-city-completions.csv"))
                .expect("the completions"),
        ),
        ..RecordFiles::default()
    };
    score(DIVISION, &[("departments.csv", &departments)], &records)
}

/// Survey answers: `yes` times "có" and `no` times "không" per unit and item.
fn answers(tallies: &[(&str, &str, usize, usize)]) -> String {
    let mut text = String::from("unit,item,answer\n");
    for (unit, item, yes, no) in tallies {
        for _ in 0..*yes {
            text.push_str(&format!("{unit},{item},có\n"));
        }
        for _ in 0..*no {
            text.push_str(&format!("{unit},{item},không\n"));
        }
    }
    text
}

/// (c) Survey answers for two commune units.
fn survey_records() -> Run {
    let answers = answers(&[
        ("CAP-A", "3.2.2", 8, 2),
        ("CAP-A", "7.3.1", 19, 1),
        ("CAP-B", "3.2.2", 5, 5),
    ]);
    let records = RecordFiles {
        survey: Some(
            read_survey_answers_bytes("answers.csv", answers.as_bytes()).expect("answers"),
        ),
        ..RecordFiles::default()
    };
    score(
        COMMUNE,
        &[(
            "units.csv",
            "unit,1.1.1\nCAP-A,đúng hạn\nCAP-B,đúng hạn\n".as_bytes(),
        )],
        &records,
    )
}

/// Twenty copies of (b), 600 units, with survey answers for 3.2.2 at the appraisal stage for
/// each copy of CAP-PHU-TAI: enough units for the encoder to use several threads and, on one
/// thread, several batches.
fn many() -> Run {
    let copies = 20;
    let sample = sample_csv();
    let mut lines = sample.lines();
    let header = lines.next().expect("header");
    let rows: Vec<&str> = lines.collect();
    let mut selves = format!("{header}\n");
    let mut appraisals = String::from("unit,stage,1.1.4,1.2.1,3.2.2\n");
    let mut tallies = Vec::new();
    let ids: Vec<String> = (0..copies).map(|k| format!("CAP-PHU-TAI-{k}")).collect();
    for k in 0..copies {
        for row in &rows {
            let (unit, rest) = row.split_once(',').expect("a unit id");
            selves.push_str(&format!("{unit}-{k},{rest}\n"));
        }
        for row in APPRAISAL.lines().skip(1) {
            let (unit, rest) = row.split_once(',').expect("a unit id");
            appraisals.push_str(&format!("{unit}-{k},{rest}\n"));
        }
    }
    for id in &ids {
        tallies.push((id.as_str(), "3.2.2", 4, 6));
    }
    let answers = answers(&tallies);
    let records = RecordFiles {
        survey: Some(
            read_survey_answers_bytes("answers.csv", answers.as_bytes()).expect("answers"),
        ),
        stage: Some("appraisal".to_owned()),
        ..RecordFiles::default()
    };
    score(
        COMMUNE,
        &[
            ("self.csv", selves.as_bytes()),
            ("appraisal.csv", appraisals.as_bytes()),
        ],
        &records,
    )
}

fn encode(run: &Run, explain: bool, threads: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_results_json_with_threads(&run.results, &run.names, explain, threads, &mut bytes)
        .expect("writes");
    bytes
}

/// Checks the encoder on a run, explained and lean, and returns the explained document as
/// read back from a file.
fn one_encoder(run: &Run) -> ResultsDocument {
    let dir = tempfile::tempdir().expect("dir");
    let mut explained = None;
    for explain in [true, false] {
        let bytes = encode(run, explain, 1);
        assert_eq!(bytes, encode(run, explain, 4), "1 and 4 threads differ");
        let mut all = Vec::new();
        write_results_json(&run.results, &run.names, explain, &mut all).expect("writes");
        assert_eq!(bytes, all, "all threads differ from one");
        assert!(bytes.ends_with(b"}\n"));
        assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 1, "one line");

        let path = dir.path().join(format!("results-{explain}.json"));
        std::fs::write(&path, &bytes).expect("written");
        let doc = ResultsDocument::read(&path).expect("reads back");
        assert!(
            doc.to_json().as_bytes() == bytes,
            "read back and encoded again, the document differs"
        );
        // Each unit entry serialized alone is the unit as the document holds it.
        let units: Vec<String> = doc
            .units
            .iter()
            .map(|u| serde_json::to_string(u).expect("unit"))
            .collect();
        let units = format!("\"units\":[{}]", units.join(","));
        let text = String::from_utf8(bytes).expect("UTF-8");
        assert!(text.contains(&units), "the units serialized alone differ");

        let nodes = || doc.units.iter().flat_map(|u| &u.nodes);
        if explain {
            assert!(nodes().all(|n| n.reason.is_some()));
            let new = ResultsDocument::new(&run.results, &run.names);
            assert!(
                new == doc,
                "ResultsDocument::new is not the document read back"
            );
            assert!(new.to_json() == text);
            explained = Some(doc);
        } else {
            assert!(nodes().all(|n| n.reason.is_none() && n.seen.is_none()));
        }
    }
    let doc = explained.expect("the explained document");
    says_what_the_scorecards_say(run, &doc);
    doc
}

/// Every node's points, `by_stage` and `derived`, against the scorecard it was written from.
fn says_what_the_scorecards_say(run: &Run, doc: &ResultsDocument) {
    assert_eq!(doc.units.len(), run.results.units.len());
    for (unit, card) in doc.units.iter().zip(&run.results.units) {
        assert_eq!(unit.unit, card.unit);
        assert_eq!(unit.total, decimal(card.total));
        assert_eq!(unit.nodes.len(), card.node_count());
        let stages: Vec<(String, String)> = card
            .stages()
            .map(|s| (s.stage.to_owned(), decimal(s.total)))
            .collect();
        let written: Vec<(String, String)> = unit
            .stages
            .iter()
            .map(|s| (s.stage.clone(), s.total.clone()))
            .collect();
        assert_eq!(written, stages);
        let areas: Vec<(String, String, String, Option<String>)> = card
            .reform_areas()
            .iter()
            .map(|a| {
                (
                    a.area.as_str().to_owned(),
                    decimal(a.points),
                    decimal(a.max),
                    a.reported_index.map(|i| i.to_string()),
                )
            })
            .collect();
        let written: Vec<(String, String, String, Option<String>)> = unit
            .reform_areas
            .iter()
            .map(|a| {
                (
                    a.area.clone(),
                    a.points.clone(),
                    a.max.clone(),
                    a.reported_index.clone(),
                )
            })
            .collect();
        assert_eq!(written, areas, "{}", unit.unit);
        for (i, (node, score)) in unit.nodes.iter().zip(card.nodes()).enumerate() {
            assert_eq!(node.code, run.results.set().nodes[i].code);
            assert_eq!(node.points, decimal(score.points));
            assert_eq!(node.max, decimal(score.max));
            assert_eq!(node.status, score.status.into());
            let stage = score
                .stage
                .map(|s| run.results.set().policy.stages[usize::from(s)].clone());
            assert_eq!(node.stage, stage, "{} {}", unit.unit, node.code);
            // The document read back here is the explained one: each node's words are those
            // of the scorecard, however many units before had the same result.
            let (seen, reason) = card.explain_node(i);
            assert_eq!(node.seen, seen, "{} {}", unit.unit, node.code);
            assert_eq!(node.reason, Some(reason), "{} {}", unit.unit, node.code);
            let by_stage: BTreeMap<String, String> = if card.stage_count() > 1 {
                card.stages()
                    .map(|s| (s.stage.to_owned(), decimal(s.points(i).expect("points"))))
                    .collect()
            } else {
                BTreeMap::new()
            };
            assert_eq!(node.by_stage, by_stage, "{} {}", unit.unit, node.code);
            assert_eq!(
                node.derived,
                card.derivation_at(i).map(Derived::new),
                "{} {}",
                unit.unit,
                node.code
            );
        }
    }
}

fn unit<'a>(doc: &'a ResultsDocument, id: &str) -> &'a UnitResult {
    doc.units
        .iter()
        .find(|u| u.unit == id)
        .unwrap_or_else(|| panic!("unit {id}"))
}

fn node<'a>(doc: &'a ResultsDocument, id: &str, code: &str) -> &'a NodeResult {
    unit(doc, id)
        .nodes
        .iter()
        .find(|n| n.code == code)
        .unwrap_or_else(|| panic!("{id} {code}"))
}

fn by_stage(appraisal: &str, own: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("appraisal".to_owned(), appraisal.to_owned()),
        ("self".to_owned(), own.to_owned()),
    ])
}

fn number(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

/// The total at each stage: (self, appraisal).
fn stage_totals(unit: &UnitResult) -> (Decimal, Decimal) {
    let total = |stage: &str| {
        unit.stages
            .iter()
            .find(|s| s.stage == stage)
            .map(|s| number(&s.total))
            .unwrap_or_else(|| panic!("{} has no {stage} total", unit.unit))
    };
    (total("self"), total("appraisal"))
}

#[test]
fn one_stage_sample() {
    let doc = one_encoder(&sample());
    assert_eq!(doc.units.len(), 30);
    let nodes = || doc.units.iter().flat_map(|u| &u.nodes);
    assert!(nodes().all(|n| n.by_stage.is_empty() && n.derived.is_none()));
    let view = doc.year_view().expect("year view");
    assert_eq!(view.units.len(), 30);
    assert_eq!(view.units[0].areas.len(), 7);
    // The set's reform areas, each with the largest nodes wholly in it.
    let areas: Vec<(&str, &str, Vec<&str>)> = doc
        .reform_areas
        .iter()
        .map(|a| {
            let nodes = a.nodes.iter().map(String::as_str).collect();
            (a.area.as_str(), a.max.as_str(), nodes)
        })
        .collect();
    assert_eq!(
        areas,
        [
            ("direction", "17", vec!["1"]),
            ("institutional", "3", vec!["2"]),
            ("procedures", "18", vec!["3", "4.1", "4.2", "7.1"]),
            ("organisation", "2", vec!["4.3"]),
            ("civil-service", "8", vec!["5"]),
            ("modernisation", "10", vec!["6", "7.2"]),
            ("impact", "2", vec!["7.3"]),
        ]
    );
    assert!(doc.units.iter().all(|u| u.reform_areas.len() == 7));
    assert_eq!(view.units[0].reform_areas.len(), 7);
}

#[test]
fn a_document_written_before_reform_areas_reads_with_none() {
    let json = String::from_utf8(encode(&sample(), false, 1)).expect("UTF-8");
    let mut value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    value
        .as_object_mut()
        .expect("an object")
        .remove("reform_areas");
    for unit in value["units"].as_array_mut().expect("units") {
        unit.as_object_mut().expect("a unit").remove("reform_areas");
    }
    let old = ResultsDocument::from_json(&value.to_string(), "old.json").expect("reads");
    assert!(old.reform_areas.is_empty());
    let view = old.year_view().expect("year view");
    assert!(view.units.iter().all(|u| u.reform_areas.is_empty()));
}

#[test]
fn two_stages_write_by_stage() {
    let doc = one_encoder(&two_stages());
    // CAP-PHU-THUY, 1.1.4: 100% at self, tier x >= 100: 1; 50% at appraisal, tier
    // 50 <= x < 100: 0.5, final. 1.2.1: 12/12 at self: 1.5; 6/12 = 50% at appraisal, tier
    // x < 75: 0. 3.2.2: 93.5 and 80 both in 70 <= x <= 100: 1 at both stages.
    let thuy = |code| node(&doc, "CAP-PHU-THUY", code);
    assert_eq!(thuy("1.1.4").by_stage, by_stage("0.5", "1"));
    assert_eq!(thuy("1.1.4").points, "0.5");
    assert_eq!(thuy("1.1.4").stage.as_deref(), Some("appraisal"));
    assert_eq!(thuy("1.2.1").by_stage, by_stage("0", "1.5"));
    assert_eq!(thuy("3.2.2").by_stage, by_stage("1", "1"));
    // Area 1 holds 1.1.4 and 1.2.1: 2 points fewer at appraisal, as is the unit's total, which
    // is the appraisal's.
    let area = &thuy("1").by_stage;
    assert_eq!(
        number(&area["self"]) - number(&area["appraisal"]),
        Decimal::TWO
    );
    let (own, appraisal) = stage_totals(unit(&doc, "CAP-PHU-THUY"));
    assert_eq!(own - appraisal, Decimal::TWO);
    assert_eq!(number(&unit(&doc, "CAP-PHU-THUY").total), appraisal);
    // CAP-PHU-TRINH: the appraisal confirms 1.1.4 (100%: 1) and 1.2.1 (12/12: 1.5); 3.2.2 has
    // no appraisal figure, so the self figure (100: 2) stands at both stages.
    let trinh = |code| node(&doc, "CAP-PHU-TRINH", code);
    assert_eq!(trinh("1.1.4").by_stage, by_stage("1", "1"));
    assert_eq!(trinh("1.1.4").stage.as_deref(), Some("appraisal"));
    assert_eq!(trinh("1.2.1").by_stage, by_stage("1.5", "1.5"));
    assert_eq!(trinh("3.2.2").by_stage, by_stage("2", "2"));
    assert_eq!(trinh("3.2.2").stage.as_deref(), Some("self"));
    let (own, appraisal) = stage_totals(unit(&doc, "CAP-PHU-TRINH"));
    assert_eq!(own, appraisal);
    // CAP-DUC-LONG, 3.2.2: 100% at self: 2; 40% at appraisal, tier x < 50: 0.
    assert_eq!(
        node(&doc, "CAP-DUC-LONG", "3.2.2").by_stage,
        by_stage("0", "2")
    );
    let (own, appraisal) = stage_totals(unit(&doc, "CAP-DUC-LONG"));
    assert_eq!(own - appraisal, Decimal::TWO);
    // A unit the appraisal does not name has one stage, and no by_stage.
    let tai = unit(&doc, "CAP-PHU-TAI");
    assert_eq!(tai.stages.len(), 1);
    assert!(tai.nodes.iter().all(|n| n.by_stage.is_empty()));
}

/// Units whose final results and values are the same, at the appraisal, but not their self
/// assessments: each entry keeps its own points by stage. CAP-A and CAP-B, 1.1.4: 50% at
/// appraisal, tier 50 <= x < 100: 0.5; at self, 50% (0.5) and 100% (tier x >= 100: 1). CAP-C
/// has 50% at self only (one stage, no by_stage), and CAP-D the same at self and appraisal.
#[test]
fn entries_alike_at_the_final_stage_keep_their_own_earlier_points() {
    let selves = "unit,1.1.4\nCAP-A,50%\nCAP-B,100%\nCAP-C,50%\nCAP-D,50%\n";
    let appraisals = "unit,stage,1.1.4\nCAP-A,appraisal,50%\nCAP-B,appraisal,50%\n\
                      CAP-D,appraisal,50%\n";
    let run = score(
        COMMUNE,
        &[
            ("self.csv", selves.as_bytes()),
            ("appraisal.csv", appraisals.as_bytes()),
        ],
        &RecordFiles::default(),
    );
    let doc = one_encoder(&run);
    assert_eq!(
        node(&doc, "CAP-A", "1.1.4").by_stage,
        by_stage("0.5", "0.5")
    );
    assert_eq!(node(&doc, "CAP-B", "1.1.4").by_stage, by_stage("0.5", "1"));
    assert_eq!(
        node(&doc, "CAP-D", "1.1.4").by_stage,
        by_stage("0.5", "0.5")
    );
    let c = node(&doc, "CAP-C", "1.1.4");
    assert!(c.by_stage.is_empty());
    assert_eq!(c.stage.as_deref(), Some("self"));
    assert_eq!(
        node(&doc, "CAP-A", "1.1.4").stage.as_deref(),
        Some("appraisal")
    );
}

#[test]
fn plan_records_write_derived() {
    let doc = one_encoder(&plan_records());
    // Phòng Kinh tế leads, through phong-ban and co-quan-don-vi, 1.1, 1.2, 2.3, 2.4, 2.5, 2.12,
    // 3.2, 3.5 and 3.6: nine tasks. 1.2 has no completion date (not done); 2.12 is due at the
    // end of quarter I (31/03/2018) and was done 10/04/2018, ten days late; the rest are done on
    // time. 8 of 9 = 88.89% falls in the tier 50 <= x < 100: 0.5 point.
    let leaf = node(&doc, "kinh-te", "1.1.4");
    assert_eq!(leaf.points, "0.5");
    let Some(Derived::Plan {
        plan,
        assigned,
        done,
        on_time,
        tasks,
    }) = &leaf.derived
    else {
        panic!("1.1.4 is derived from the plan: {:?}", leaf.derived);
    };
    assert_eq!(plan, "quang-ngai-city/2018");
    assert_eq!((*assigned, *done, *on_time), (9, 8, 7));
    let codes: Vec<&str> = tasks.iter().map(|t| t.task.as_str()).collect();
    assert_eq!(
        codes,
        [
            "1.1", "1.2", "2.3", "2.4", "2.5", "2.12", "3.2", "3.5", "3.6"
        ]
    );
    let task = |code: &str| -> &TaskEntry {
        tasks
            .iter()
            .find(|t| t.task == code)
            .expect("a task of kinh-te")
    };
    let late = task("2.12");
    assert_eq!(late.due.as_deref(), Some("31/03/2018"));
    assert_eq!(late.done.as_deref(), Some("10/04/2018"));
    assert_eq!((late.outcome.as_str(), late.days_late), ("late", Some(10)));
    let missing = task("1.2");
    assert_eq!(
        (missing.outcome.as_str(), missing.done.as_deref()),
        ("not-done", None)
    );
    assert!(
        tasks
            .iter()
            .filter(|t| !["1.2", "2.12"].contains(&t.task.as_str()))
            .all(|t| t.outcome == "on-time")
    );
    // Twelve departments, each measured on the plan.
    assert_eq!(doc.units.len(), 12);
    assert!(
        doc.units
            .iter()
            .all(|u| u.nodes.iter().any(|n| n.derived.is_some()))
    );
}

#[test]
fn survey_records_write_derived() {
    let doc = one_encoder(&survey_records());
    // CAP-A, 3.2.2: 8 of 10 satisfied = 80%, tier 70 <= x <= 100: 1 point. The 95% Wilson
    // interval of 8/10: centre (0.8 + z²/20) / (1 + z²/10) = 0.716740, half-width
    // z·√(0.8·0.2/10 + z²/400) / (1 + z²/10) = 0.226578, with z = 1.959964.
    let satisfied = |unit: &str, code: &str| -> (String, SurveyGroupEntry) {
        let leaf = node(&doc, unit, code);
        match &leaf.derived {
            Some(Derived::Survey { groups }) if groups.len() == 1 => {
                (leaf.points.clone(), groups[0].clone())
            }
            other => panic!("{unit} {code} is derived from one survey group: {other:?}"),
        }
    };
    let (points, group) = satisfied("CAP-A", "3.2.2");
    assert_eq!(points, "1");
    assert_eq!(
        group,
        SurveyGroupEntry {
            group: None,
            respondents: 10,
            counts: vec![("có".to_owned(), 8), ("không".to_owned(), 2)],
            satisfied: Some(8),
            share: Some("80".to_owned()),
            weighted: None,
            interval: Some(("0.490162".to_owned(), "0.943318".to_owned())),
        }
    );
    // CAP-A, 7.3.1: 19 of 20 = 95%, tier 90 <= x < 100: 1 point; Wilson 0.763869–0.991119.
    let (points, group) = satisfied("CAP-A", "7.3.1");
    assert_eq!(points, "1");
    assert_eq!((group.respondents, group.satisfied), (20, Some(19)));
    assert_eq!(group.share.as_deref(), Some("95"));
    assert_eq!(
        group.interval,
        Some(("0.763869".to_owned(), "0.991119".to_owned()))
    );
    // CAP-B, 3.2.2: 5 of 10 = 50%, tier 50 <= x < 70: 0.5.
    let (points, group) = satisfied("CAP-B", "3.2.2");
    assert_eq!(points, "0.5");
    assert_eq!(group.share.as_deref(), Some("50"));
    // CAP-B has no answers for 7.3.1: nothing derived.
    assert!(node(&doc, "CAP-B", "7.3.1").derived.is_none());
}

#[test]
fn threads_and_batches_give_the_same_bytes() {
    let doc = one_encoder(&many());
    assert_eq!(doc.units.len(), 600);
    // Each CAP-PHU-TAI copy, 3.2.2: 100 at self: 2; at appraisal, from 4 of 10 satisfied =
    // 40%, tier x < 50: 0, final, and derived from the answers.
    for k in 0..20 {
        let leaf = node(&doc, &format!("CAP-PHU-TAI-{k}"), "3.2.2");
        assert_eq!(leaf.by_stage, by_stage("0", "2"));
        assert_eq!(leaf.stage.as_deref(), Some("appraisal"));
        let Some(Derived::Survey { groups }) = &leaf.derived else {
            panic!("3.2.2 is derived from the answers: {:?}", leaf.derived);
        };
        assert_eq!(
            groups
                .iter()
                .map(|g| (g.respondents, g.satisfied, g.share.as_deref()))
                .collect::<Vec<_>>(),
            [(10, Some(4), Some("40"))]
        );
    }
    // The copies of (b) keep its figures.
    assert_eq!(
        node(&doc, "CAP-PHU-THUY-19", "1.1.4").by_stage,
        by_stage("0.5", "1")
    );
}
