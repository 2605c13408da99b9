//! Which events start a GitHub job, and whether it is a trial run.
//!
//! A job's `if:` that tests only the event (`github.event_name == 'pull_request'`, alternatives
//! joined by `||`) runs it only for those of the workflow's triggers. A job started only by
//! pull requests that keeps nothing is a trial run of the code (a smoke training on a fixture,
//! a dry run), and so is a job named as a test of the whole (`e2e`, `end-to-end`,
//! `integration`, `smoke`) that keeps nothing, whatever starts it: no step uploads an artefact, pushes, publishes, deploys or comments, and the job
//! holds no credentials (no `secrets.*`, no `github.token`, no `id-token: write` for cloud
//! OIDC), so nothing it computes can leave the runner. What it reaches is exercised, not
//! automated (docs/levels.md, "Known over-detection").

use crate::model::{Command, Trigger, TriggerKind};
use crate::read::structured::Node;
use regex::Regex;
use std::sync::LazyLock;

static NOT_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*\(?\s*github\.event_name\s*!=\s*['"]([a-z_]+)['"]\s*\)?\s*$"#)
        .expect("event exclusion")
});

/// Whether an `if:` condition is always false (`false`, `${{ false }}`).
pub(crate) fn never(cond: &str) -> bool {
    let c = cond.trim();
    let c = c
        .strip_prefix("${{")
        .and_then(|c| c.strip_suffix("}}"))
        .unwrap_or(c);
    matches!(c.trim(), "false" | "False" | "0")
}

/// The kind of trigger a GitHub event name is.
fn event_kind(name: &str) -> TriggerKind {
    match name {
        "push" => TriggerKind::Push,
        "pull_request" | "pull_request_target" | "merge_group" => TriggerKind::PullRequest,
        "schedule" => TriggerKind::Schedule,
        "workflow_dispatch" => TriggerKind::Manual,
        "workflow_call" => TriggerKind::Called,
        "workflow_run" => TriggerKind::PipelineCompletion,
        "release" => TriggerKind::Release,
        _ => TriggerKind::Event,
    }
}

/// The jobs no event starts: their `if:` is always false, or each event it lets through is
/// stopped by one of their `needs:`. GitHub skips a job whose need was skipped unless its `if:` calls `always()`,
/// `failure()` or `cancelled()`, so a job that needs one job run only on schedules and another
/// never run on schedules never runs.
pub(crate) fn unreachable_jobs<'a>(
    jobs: &'a [(String, u32, Node)],
    triggers: &[Trigger],
) -> std::collections::HashSet<&'a str> {
    use std::collections::HashMap;
    fn reach<'a>(
        name: &'a str,
        jobs: &'a [(String, u32, Node)],
        triggers: &[Trigger],
        memo: &mut HashMap<&'a str, Vec<TriggerKind>>,
        depth: usize,
    ) -> Vec<TriggerKind> {
        if let Some(k) = memo.get(name) {
            return k.clone();
        }
        let all: Vec<TriggerKind> = triggers.iter().map(|t| t.kind).collect();
        let Some((_, _, job)) = jobs.iter().find(|(n, _, _)| n == name) else {
            return all;
        };
        let cond = job.get("if").and_then(Node::as_str).unwrap_or("");
        if never(cond) {
            memo.insert(name, Vec::new());
            return Vec::new();
        }
        // The events its condition may hold on (`github.event_name == 'push' && github.ref
        // == 'refs/heads/main'` holds on pushes only).
        let mut kinds: Vec<TriggerKind> = match event_filter(cond, triggers) {
            Some(ts) => ts.iter().map(|t| t.kind).collect(),
            None if cond.is_empty() => all.clone(),
            None => triggers
                .iter()
                .filter(|t| crate::ci::gha_cond::may_hold_on(cond, t, &Default::default()))
                .map(|t| t.kind)
                .collect(),
        };
        let whatever_happened = ["always()", "failure()", "cancelled()"]
            .iter()
            .any(|f| cond.contains(f));
        if !whatever_happened && depth < 64 {
            for need in needs_of(job) {
                let theirs = reach(need, jobs, triggers, memo, depth + 1);
                kinds.retain(|k| theirs.contains(k));
            }
        }
        memo.insert(name, kinds.clone());
        kinds
    }
    let mut memo = HashMap::new();
    if triggers.is_empty() {
        return Default::default();
    }
    jobs.iter()
        .filter(|(n, _, _)| reach(n, jobs, triggers, &mut memo, 0).is_empty())
        .map(|(n, _, _)| n.as_str())
        .collect()
}

/// The jobs a GitHub job `needs:` (one name or a list).
pub(crate) fn needs_of(job: &Node) -> Vec<&str> {
    match job.get("needs") {
        Some(x) => match x.as_str() {
            Some(one) => vec![one],
            None => x.as_seq().iter().filter_map(Node::as_str).collect(),
        },
        None => Vec::new(),
    }
}

