//! Reading commands out of YAML documents (CI files, job specs, pipelines): which keys hold
//! shell commands, which name the directory a job runs in, and how `run: |` blocks split into
//! lines. Shared by every YAML-based CI system and orchestrator.

use crate::model::{Command, FileFacts, Job, Trigger, TriggerKind};
use crate::paths::{file_name, parent};
use crate::read::Document;
use crate::read::structured::{Node, Value};

/// Keys whose values are shell commands in the CI systems and job specs ripen reads; every
/// other scalar is only a reference (a template, an include, a `code:` directory).
pub(crate) const SHELL_KEYS: &[&str] = &[
    "run",
    "script",
    "scripts",
    "before_script",
    "after_script",
    "bash",
    "sh",
    "pwsh",
    "powershell",
    "inlineScript",
    "commands",
    "command",
    "cmd",
    "args",
    "entrypoint",
    "entryPoint",
    "install",
    "before_install",
    "build",
];

/// Every scalar below `node` as a command; `shell` says whether scalars outside any known
/// key (e.g. a list at the top) are shell commands. `here` is the file's directory, for
/// `code:` directories.
pub(crate) fn scalar_commands(node: &Node, shell: bool, here: &str) -> Vec<Command> {
    let mut out = Vec::new();
    collect_commands(node, shell, &mut out, 0, None, here);
    out
}

/// Keys naming the directory where a job spec's command runs (Azure ML `code:`, SageMaker
/// `source_dir`, ...), relative to the spec's own file.
pub(crate) const CODE_KEYS: &[&str] = &[
    "code",
    "source_dir",
    "source_directory",
    "code_dir",
    "working_dir",
    "workingDir",
];

/// An Azure Pipelines step's (or task's `inputs:`) `workingDirectory:` (`cwd:`, its alias in
/// the script tasks' inputs): from the checkout's root, or a variable its reader resolves
/// (`$(ml-path)`).
fn working_directory(entries: &[(String, u32, Node)]) -> Option<String> {
    entries
        .iter()
        .find(|(k, _, _)| k == "workingDirectory" || k == "cwd")
        .and_then(|(_, _, v)| v.as_str())
        .filter(|d| !d.is_empty() && !d.contains("${{"))
        .map(|d| {
            if d.starts_with('$') {
                d.to_string()
            } else {
                format!("/{}", d.trim_start_matches("./").trim_start_matches('/'))
            }
        })
}

/// Keys whose list value is one command line (container specs), not a list of lines.
pub(crate) const ARGV_KEYS: &[&str] = &["command", "args", "entrypoint", "entryPoint", "cmd"];

