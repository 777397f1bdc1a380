//! Faults and determinism: a run killed while it writes never leaves a partial output,
//! concurrent runs do not interfere, and the same inputs give the same bytes on any number of
//! threads.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SET: &str = "binh-thuan-police/division-procedures/2024";

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("parindex")
}

/// The sample batch of the set, repeated to `units` units with ids of their own.
fn big_input(dir: &Path, units: usize) -> PathBuf {
    let sample = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../criteria/samples/binh-thuan-police-division-procedures-2024.csv"),
    )
    .expect("sample");
    let mut lines = sample.lines();
    let header = lines.next().expect("header");
    let rows: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    let mut text = format!("{header}\n");
    for n in 0..units {
        let row = rows[n % rows.len()];
        let (id, rest) = row.split_once(',').expect("unit id");
        text.push_str(&format!("{id}-{n},{rest}\n"));
    }
    let path = dir.join(format!("units-{units}.csv"));
    std::fs::write(&path, text).expect("write input");
    path
}

/// Runs `parindex score SET input -o output… [extra…]` in `dir` and waits for success.
fn score(dir: &Path, input: &Path, outputs: &[&str], extra: &[&str]) {
    let mut command = Command::new(binary());
    command.current_dir(dir).args(["score", SET]).arg(input);
    for output in outputs {
        command.args(["-o", output]);
    }
    let status = command
        .args(extra)
        .stderr(Stdio::null())
        .status()
        .expect("runs");
    assert!(status.success(), "parindex score {outputs:?} {extra:?}");
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A temporary file of the atomic writer for `target`: `.{target}.{pid}.{n}.tmp`.
fn is_temporary_of(name: &str, target: &str) -> bool {
    name.starts_with(&format!(".{target}.")) && name.ends_with(".tmp")
}

#[derive(Debug, Default)]
struct Outcomes {
    /// Killed after the temporary file appeared, the target still the previous file.
    killed_mid_write: usize,
    /// Killed before it started writing.
    killed_before_writing: usize,
    /// The run had finished: the target is the complete new output.
    finished: usize,
}

/// Starts a run writing `target` (which holds `previous`), kills it with SIGKILL once its
/// temporary file appears (after `delay`), and checks that the target is the previous file or
/// the complete new output, never a part of one. Temporary files left by the kill are removed
/// after checking they are the writer's own.
fn kill_while_writing(
    dir: &Path,
    input: &Path,
    target: &str,
    previous: &[u8],
    complete: &[u8],
    delay: Duration,
    outcomes: &mut Outcomes,
) {
    let path = dir.join(target);
    std::fs::write(&path, previous).expect("previous output");
    let mut child = Command::new(binary())
        .current_dir(dir)
        .args(["score", SET])
        .arg(input)
        .args(["-o", target])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let started = Instant::now();
    let mut saw_temporary = false;
    while started.elapsed() < Duration::from_secs(120) {
        if names_in(dir).iter().any(|n| is_temporary_of(n, target)) {
            saw_temporary = true;
            break;
        }
        if child.try_wait().expect("polls").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL: no destructor, no clean-up runs
    let status = child.wait().expect("waits");
    let now = std::fs::read(&path).expect("the target is never removed");
    if now == previous {
        if saw_temporary && !status.success() {
            outcomes.killed_mid_write += 1;
        } else {
            outcomes.killed_before_writing += 1;
        }
    } else {
        assert!(
            now == complete,
            "{target} is neither the previous output nor the complete new one ({} bytes)",
            now.len()
        );
        outcomes.finished += 1;
    }
    for name in names_in(dir) {
        if name.starts_with('.') {
            assert!(
                is_temporary_of(&name, target),
                "an unexpected hidden file: {name}"
            );
            std::fs::remove_file(dir.join(&name)).expect("remove the temporary file");
        }
    }
}

#[test]
fn a_run_killed_while_writing_leaves_the_previous_output_or_the_complete_new_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = big_input(dir.path(), 24);
    for (target, units, delays) in [
        // The JSON document is streamed into its temporary file: a long window to kill in.
        ("results.json", 1_500, vec![0, 5, 50, 200, 400, 800]),
        // The workbook is built in memory, then written at once: a short window.
        ("results.xlsx", 200, vec![0, 0, 1, 2, 5]),
    ] {
        let big = big_input(dir.path(), units);
        score(dir.path(), &small, &[target], &[]);
        let previous = std::fs::read(dir.path().join(target)).expect("previous");
        score(dir.path(), &big, &[target], &[]);
        let complete = std::fs::read(dir.path().join(target)).expect("complete");
        assert_ne!(previous, complete);
        let mut outcomes = Outcomes::default();
        for delay in &delays {
            kill_while_writing(
                dir.path(),
                &big,
                target,
                &previous,
                &complete,
                Duration::from_millis(*delay),
                &mut outcomes,
            );
        }
        eprintln!("{target}: {} kills: {outcomes:?}", delays.len());
        // Whatever the delays hit, a kill between the complete temporary file and the rename
        // is made certain by holding the writer there.
        kill_before_rename(dir.path(), [&small, &big], [&previous, &complete], target);
    }
}

/// Runs a score that holds before renaming its output into place, kills it there, and checks
/// that the output there before is untouched beside the complete temporary file.
fn kill_before_rename(dir: &Path, inputs: [&Path; 2], outputs: [&[u8]; 2], target: &str) {
    // What is there now (the kills above may have let a run finish), and an input whose
    // output differs from it, so that a write before the rename would show.
    let previous = std::fs::read(dir.join(target)).expect("an output is there");
    let input = if previous == outputs[0] {
        inputs[1]
    } else {
        inputs[0]
    };
    let signal = dir.join("held.txt");
    let _ = std::fs::remove_file(&signal);
    let mut child = Command::new(binary())
        .current_dir(dir)
        .args(["score", SET])
        .arg(input)
        .args(["-o", target])
        .env(parindex_io::HOLD_BEFORE_RENAME, &signal)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    // The writer says when it holds: no delay is guessed.
    while !signal.exists() {
        if let Some(status) = child.try_wait().expect("polls") {
            panic!("{target}: the run ended ({status}) without reaching the rename");
        }
        std::thread::yield_now();
    }
    // The signal file is written whole before the writer holds; read it until it is.
    let temporary = loop {
        let text = std::fs::read_to_string(&signal).unwrap_or_default();
        if text.ends_with(".tmp") {
            // Relative to the run's folder.
            break dir.join(text);
        }
        std::thread::yield_now();
    };
    let _ = child.kill();
    child.wait().expect("waits");
    let now = std::fs::read(dir.join(target)).expect("the target is never removed");
    // Compared without printing: the files are large.
    assert!(now == previous, "{target} changed before the rename");
    assert!(
        temporary.exists(),
        "the complete temporary file is left, not the target"
    );
    std::fs::remove_file(&temporary).expect("remove the temporary file");
    std::fs::remove_file(&signal).expect("remove the signal");
}

#[test]
fn concurrent_runs_in_one_folder_do_not_interfere() {
    let shared = tempfile::tempdir().expect("tempdir");
    let alone = tempfile::tempdir().expect("tempdir");
    // The workbooks are slow to build in a debug build: fewer units for them.
    let inputs: Vec<PathBuf> = [400, 40, 401, 402, 403, 41]
        .iter()
        .map(|n| big_input(shared.path(), *n))
        .collect();
    let outputs = ["a.json", "b.xlsx", "c.csv", "d.html", "e.json", "f.xlsx"];
    // One at a time, in a folder of their own.
    for (input, output) in inputs.iter().zip(outputs) {
        score(alone.path(), input, &[output], &["--threads", "1"]);
    }
    // All at once, in one folder.
    let children: Vec<_> = inputs
        .iter()
        .zip(outputs)
        .map(|(input, output)| {
            Command::new(binary())
                .current_dir(shared.path())
                .args(["score", SET])
                .arg(input)
                .args(["-o", output])
                .stderr(Stdio::null())
                .spawn()
                .expect("starts")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("waits").success());
    }
    for output in outputs {
        let together = std::fs::read(shared.path().join(output)).expect("output");
        let apart = std::fs::read(alone.path().join(output)).expect("output");
        assert!(together == apart, "{output} differs when run concurrently");
    }
    assert!(
        !names_in(shared.path()).iter().any(|n| n.starts_with('.')),
        "no temporary file is left by a run that finished"
    );
}

/// Scores `input` with each `--threads` value (`None`: the default) into folders of their own,
/// a second apart, and checks that every output is the same bytes in every run.
fn same_bytes_on_any_threads(dir: &Path, input: &Path, outputs: &[&str], threads: &[Option<&str>]) {
    let mut runs: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
    for (run, threads) in threads.iter().enumerate() {
        let stem = input.file_stem().expect("name").to_string_lossy();
        let folder = dir.join(format!("{stem}-{run}"));
        std::fs::create_dir(&folder).expect("folder");
        let extra: Vec<&str> = threads.map(|t| vec!["--threads", t]).unwrap_or_default();
        score(&folder, input, outputs, &extra);
        let bytes = outputs
            .iter()
            .map(|o| std::fs::read(folder.join(o)).expect("output"))
            .collect();
        runs.push((format!("threads {threads:?}"), bytes));
        // A second apart: a workbook that stamped the time of writing would differ.
        std::thread::sleep(Duration::from_millis(1_100));
    }
    let (first_label, first) = &runs[0];
    for (label, bytes) in &runs[1..] {
        for (i, output) in outputs.iter().enumerate() {
            assert!(
                bytes[i] == first[i],
                "{output}: {label} differs from {first_label}"
            );
        }
    }
}

#[test]
fn outputs_are_identical_across_runs_and_thread_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 1,200 units of 92 leaves: enough for the scorer and the JSON writer to use threads.
    let input = big_input(dir.path(), 1_200);
    let all = [None, Some("1"), Some("2"), Some("4"), None];
    same_bytes_on_any_threads(dir.path(), &input, &["r.json", "r.csv"], &all);
    // The workbook and the report are written from the same results on one thread, and are
    // slow to build in a debug build: fewer units, two runs a second apart.
    let input = big_input(dir.path(), 60);
    let outputs = ["r.xlsx", "r.html"];
    same_bytes_on_any_threads(dir.path(), &input, &outputs, &[Some("1"), Some("4")]);
    // `--threads 0` is a usage error.
    let status = Command::new(binary())
        .args(["score", SET])
        .arg(&input)
        .args(["--threads", "0"])
        .stderr(Stdio::null())
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(2));
}
