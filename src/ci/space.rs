//! JetBrains Space Automation: `.space.kts` at the root (and the `.kts` files of `.space/`),
//! Kotlin scripts of `job("name") { ... }` blocks. A job runs on every push to the repository
//! unless its `startOn { }` says otherwise (`gitPush { }`, possibly `enabled = false`;
//! `schedule { cron("...") }`; `codeReviewOpened { }`), and a person may run any job by hand.
//! Its steps run in containers or on hosts: a `shellScript` runs its `content` (each line a
//! command) or the script at its `location`; `entrypoint("python")` with `args("src/train.py")`
//! runs that command; `dockerBuildPush { file = ...; context = ... }` builds an image;
//! `gradle(...)` runs Gradle. The repository is checked out under `/mnt/space/work/`.

use crate::ci::CiSystem;
use crate::facts::yaml::trig;
use crate::model::{Command, FileFacts, Job, Trigger, TriggerKind};
use crate::read::Document;
use regex::Regex;
use std::sync::LazyLock;

/// JetBrains Space Automation.
pub(crate) struct Space;

/// Where the checkout is mounted in a step's container.
const WORK: &str = "/mnt/space/work/";

/// The quoted strings of a call's arguments (`args("a", "b")`).
fn strings(s: &str) -> Vec<String> {
    static STR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""((?:[^"\\]|\\.)*)""#).expect("kotlin string"));
    STR.captures_iter(s).map(|c| c[1].to_string()).collect()
}

/// A path as the repository knows it: without the checkout's mount point.
fn local(s: &str) -> String {
    s.strip_prefix(WORK).unwrap_or(s).to_string()
}

/// The triggers of a job whose lines are `lines` (the job's own, from its `job(` line).
fn job_triggers(lines: &[&str], first: u32) -> Vec<Trigger> {
    static CRON: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\bcron\s*\(\s*"([^"]*)""#).expect("space cron"));
    let mut out = vec![trig(TriggerKind::Manual, None, first)];
    let Some(start) = lines.iter().position(|l| l.contains("startOn")) else {
        out.push(trig(TriggerKind::Push, None, first));
        return out;
    };
    let at = |i: usize| first + i as u32;
    let mut push = None;
    for (i, l) in lines.iter().enumerate().skip(start) {
        if l.contains("gitPush") {
            push = Some(at(i));
        }
        if push.is_some() && l.contains("enabled") && l.contains("false") {
            push = None;
        }
        if let Some(c) = CRON.captures(l) {
            out.push(trig(TriggerKind::Schedule, Some(c[1].to_string()), at(i)));
        }
        if l.contains("codeReviewOpened") || l.contains("codeReviewClosed") {
            out.push(trig(TriggerKind::PullRequest, None, at(i)));
        }
    }
    if let Some(line) = push {
        out.push(trig(TriggerKind::Push, None, line));
    }
    out
}

/// The commands of a job's lines.
fn job_commands(lines: &[&str], first: u32) -> Vec<Command> {
    static CONTENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\bcontent\s*=\s*(?:"""(.*)|"((?:[^"\\]|\\.)*)")"#).expect("space content")
    });
    static LOCATION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\blocation\s*=\s*"([^"]+)""#).expect("space location"));
    static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*entrypoint\s*\(\s*"([^"]+)""#).expect("space entrypoint")
    });
    static ARGS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*args\s*\((.*)\)").expect("space args"));
    static FILE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*(file|context)\s*=\s*"([^"]+)""#).expect("space file"));
    static GRADLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\bgradlew?\s*\((.*)\)").expect("space gradle"));
    let at = |i: usize| first + i as u32;
    let (mut out, mut entry, mut docker): (Vec<Command>, Option<String>, Option<u32>) =
        (Vec::new(), None, None);
    let (mut file, mut context) = ("Dockerfile".to_string(), ".".to_string());
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.contains("container(") || l.contains("host(") {
            entry = None;
        }
        if let Some(c) = CONTENT.captures(l) {
            match (c.get(1), c.get(2)) {
                (Some(opening), _) => {
                    let mut body = vec![(i, opening.as_str().to_string())];
                    let mut j = i;
                    while !body.last().is_some_and(|(_, t)| t.contains("\"\"\""))
                        && j + 1 < lines.len()
                    {
                        j += 1;
                        body.push((j, lines[j].to_string()));
                    }
                    for (k, t) in body {
                        let t = t.split("\"\"\"").next().unwrap_or("").trim().to_string();
                        if !t.is_empty() {
                            out.push(Command::run(at(k), local(&t)));
                        }
                    }
                    i = j;
                }
                (None, Some(one)) => out.push(Command::run(at(i), local(one.as_str()))),
                _ => {}
            }
        } else if let Some(c) = LOCATION.captures(l) {
            out.push(Command::run(at(i), format!("sh {}", local(&c[1]))));
        } else if let Some(c) = ENTRY.captures(l) {
            entry = Some(c[1].to_string());
        } else if let Some(c) = ARGS.captures(l) {
            let args: Vec<String> = strings(&c[1]).iter().map(|a| local(a)).collect();
            if let Some(e) = &entry {
                out.push(Command::run(at(i), format!("{e} {}", args.join(" "))));
            }
        } else if l.contains("dockerBuildPush") {
            docker = Some(at(i));
            (file, context) = ("Dockerfile".to_string(), ".".to_string());
        } else if let (Some(c), Some(_)) = (FILE.captures(l), docker) {
            match &c[1] {
                "file" => file = local(&c[2]),
                _ => context = local(&c[2]),
            }
        } else if let Some(c) = GRADLE.captures(l) {
            out.push(Command::run(
                at(i),
                format!("gradle {}", strings(&c[1]).join(" ")),
            ));
        }
        if let Some(line) = docker
            && l.trim() == "}"
        {
            out.push(Command::run(
                line,
                format!("docker build -f {file} {context}"),
            ));
            docker = None;
        }
        i += 1;
    }
    if let Some(line) = docker {
        out.push(Command::run(
            line,
            format!("docker build -f {file} {context}"),
        ));
    }
    out
}

fn space(doc: &Document) -> FileFacts {
    static JOB: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*job\s*\(\s*"([^"]*)""#).expect("space job"));
    let lines: Vec<&str> = doc.text.lines().collect();
    let depth = crate::facts::braces::scan(&doc.text).line_depths;
    let mut jobs = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(c) = JOB.captures(l).filter(|_| depth.get(i) == Some(&0)) else {
            continue;
        };
        // The job ends on the first later line whose depth is back to the job's.
        let end = (i + 1..lines.len())
            .find(|&j| depth.get(j + 1).is_none_or(|d| *d <= 0))
            .unwrap_or(lines.len().saturating_sub(1));
        let body = &lines[i..=end];
        let first = i as u32 + 1;
        jobs.push(Job::new(
            c[1].to_string(),
            (first, end as u32 + 1),
            job_triggers(body, first),
            job_commands(body, first),
        ));
    }
    FileFacts::Entry {
        system: "space",
        includes: Vec::new(),
        name: None,
        triggers: Vec::new(),
        jobs,
    }
}

impl CiSystem for Space {
    fn id(&self) -> &'static str {
        "space"
    }
    fn at(&self, rel: &str) -> bool {
        crate::paths::file_name(rel) == ".space.kts"
            || ((rel.starts_with(".space/") || rel.contains("/.space/")) && rel.ends_with(".kts"))
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        Some(space(doc))
    }
    fn fixed_location(&self, rel: &str) -> bool {
        self.at(rel)
    }
    /// Space reads the root `.space.kts` and the root `.space/` folder.
    fn copy(&self, rel: &str) -> Option<String> {
        let root = match rel.find(".space/") {
            Some(i) => &rel[..i],
            None => crate::paths::parent(rel),
        };
        crate::ci::copy_below(
            self.at(rel),
            root.trim_end_matches('/'),
            "JetBrains Space reads the root `.space.kts` and `.space/`",
        )
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                ".space.kts",
                "job(\"Train\") {\n    container(\"tensorflow/tensorflow:2.2.0\") {\n        entrypoint(\"python\")\n        args(\"/mnt/space/work/src/train.py\", \"/mnt/space/share/model\")\n    }\n}\n",
            ),
            (
                ".space/ci.kts",
                "job(\"Tests\") {\n    startOn {\n        codeReviewOpened {}\n    }\n    container(\"python:3.11\") {\n        shellScript {\n            content = \"\"\"\n                pip install -r requirements.txt\n                pytest tests\n            \"\"\"\n        }\n    }\n}\n",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_triggers_and_commands() {
        let text = "// CI\njob(\"Build and test\") {\n    startOn {\n        gitPush { enabled = false }\n        schedule { cron(\"0 8 * * *\") }\n    }\n    container(\"python:3.11\") {\n        shellScript {\n            content = \"\"\"\n                pip install -r requirements.txt\n                pytest tests\n            \"\"\"\n        }\n    }\n    host(\"Image\") {\n        dockerBuildPush {\n            file = \"docker/Dockerfile\"\n            context = \"docker\"\n        }\n    }\n}\n\njob(\"Deploy\") {\n    container(\"alpine\") {\n        shellScript { location = \"./deploy.sh\" }\n    }\n}\n";
        let (_, jobs) = crate::ci::read_entry(&Space, ".space.kts", text);
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        let (a, b) = (&jobs[0], &jobs[1]);
        assert_eq!((a.name.as_str(), a.line, a.end), ("Build and test", 2, 21));
        let kinds: Vec<TriggerKind> = a.triggers.iter().map(|t| t.kind).collect();
        assert_eq!(kinds, vec![TriggerKind::Manual, TriggerKind::Schedule]);
        let texts: Vec<&str> = a.commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "pip install -r requirements.txt",
                "pytest tests",
                "docker build -f docker/Dockerfile docker"
            ]
        );
        assert_eq!(a.commands[1].line, 11);
        // No `startOn`: every push, and a person's run.
        assert!(b.triggers.iter().any(|t| t.kind == TriggerKind::Push));
        assert_eq!(b.commands[0].text, "sh ./deploy.sh");
        assert_eq!((b.line, b.end), (23, 27));
    }

    #[test]
    fn copies_below_the_root_run_nothing_here() {
        assert!(Space.copy("sub/.space.kts").is_some());
        assert!(Space.copy("sub/.space/ci.kts").is_some());
        assert!(Space.copy(".space.kts").is_none());
        assert!(Space.copy(".space/ci.kts").is_none());
    }
}