/// The workflow's triggers a job's `if:` lets through, when the condition tests the event
/// alone; None when it tests anything else (then every trigger may start it).
pub(crate) fn event_filter(cond: &str, triggers: &[Trigger]) -> Option<Vec<Trigger>> {
    static EVENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*\(?\s*github\.event_name\s*==\s*['"]([a-z_]+)['"]\s*\)?\s*$"#)
            .expect("event test")
    });
    let c = cond.trim();
    let c = c
        .strip_prefix("${{")
        .and_then(|c| c.strip_suffix("}}"))
        .unwrap_or(c);
    // `github.event_name != 'schedule'` (joined by `&&`): every trigger but those.
    if let Some(excluded) = c
        .split("&&")
        .map(|part| NOT_EVENT.captures(part).map(|m| event_kind(&m[1])))
        .collect::<Option<Vec<_>>>()
    {
        let kept: Vec<Trigger> = triggers
            .iter()
            .filter(|t| !excluded.contains(&t.kind))
            .cloned()
            .collect();
        return (!kept.is_empty()).then_some(kept);
    }
    if c.contains("&&") || c.contains('!') {
        return None;
    }
    let mut kinds = Vec::new();
    for alt in c.split("||") {
        kinds.push(event_kind(EVENT.captures(alt)?.get(1)?.as_str()));
    }
    let kept: Vec<Trigger> = triggers
        .iter()
        .filter(|t| kinds.contains(&t.kind))
        .cloned()
        .collect();
    // A condition no trigger meets is left to the workflow's triggers (an event this reader
    // does not name, a typo): never fewer starts than GitHub might make.
    (!kept.is_empty()).then_some(kept)
}

/// Whether a task's name says it tests (`test`, `tests`, `test_examples`, `unit-test`), and
/// names no work besides (`train_test`, `build-and-test`).
pub(crate) fn names_a_test(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let words: Vec<&str> = n.split(['_', '-', ':', '.']).collect();
    words.iter().any(|w| matches!(*w, "test" | "tests"))
        && !words.iter().any(|w| {
            matches!(
                *w,
                "train"
                    | "training"
                    | "retrain"
                    | "deploy"
                    | "release"
                    | "build"
                    | "publish"
                    | "all"
                    | "and"
            )
        })
}

/// Whether a CI step's name says it tries the code out rather than doing the work: a
/// smoke, dummy or sanity run, one on a sample or a tiny subset (`Train sample model`), one
/// "for testing" or "for CI" (`Train dummy model for testing`),
/// or a test (`Test detection`, `Run unit tests`) that names no training. A name that also
/// names a deployment or a release (`Test and deploy`) does the work.
pub(crate) fn names_a_check(name: &str) -> bool {
    static SMOKE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:smoke|dummy|sanity|fixtures?|toy|samples?|tiny|subset)\b|\bfor\s+(?:ci|tests?|testing)\b|\b(?:prerequisite|needed|required)\s+(?:for|by)\s+(?:the\s+)?(?:\w+\s+)?tests?\b")
            .expect("smoke name")
    });
    static TEST_LEAD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\W*(?:run(?:ning)?\s+)?(?:(?:unit|integration|e2e|end-to-end|model|ml|api|smoke|regression)\s+)?tests?\b")
            .expect("test name")
    });
    static TRAINS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:train|training|retrain\w*|fit|fine-?tun\w*)\b").expect("train name")
    });
    static WORKS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:deploy\w*|release\w*|publish\w*|push\w*|promot\w*|register\w*|rollout|ship)\b")
            .expect("work name")
    });
    !WORKS.is_match(name)
        && (SMOKE.is_match(name) || (TEST_LEAD.is_match(name) && !TRAINS.is_match(name)))
}

