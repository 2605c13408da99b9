//! Where CI jobs fail for good, as one question the assessment steps ask.
//!
//! Two readings find a failing job. The automation graph finds the lines that never run
//! ([`crate::graph::Automation::stopped`]): a step that needs a script, a specification or a
//! requirements file the repository does not hold, a script that cannot parse, a job that
//! waits for one that always fails. And [`crate::assess::facets::what_cannot_run`] finds
//! commands that run but fail: `dvc repro` with no `dvc.yaml`, a test runner with no tests.
//! A job with either after a given line does not get past it on any change.

use crate::model::Job;
use std::collections::HashMap;

/// The failing lines of every CI file.
pub(crate) struct Failing<'a> {
    /// Per file, the line ranges that never run (the graph's reading).
    stopped: &'a HashMap<String, Vec<(u32, u32, String)>>,
    /// Per file, the lines of commands that run and fail.
    fail: HashMap<String, Vec<u32>>,
}

impl<'a> Failing<'a> {
    /// From the graph's stopped ranges and failing lines ([`crate::graph::Automation`]) and
    /// the commands that fail when run.
    pub(crate) fn new(
        stopped: &'a HashMap<String, Vec<(u32, u32, String)>>,
        fails: &HashMap<String, Vec<u32>>,
        failing_commands: Vec<(String, u32)>,
    ) -> Self {
        let mut fail: HashMap<String, Vec<u32>> = fails.clone();
        for (path, line) in failing_commands {
            fail.entry(path).or_default().push(line);
        }
        Failing { stopped, fail }
    }

    /// Whether `job` of the CI file `path` fails for good at `line` or after it: a range of
    /// it from there on never runs, or a command of it from there on fails.
    pub(crate) fn job_fails_from(&self, path: &str, job: &Job, line: u32) -> bool {
        let (from, end) = (line.max(job.line), job.end);
        let never = self
            .stopped
            .get(path)
            .is_some_and(|r| r.iter().any(|&(a, b, _)| a <= end && b >= from));
        let fails = self
            .fail
            .get(path)
            .is_some_and(|ls| ls.iter().any(|&l| from <= l && l <= end));
        never || fails
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Command;

    #[test]
    fn a_job_fails_from_a_line_when_a_later_part_never_runs_or_a_later_command_fails() {
        let job = Job::new(
            "train",
            (5, 12),
            Vec::new(),
            vec![Command::run(7, "pip install -r requirements.txt")],
        );
        let mut stopped = HashMap::new();
        stopped.insert(
            "ci.yml".to_string(),
            vec![(10, 12, "after a step that needs `x.py`".to_string())],
        );
        let f = Failing::new(&stopped, &HashMap::new(), Vec::new());
        assert!(f.job_fails_from("ci.yml", &job, 7));
        assert!(!f.job_fails_from("other.yml", &job, 7));
        // A range before the line, or in another job, does not stop it.
        let mut before = HashMap::new();
        before.insert("ci.yml".to_string(), vec![(2, 4, "x".to_string())]);
        assert!(
            !Failing::new(&before, &HashMap::new(), Vec::new()).job_fails_from("ci.yml", &job, 7)
        );
        let empty = HashMap::new();
        let f = Failing::new(&empty, &HashMap::new(), vec![("ci.yml".into(), 9)]);
        assert!(f.job_fails_from("ci.yml", &job, 7));
        assert!(!f.job_fails_from("ci.yml", &job, 10));
        let f = Failing::new(&empty, &HashMap::new(), vec![("ci.yml".into(), 14)]);
        assert!(!f.job_fails_from("ci.yml", &job, 7));
    }
}
