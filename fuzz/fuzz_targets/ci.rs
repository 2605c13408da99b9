//! The CI-configuration parsers: the automation extractor over every kind of file it reads
//! (CI YAML of each system, Jenkinsfile, Makefile, DVC, shell, Python, job YAML), chosen by
//! the first byte, and the shell line reader over every line.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ripen::automation::{extract, shell};
use ripen::read::{self, ReadOutcome};

const PATHS: &[&str] = &[
    ".github/workflows/ci.yml",
    ".gitlab-ci.yml",
    "azure-pipelines.yml",
    "Jenkinsfile",
    ".circleci/config.yml",
    "bitbucket-pipelines.yml",
    "cloudbuild.yaml",
    "buildspec.yml",
    "Makefile",
    "dvc.yaml",
    "scripts/train.sh",
    "src/train.py",
    "jobs/train-job.yml",
    ".github/actions/setup/action.yml",
    "prefect.yaml",
    "databricks.yml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let rel = PATHS[usize::from(which) % PATHS.len()];
    if let ReadOutcome::Doc(doc) = read::from_bytes(rel, rest) {
        let _ = extract::extract(&doc);
        let mut cwd = None;
        for line in doc.text.lines() {
            let _ = shell::parse_line(line, &mut cwd);
        }
    }
});