/// Joins argv tokens into a command line the shell reader splits back the same way.
pub(crate) fn shell_join<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    tokens
        .into_iter()
        .map(|t| {
            if t.is_empty() {
                "''".to_string()
            } else if t.chars().any(char::is_whitespace) || t.contains(';') || t.contains('&') {
                if t.contains('\'') {
                    format!("\"{t}\"")
                } else {
                    format!("'{t}'")
                }
            } else {
                t.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn seq_scalars(n: &Node) -> Option<Vec<&str>> {
    match &n.value {
        Value::Seq(items) => items.iter().map(Node::as_str).collect(),
        _ => None,
    }
}

/// A local directory path (not `azureml:`, a URL or a template expression).
pub(crate) fn local_dir(s: &str) -> bool {
    !s.is_empty()
        && !s.contains(':')
        && !s.contains('$')
        && !s.contains("{{")
        && !s.contains('\n')
        && s.len() < 300
}

pub(crate) fn collect_commands(
    node: &Node,
    shell: bool,
    out: &mut Vec<Command>,
    depth: usize,
    cwd: Option<&str>,
    here: &str,
) {
    if depth > 64 {
        return;
    }
    match &node.value {
        Value::Scalar(s) => push_block(out, s, node.line, shell, cwd),
        Value::Seq(items) => {
            // A list of command lines runs in one shell (GitLab `script:`, Bitbucket, Drone,
            // Buildkite, Travis): a `cd` item moves the items after it. Lists of steps (maps)
            // run each in a shell of its own.
            let mut now = cwd.map(str::to_string);
            for i in items {
                collect_commands(i, shell, out, depth + 1, now.as_deref(), here);
                if let (true, Some(s)) = (shell, i.as_str()) {
                    now = crate::shell::cd::after_block(now.as_deref(), s);
                }
            }
        }
        Value::Map(entries) => {
            let code = entries
                .iter()
                .find(|(k, _, v)| {
                    CODE_KEYS.contains(&k.as_str()) && v.as_str().is_some_and(local_dir)
                })
                .and_then(|(_, _, v)| v.as_str())
                .and_then(|c| crate::paths::join(here, c.trim_start_matches("./")))
                .map(|p| format!("/{p}"));
            let working = working_directory(entries);
            let cwd = code.as_deref().or(working.as_deref()).or(cwd);
            // A container's working directory in its image (`workingDir: /app`): the relative
            // scripts its command names are there (`/app/monitoring/check.py`), which the graph
            // maps back onto the repository as any image path.
            let image_dir = entries
                .iter()
                .find(|(k, _, _)| matches!(k.as_str(), "workingDir" | "working_dir"))
                .and_then(|(_, _, v)| v.as_str())
                .filter(|d| d.starts_with('/') && d.len() > 1 && !d.contains('$'));
            let in_image = |t: &str| -> String {
                match image_dir {
                    Some(d)
                        if !t.starts_with(['-', '/', '$'])
                            && t.contains('/')
                            && [".py", ".sh", ".R", ".ipynb"]
                                .iter()
                                .any(|e| t.ends_with(e)) =>
                    {
                        format!("{}/{}", d.trim_end_matches('/'), t.trim_start_matches("./"))
                    }
                    _ => t.to_string(),
                }
            };
            // `command: [python, train.py]` + `args: [--epochs, "3"]`: one command line.
            let argv: Vec<&Node> = ["command", "args"]
                .iter()
                .filter_map(|k| node.get(k))
                .collect();
            let joined = !argv.is_empty()
                && argv.iter().any(|n| seq_scalars(n).is_some())
                && argv
                    .iter()
                    .all(|n| seq_scalars(n).is_some() || n.as_str().is_some());
            if joined {
                let mut toks: Vec<&str> = Vec::new();
                for n in &argv {
                    match seq_scalars(n) {
                        Some(v) => toks.extend(v),
                        None => toks.extend(n.as_str()),
                    }
                }
                let toks: Vec<String> = toks.into_iter().map(in_image).collect();
                out.push(Command {
                    line: argv[0].line,
                    text: shell_join(toks.iter().map(String::as_str)),
                    shell: true,
                    cwd: cwd.map(str::to_string),
                });
            }
            for (k, _, v) in entries {
                if joined && (k == "command" || k == "args") {
                    continue;
                }
                if ARGV_KEYS.contains(&k.as_str())
                    && let Some(toks) = seq_scalars(v)
                {
                    let toks: Vec<String> = toks.into_iter().map(in_image).collect();
                    out.push(Command {
                        line: v.line,
                        text: shell_join(toks.iter().map(String::as_str)),
                        shell: true,
                        cwd: cwd.map(str::to_string),
                    });
                    continue;
                }
                let is_shell = SHELL_KEYS.contains(&k.as_str());
                // Azure Pipelines' `pwsh:` and `powershell:` steps: backslashes are paths.
                if let ("pwsh" | "powershell", Some(s)) = (k.as_str(), v.as_str()) {
                    push_block(out, &crate::shell::windows_paths(s), v.line, true, cwd);
                    continue;
                }
                collect_commands(v, is_shell, out, depth + 1, cwd, here);
            }
        }
        Value::Null => {}
    }
}

/// A multi-line scalar (`run: |`) starts on the line after its key.
pub(crate) fn push_block(
    out: &mut Vec<Command>,
    s: &str,
    line: u32,
    shell: bool,
    cwd: Option<&str>,
) {
    if s.contains('\n') {
        // One `run: |` block is one shell: a `cd` on its own line moves the lines after it.
        let mut cwd = cwd.map(str::to_string);
        // A line continued with `\` is one command with the lines it continues on.
        let lines = if shell {
            crate::shell::logical_lines(s)
        } else {
            s.lines().map(str::to_string).enumerate().collect()
        };
        for (i, l) in lines {
            if l.trim().is_empty() {
                continue;
            }
            let next = if shell {
                crate::shell::cd::block_line(cwd.as_deref(), &l)
            } else {
                cwd.clone()
            };
            out.push(Command {
                line: line + 1 + i as u32,
                text: l,
                shell,
                cwd: std::mem::replace(&mut cwd, next),
            });
        }
    } else if !s.trim().is_empty() {
        out.push(Command {
            line,
            text: s.to_string(),
            shell,
            cwd: cwd.map(str::to_string),
        });
    }
}

/// Line ranges of a mapping's entries: each runs to the line before the next key.
pub(crate) fn ranges(entries: &[(String, u32, Node)], end: u32) -> Vec<(u32, u32)> {
    entries
        .iter()
        .enumerate()
        .map(|(i, (_, l, _))| {
            let next = entries
                .get(i + 1)
                .map(|(_, nl, _)| nl.saturating_sub(1))
                .unwrap_or(end);
            (*l, next.max(*l))
        })
        .collect()
}

pub(crate) fn entry(system: &'static str, triggers: Vec<Trigger>, jobs: Vec<Job>) -> FileFacts {
    FileFacts::Entry {
        system,
        triggers,
        jobs,
        includes: Vec::new(),
        name: None,
    }
}

pub(crate) fn whole_job(end: u32, commands: Vec<Command>) -> Vec<Job> {
    vec![Job::new(String::new(), (1, end), Vec::new(), commands)]
}

pub(crate) fn str_at<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
    let mut cur = n;
    for k in path {
        cur = cur.get(k)?;
    }
    cur.as_str()
}

pub(crate) fn trig(kind: TriggerKind, detail: Option<String>, line: u32) -> Trigger {
    Trigger {
        kind,
        detail,
        line,
        paths: Vec::new(),
    }
}

/// Every scalar value of `key` anywhere below `node`.
pub(crate) fn collect_key(node: &Node, key: &str, out: &mut Vec<(String, u32)>, depth: usize) {
    if depth > 64 {
        return;
    }
    match &node.value {
        Value::Map(entries) => {
            for (k, _, v) in entries {
                if k == key
                    && let Some(s) = v.as_str()
                {
                    out.push((s.to_string(), v.line));
                }
                collect_key(v, key, out, depth + 1);
            }
        }
        Value::Seq(items) => items
            .iter()
            .for_each(|i| collect_key(i, key, out, depth + 1)),
        _ => {}
    }
}

/// A parsed YAML file, as the systems that read YAML see it.
pub struct Yaml<'a> {
    pub rel: &'a str,
    /// Every document of the file (`---`), the first one being `root`.
    pub docs: &'a [Node],
    pub root: &'a Node,
    /// The file's last line: where the last job or stage ends.
    pub end: u32,
    /// The file's directory, relative to the root.
    pub here: String,
}

impl<'a> Yaml<'a> {
    /// The file's documents, or None when it does not parse or is empty.
    pub(crate) fn of(doc: &'a Document) -> Option<Yaml<'a>> {
        let docs = doc.structured().ok()?;
        Some(Yaml {
            rel: &doc.rel,
            root: docs.first()?,
            docs,
            end: doc.text.lines().count() as u32,
            here: parent(&doc.rel).to_string(),
        })
    }

    pub(crate) fn name(&self) -> &str {
        file_name(self.rel)
    }
}

/// One job per item of a list (steps, included jobs), each running to the line before the
/// next; `job` gives an item's name and commands.
pub(crate) fn item_jobs<'a>(
    items: &[&'a Node],
    end: u32,
    job: impl Fn(usize, &'a Node) -> (String, Vec<Command>),
) -> Vec<Job> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let (name, commands) = job(i, item);
            let end = items
                .get(i + 1)
                .map(|n| n.line.saturating_sub(1))
                .unwrap_or(end);
            Job::new(name, (item.line, end.max(item.line)), Vec::new(), commands)
        })
        .collect()
}