/// Whether a job started by `triggers` is a trial run: pull requests only, and it keeps
/// nothing (see the module). `root` is the workflow (its `env:` and `permissions:` apply).
pub(crate) fn is_trial(
    root: &Node,
    job: &Node,
    triggers: &[Trigger],
    commands: &[Command],
) -> bool {
    static KEEPS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:git\s+push|docker\s+push|dvc\s+push|aws\s+s3\s+(?:cp|sync|mv)|gsutil\b|gcloud\b|az\s|aws\s|kubectl\b|helm\b|huggingface-cli\s+upload|hf\s+upload|twine\s+upload|gh\s+(?:release|pr|issue|api)\b|cml\b|curl\b[^\n]*-X\s*(?:POST|PUT)|upload|publish|deploy|MLFLOW_TRACKING_URI=https?:)")
            .expect("keeps")
    });
    static KEEPING_ACTION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)upload|publish|deploy|push|release|comment|login|auth|credentials|cml|pages|artifact")
            .expect("keeping action")
    });
    static TEST_JOB: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:e2e|end[- ]to[- ]end|integration|smoke|sanity)\b").expect("test job")
    });
    // Started by pull requests only, or named as a test of the whole (`Example End-to-End
    // (train → serve → test)`, a smoke job) wherever it runs.
    let named_as_test = job
        .get("name")
        .and_then(Node::as_str)
        .is_some_and(|n| TEST_JOB.is_match(n) || names_a_check(n));
    if triggers.is_empty()
        || (!named_as_test && triggers.iter().any(|t| t.kind != TriggerKind::PullRequest))
    {
        return false;
    }
    let mut scalars = Vec::new();
    job.scalars(&mut scalars);
    if let Some(env) = root.get("env") {
        env.scalars(&mut scalars);
    }
    if scalars
        .iter()
        .any(|(s, _)| s.contains("secrets.") || s.contains("github.token"))
    {
        return false;
    }
    for perms in [root.get("permissions"), job.get("permissions")]
        .into_iter()
        .flatten()
    {
        let mut p = Vec::new();
        perms.scalars(&mut p);
        if perms.get("id-token").and_then(Node::as_str) == Some("write")
            || p.iter().any(|(s, _)| *s == "write-all")
        {
            return false;
        }
    }
    for step in job.get("steps").map(Node::as_seq).unwrap_or(&[]) {
        if step
            .get("uses")
            .and_then(Node::as_str)
            .is_some_and(|u| !u.starts_with("./") && KEEPING_ACTION.is_match(u))
        {
            return false;
        }
    }
    // A job calling a reusable workflow or a local action runs steps this check cannot see.
    job.get("uses").is_none()
        && !commands.iter().any(|c| {
            let t = c.text.trim_start();
            if c.shell {
                !t.starts_with('#') && KEEPS.is_match(t)
            } else {
                t.starts_with("./") || t.starts_with("../")
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::yaml::trig;

    /// Step names that say the step only tries the code out, or prepares what tests need.
    #[test]
    fn step_names_that_name_checks() {
        for name in [
            "Train dummy model for testing",
            "Train model (prerequisite for examples tests)",
            "Fit a model needed by the tests",
            "Run unit tests",
            "Train sample model",
            "Train on a tiny subset",
        ] {
            assert!(names_a_check(name), "{name}");
        }
        for name in ["Train model", "Test and deploy", "Retrain and register"] {
            assert!(!names_a_check(name), "{name}");
        }
    }

    #[test]
    fn event_conditions_select_the_workflow_triggers() {
        let t = vec![
            trig(TriggerKind::Push, None, 2),
            trig(TriggerKind::PullRequest, None, 3),
        ];
        let kinds =
            |c: &str| event_filter(c, &t).map(|v| v.iter().map(|t| t.kind).collect::<Vec<_>>());
        assert_eq!(
            kinds("github.event_name == 'pull_request'"),
            Some(vec![TriggerKind::PullRequest])
        );
        assert_eq!(
            kinds("${{ github.event_name == \"push\" || github.event_name == 'pull_request' }}"),
            Some(vec![TriggerKind::Push, TriggerKind::PullRequest])
        );
        assert_eq!(
            kinds("github.event_name != 'pull_request'"),
            Some(vec![TriggerKind::Push])
        );
        assert_eq!(
            kinds("github.event_name == 'pull_request' && github.actor != 'bot'"),
            None
        );
        assert_eq!(kinds("github.ref == 'refs/heads/main'"), None);
        assert_eq!(kinds("github.event_name == 'schedule'"), None);
    }

    /// A job that needs one job run only on schedules and another never run on schedules
    /// runs on no event; one whose `if:` calls `always()` still runs after them.
    #[test]
    fn needs_on_exclusive_events_run_nothing() {
        let text = "jobs:\n  quick:\n    if: github.event_name != 'schedule'\n  full:\n    if: github.event_name == 'schedule'\n  train:\n    needs: [quick, full]\n  report:\n    needs: [quick, full]\n    if: always()\n  after:\n    needs: train\n  lint:\n    needs: quick\n";
        let root = crate::read::structured::parse_yaml(text).unwrap().remove(0);
        let jobs = root.get("jobs").map(Node::entries).unwrap_or(&[]);
        let t = vec![
            trig(TriggerKind::Push, None, 2),
            trig(TriggerKind::PullRequest, None, 3),
            trig(TriggerKind::Schedule, None, 4),
        ];
        let mut dead: Vec<&str> = unreachable_jobs(jobs, &t).into_iter().collect();
        dead.sort();
        assert_eq!(dead, vec!["after", "train"]);
        assert!(unreachable_jobs(jobs, &[]).is_empty());
    }

    #[test]
    fn task_names_that_say_they_test() {
        for n in [
            "test",
            "tests",
            "test_examples",
            "unit-test",
            "test:integration",
        ] {
            assert!(names_a_test(n), "{n}");
        }
        for n in [
            "train",
            "train_test",
            "build-and-test",
            "testing_data",
            "latest",
        ] {
            assert!(!names_a_test(n), "{n}");
        }
    }
}
