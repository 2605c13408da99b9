//! Task files written in Python, read without running them: nox sessions (`noxfile.py`:
//! `@nox.session` functions, whose `session.run("pytest", "tests")` calls are their commands)
//! and invoke tasks (`tasks.py` importing `invoke`: `@task` functions whose `c.run("...")` calls
//! are theirs). Each is a target `nox:NAME` / `invoke:NAME`; `nox` without `-s` runs the target
//! `nox` (the sessions of `nox.options.sessions`, else every session not marked
//! `default=False`). Only string literals are read; anything computed is left out.

use crate::facts::python_defs::{defs, gather};
use crate::model::{BuildTarget, Command, FileFacts, TargetKind};
use crate::read::Document;

/// The top-level arguments of a call whose text starts after its `(`, each trimmed (the
/// nesting of brackets and quotes is followed; the call's `)` ends them).
pub(crate) fn arguments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut d = 0;
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for c in text.chars() {
        match quote {
            Some(q) => {
                if c == q && prev != '\\' {
                    quote = None;
                }
                cur.push(c);
            }
            None => match c {
                '"' | '\'' => {
                    quote = Some(c);
                    cur.push(c);
                }
                '(' | '[' | '{' => {
                    d += 1;
                    cur.push(c);
                }
                ')' | ']' | '}' if d == 0 => break,
                ')' | ']' | '}' => {
                    d -= 1;
                    cur.push(c);
                }
                ',' if d == 0 => out.push(std::mem::take(&mut cur).trim().to_string()),
                _ => cur.push(c),
            },
        }
        prev = c;
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// The text of a plain string literal (`"x"`, `'x'`: no prefix, no quote or escape inside),
/// or `None`: what code names when nothing is computed.
pub(crate) fn plain_literal(arg: &str) -> Option<String> {
    let a = arg.trim();
    let q = a.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = a.strip_prefix(q)?.strip_suffix(q)?;
    (!inner.contains(q) && !inner.contains('\\')).then(|| inner.to_string())
}

/// A string literal's text (`'x'`, `"x"`, `r"x"`, `f"x {y}"`), or `None`.
fn literal(arg: &str) -> Option<String> {
    let a = arg.trim_start_matches(['r', 'R', 'f', 'F', 'b', 'B', 'u', 'U']);
    if a.len() == arg.len() && !arg.starts_with(['"', '\'']) {
        return None;
    }
    for q in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inner) = a.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return Some(inner.to_string());
        }
    }
    None
}

/// The module's string constants (`PROJECT_NAME = "churn"` at the top level), at most 64.
fn module_constants(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, value) in crate::read::aliases::top_level_assignments(text) {
        let v = value.trim();
        if v.starts_with(['f', 'F']) {
            continue;
        }
        if let Some(text) = literal(v).filter(|t| !t.contains(['{', '\n'])) {
            out.push((name.to_string(), text));
        }
        if out.len() >= 64 {
            break;
        }
    }
    out
}

/// The module's lists of strings (`TEST_ARGS = ["pytest", "--cov=pkg", "-vv"]` at the top
/// level, over several lines too), which a call spreads into its arguments (`*TEST_ARGS`).
fn list_constants(lines: &[&str]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some((name, value)) = l.split_once('=') else {
            continue;
        };
        let name = name.trim_end();
        let value = value.trim_start();
        if l.starts_with(char::is_whitespace)
            || name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || !value.starts_with(['[', '('])
        {
            continue;
        }
        let (text, _) = gather(lines, i);
        let Some(open) = text.find(['[', '(']) else {
            continue;
        };
        let words: Vec<Option<String>> = arguments(&text[open + 1..])
            .iter()
            .map(|a| literal(a.trim()))
            .collect();
        if !words.is_empty() && words.iter().all(Option::is_some) {
            out.push((name.to_string(), words.into_iter().flatten().collect()));
        }
        if out.len() >= 64 {
            break;
        }
    }
    out
}

/// An f-string's `{NAME}` fields filled with the module's constants; other text as it is.
fn fill(arg: &str, text: &str, constants: &[(String, String)]) -> String {
    let f = arg
        .trim_start()
        .trim_start_matches(['r', 'R', 'b', 'B'])
        .starts_with(['f', 'F']);
    if !f || !text.contains('{') {
        return text.to_string();
    }
    let mut out = text.to_string();
    for (name, value) in constants {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The calls `PARAM.METHOD(...)` in a body, with their lines and arguments.
fn calls(
    lines: &[&str],
    body: std::ops::Range<usize>,
    param: &str,
    methods: &[&str],
) -> Vec<(u32, String, Vec<String>)> {
    let mut out = Vec::new();
    if param.is_empty() {
        return out;
    }
    for i in body {
        let t = lines[i].trim();
        if t.starts_with('#') {
            continue;
        }
        for m in methods {
            let pat = format!("{param}.{m}(");
            let Some(at) = t.find(&pat) else { continue };
            if at > 0 && t[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let (text, _) = gather(lines, i);
            let start = text.find(&pat).map_or(0, |k| k + pat.len());
            out.push((i as u32 + 1, m.to_string(), arguments(&text[start..])));
        }
    }
    out
}

/// A keyword argument's string value in a decorator (`name="x"`).
fn keyword(decorator: &str, key: &str) -> Option<String> {
    let open = decorator.find('(')?;
    arguments(&decorator[open + 1..]).into_iter().find_map(|a| {
        let (k, v) = a.split_once('=')?;
        (k.trim() == key).then(|| literal(v.trim())).flatten()
    })
}

/// `noxfile.py`: its sessions, or `None` when it has none.
pub(crate) fn noxfile(doc: &Document) -> Option<FileFacts> {
    let lines: Vec<&str> = doc.text.lines().collect();
    let mut targets = Vec::new();
    let mut defaults = Vec::new();
    let lists = list_constants(&lines);
    for d in defs(&lines) {
        let Some(dec) = d.decorators.iter().find(|x| {
            x.starts_with("@nox.session")
                || x.starts_with("@session")
                || x.starts_with("@nox_session")
        }) else {
            continue;
        };
        let name = keyword(dec, "name").unwrap_or_else(|| d.name.to_string());
        let mut t = BuildTarget::empty(&format!("nox:{name}"), d.line);
        t.end = d.body.end as u32;
        let mut cwd: Option<String> = None;
        for (line, method, args) in calls(
            &lines,
            d.body.clone(),
            &d.param,
            &["run", "run_always", "run_install", "notify", "chdir", "cd"],
        ) {
            match method.as_str() {
                "notify" => t.deps.extend(
                    args.first()
                        .and_then(|a| literal(a))
                        .map(|n| format!("nox:{n}")),
                ),
                "chdir" | "cd" => cwd = args.first().and_then(|a| literal(a)),
                _ => {
                    // Literals, and the module's lists spread into the call (`*TEST_ARGS`).
                    let words: Vec<String> = args
                        .iter()
                        .take_while(|a| !is_keyword(a))
                        .map_while(|a| match a.trim().strip_prefix('*') {
                            Some(n) => lists
                                .iter()
                                .find(|(name, _)| name == n.trim())
                                .map(|(_, w)| w.clone()),
                            None => literal(a).map(|w| vec![w]),
                        })
                        .flatten()
                        .collect();
                    if !words.is_empty() {
                        t.commands.push(Command {
                            cwd: cwd.clone(),
                            ..Command::run(line, words.join(" "))
                        });
                    }
                }
            }
        }
        if keyword(dec, "default").is_none()
            && !dec.contains("default=False")
            && !dec.contains("default = False")
        {
            defaults.push(t.name.clone());
        }
        targets.push(t);
    }
    if targets.is_empty() {
        return None;
    }
    // `nox.options.sessions = ["lint", "tests"]` chooses the default sessions.
    let chosen = lines.iter().enumerate().find_map(|(i, l)| {
        let t = l.trim();
        let rest = t
            .strip_prefix("nox.options.sessions")?
            .trim_start()
            .strip_prefix('=')?;
        let (text, _) = gather(&lines, i);
        let open = text.find(['[', '('])?;
        let _ = rest;
        Some(
            arguments(&text[open + 1..])
                .iter()
                .filter_map(|a| literal(a))
                .map(|n| format!("nox:{n}"))
                .collect::<Vec<_>>(),
        )
    });
    let mut default = BuildTarget::empty("nox", 1);
    default.deps = chosen.unwrap_or(defaults);
    targets.insert(0, default);
    Some(FileFacts::Targets {
        kind: TargetKind::Make,
        targets,
    })
}

fn is_keyword(arg: &str) -> bool {
    let head = arg.split('=').next().unwrap_or("");
    arg.contains('=')
        && !head.is_empty()
        && head.trim().chars().all(|c| c.is_alphanumeric() || c == '_')
        && !arg.starts_with(['"', '\''])
}

/// Whether a `tasks.py` is an invoke task file.
pub(crate) fn is_invoke(text: &str) -> bool {
    text.contains("invoke") && text.contains("@task")
}

/// `tasks.py` of invoke: each `@task` function's `c.run("...")` commands; the tasks named
/// in `@task(pre=[...])`, `post=` or `@task(clean, build)` are its dependencies. Names are
/// written as invoke calls them (`build_docs` is `build-docs`).
pub(crate) fn invoke_tasks(doc: &Document) -> Option<FileFacts> {
    let lines: Vec<&str> = doc.text.lines().collect();
    let constants = module_constants(&doc.text);
    let mut targets = Vec::new();
    let dashed = |s: &str| format!("invoke:{}", s.trim().replace('_', "-"));
    for d in defs(&lines) {
        let Some(dec) = d
            .decorators
            .iter()
            .find(|x| x.starts_with("@task") || x.starts_with("@invoke.task"))
        else {
            continue;
        };
        let name = keyword(dec, "name").unwrap_or_else(|| d.name.to_string());
        let mut t = BuildTarget::empty(&dashed(&name), d.line);
        t.end = d.body.end as u32;
        if let Some(open) = dec.find('(') {
            for a in arguments(&dec[open + 1..]) {
                let (k, v) = a.split_once('=').unwrap_or(("", a.as_str()));
                let k = k.trim();
                if k.is_empty() || k == "pre" || k == "post" {
                    let v = v
                        .trim()
                        .trim_start_matches(['[', '('])
                        .trim_end_matches([']', ')']);
                    for n in v.split(',').map(str::trim) {
                        if !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_') {
                            t.deps.push(dashed(n));
                        }
                    }
                }
            }
        }
        for (line, _, args) in calls(&lines, d.body.clone(), &d.param, &["run", "sudo"]) {
            let Some(first) = args.first() else { continue };
            let first = first.split(" + ").next().unwrap_or(first);
            if let Some(cmd) = literal(first) {
                t.commands
                    .push(Command::run(line, fill(first, &cmd, &constants).trim()));
            }
        }
        targets.push(t);
    }
    (!targets.is_empty()).then_some(FileFacts::Targets {
        kind: TargetKind::Make,
        targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read = Vec<(String, Vec<String>, Vec<(u32, String)>)>;

    fn read(f: Option<FileFacts>) -> Read {
        match f {
            Some(FileFacts::Targets { targets, .. }) => targets
                .into_iter()
                .map(|t| {
                    (
                        t.name,
                        t.deps,
                        t.commands.into_iter().map(|c| (c.line, c.text)).collect(),
                    )
                })
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nox_sessions_and_their_runs() {
        let text = "import nox\n\n\n@nox.session(python=[\"3.10\", \"3.11\"])\ndef tests(session):\n    session.install(\"-e\", \".[test]\")\n    session.run(\n        \"pytest\",\n        \"tests/unit\",\n        *session.posargs,\n    )\n    session.notify(\"train\")\n\n\n@nox.session(name=\"train\", default=False)\ndef train_model(s):\n    s.chdir(\"ml\")\n    s.run(\"python\", \"train.py\", \"--epochs\", EPOCHS, env={\"A\": \"1\"})\n\n@nox.session\ndef lint(session):\n    session.run(\"ruff\", \"check\", \".\")  # session.run(\"python\", \"x.py\")\n";
        let t = read(noxfile(&Document::new("noxfile.py", text.to_string())));
        assert_eq!(t[0].0, "nox");
        assert_eq!(t[0].1, vec!["nox:tests", "nox:lint"]);
        assert_eq!(
            t[1],
            (
                "nox:tests".into(),
                vec!["nox:train".into()],
                vec![(7, "pytest tests/unit".into())]
            )
        );
        assert_eq!(t[2].0, "nox:train");
        assert_eq!(t[2].2, vec![(18, "python train.py --epochs".into())]);
        assert_eq!(t[3].2, vec![(22, "ruff check .".into())]);
        let t = read(noxfile(&Document::new(
            "noxfile.py",
            "import nox\nnox.options.sessions = [\"lint\"]\n@nox.session\ndef lint(session):\n    session.run(\"flake8\")\n@nox.session\ndef tests(session):\n    session.run(\"pytest\")\n".into(),
        )));
        assert_eq!(t[0].1, vec!["nox:lint"]);
        assert!(noxfile(&Document::new("noxfile.py", "import nox\n".into())).is_none());
        // A module's list of arguments spread into the call.
        let t = read(noxfile(&Document::new(
            "noxfile.py",
            "import nox\nTEST_ARGS = [\n    \"pytest\",\n    \"--cov=pkg\",\n]\n@nox.session(name=\"unit\")\ndef unit(session):\n    session.run(*TEST_ARGS, \"-n\", \"auto\", \"tests/unit\")\n".into(),
        )));
        assert_eq!(
            t[1].2,
            vec![(8, "pytest --cov=pkg -n auto tests/unit".into())]
        );
    }

    #[test]
    fn invoke_tasks_and_their_runs() {
        let text = "from invoke import task\n\n@task\ndef clean(c):\n    c.run(\"rm -rf build\")\n\n@task(pre=[clean])\ndef build_docs(c, fast=False):\n    c.run(f\"sphinx-build docs build/{x}\", pty=True)\n\n@task(clean, name=\"train\")\ndef train_model(ctx):\n    ctx.run(\"python train.py \" + args)\n    helper.run(\"not this\")\n";
        assert!(is_invoke(text));
        let t = read(invoke_tasks(&Document::new("tasks.py", text.to_string())));
        assert_eq!(
            t[0],
            (
                "invoke:clean".into(),
                vec![],
                vec![(5, "rm -rf build".into())]
            )
        );
        assert_eq!(t[1].0, "invoke:build-docs");
        assert_eq!(t[1].1, vec!["invoke:clean"]);
        assert_eq!(t[1].2, vec![(9, "sphinx-build docs build/{x}".into())]);
        assert_eq!(
            t[2],
            (
                "invoke:train".into(),
                vec!["invoke:clean".into()],
                vec![(13, "python train.py".into())]
            )
        );
        assert!(!is_invoke(
            "from celery import shared_task\n@shared_task\ndef f(): pass\n"
        ));
        // An f-string's fields that name the module's string constants are filled in.
        let text = "from invoke import task\nPROJECT_NAME = \"churn\"\n\n@task\ndef train(ctx):\n    ctx.run(f\"python src/{PROJECT_NAME}/train.py fit --seed={seed}\")\n";
        let t = read(invoke_tasks(&Document::new("tasks.py", text.to_string())));
        assert_eq!(
            t[0].2,
            vec![(6, "python src/churn/train.py fit --seed={seed}".into())]
        );
    }
}
