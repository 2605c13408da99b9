//! tox environments as targets: `tox.ini`, `setup.cfg` (`[tox:tox]`, `[testenv...]`),
//! `pyproject.toml` (`[tool.tox] legacy_tox_ini`, or the native `[tool.tox]` tables) and
//! `tox.toml`. `[testenv:NAME]` is the target `tox:NAME` with its `commands_pre`, `commands`
//! and `commands_post`; `[testenv]` is `tox:*`, which every environment without commands of
//! its own runs; `tox` (no `-e`) is the target `tox`, whose dependencies are the `env_list`.
//! Substitutions are read the way tox fills them for a plain run: `{posargs:tests}` is
//! `tests`, `{envpython}` is `python`, `{[testenv]commands}` runs that section's commands.

use crate::facts::toml_tasks::Lines;
use crate::model::{BuildTarget, Command, FileFacts, TargetKind};
use crate::read::Document;
use toml::Value;

/// `tox.ini`, or the tox sections of `setup.cfg`.
pub(crate) fn tox_ini(doc: &Document) -> Option<FileFacts> {
    targets(ini(&doc.text, 1))
}

/// `tox.toml`: the native configuration at the top of the file.
pub(crate) fn tox_toml(doc: &Document) -> Option<FileFacts> {
    let t: toml::Table = toml::from_str(&doc.text).ok()?;
    let lines = Lines::of_text(&doc.text);
    targets(native(&t, &|p| lines.of(p)))
}

fn targets(targets: Vec<BuildTarget>) -> Option<FileFacts> {
    (!targets.is_empty()).then_some(FileFacts::Targets {
        kind: TargetKind::Make,
        targets,
    })
}

/// Expansions of one generative name (`py{38,39}-django{3,4}`) kept at most.
const MAX_EXPANSIONS: usize = 64;

/// One section of an INI file: its name, header line, and keys with their value lines.
struct Section {
    name: String,
    line: u32,
    keys: Vec<(String, Vec<(u32, String)>)>,
}

impl Section {
    fn get(&self, key: &str) -> Option<&[(u32, String)]> {
        self.keys
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }
}

/// The sections of an INI text whose first line is line `first` of its file.
fn sections(text: &str, first: u32) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = first + i as u32;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if !raw.starts_with([' ', '\t']) && t.starts_with('[') && t.ends_with(']') {
            out.push(Section {
                name: t[1..t.len() - 1].trim().to_string(),
                line: n,
                keys: Vec::new(),
            });
            continue;
        }
        let Some(s) = out.last_mut() else { continue };
        if raw.starts_with([' ', '\t']) {
            if let Some((_, v)) = s.keys.last_mut() {
                v.push((n, t.to_string()));
            }
        } else if let Some((k, v)) = t.split_once('=') {
            let mut values = Vec::new();
            if !v.trim().is_empty() {
                values.push((n, v.trim().to_string()));
            }
            s.keys.push((k.trim().to_string(), values));
        }
    }
    out
}

/// tox's targets in an INI text (`tox.ini`, `setup.cfg`, a `legacy_tox_ini` string starting on
/// line `first`). `setup.cfg` names the main section `[tox:tox]`.
pub(crate) fn ini(text: &str, first: u32) -> Vec<BuildTarget> {
    let secs = sections(text, first);
    let env_list: Vec<String> = secs
        .iter()
        .filter(|s| s.name == "tox" || s.name == "tox:tox")
        .filter_map(|s| s.get("envlist").or_else(|| s.get("env_list")))
        .flat_map(|v| env_names(&v.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>()))
        .collect();
    let mut envs: Vec<BuildTarget> = Vec::new();
    let base = secs.iter().find(|s| s.name == "testenv");
    for s in &secs {
        let names = if s.name == "testenv" {
            vec!["*".to_string()]
        } else if let Some(n) = s.name.strip_prefix("testenv:") {
            expand(n.trim())
        } else {
            continue;
        };
        let cwd = s
            .get("changedir")
            .or_else(|| s.get("change_dir"))
            .or_else(|| base.and_then(|b| b.get("changedir").or_else(|| b.get("change_dir"))))
            .and_then(|v| v.first())
            .map(|(_, d)| dir_of(d));
        let mut t = BuildTarget::empty("", s.line);
        let mut own = false;
        for key in ["commands_pre", "commands", "commands_post"] {
            let Some(lines) = s.get(key) else { continue };
            own |= key == "commands";
            let mut joined = String::new();
            for (n, l) in lines {
                if l.starts_with('#') {
                    continue;
                }
                if let Some(head) = l.strip_suffix('\\') {
                    joined.push_str(head);
                    joined.push(' ');
                    continue;
                }
                joined.push_str(l);
                let line = std::mem::take(&mut joined);
                command(&mut t, *n, &line, cwd.as_deref());
            }
        }
        if !own && s.name != "testenv" {
            t.deps.push("tox:*".into());
        }
        for name in names {
            envs.push(BuildTarget {
                name: format!("tox:{name}"),
                ..t.clone()
            });
        }
    }
    finish(envs, env_list, secs.first().map_or(first, |s| s.line))
}

/// The default target and the listed environments without a section of their own.
fn finish(mut envs: Vec<BuildTarget>, env_list: Vec<String>, line: u32) -> Vec<BuildTarget> {
    if envs.is_empty() {
        return envs;
    }
    let mut default = BuildTarget::empty("tox", line);
    for e in &env_list {
        let name = format!("tox:{e}");
        if !envs.iter().any(|t| t.name == name) {
            let mut t = BuildTarget::empty(&name, line);
            t.deps.push("tox:*".into());
            envs.push(t);
        }
        default.deps.push(name);
    }
    if default.deps.is_empty() {
        default.deps.push("tox:*".into());
    }
    envs.insert(0, default);
    envs
}

/// `{toxinidir}/tests` is `tests`.
fn dir_of(d: &str) -> String {
    let d = d
        .replace("{toxinidir}", ".")
        .replace("{tox_root}", ".")
        .trim_start_matches("./")
        .to_string();
    if d == "." || d.is_empty() {
        ".".into()
    } else {
        d
    }
}

/// One command line of an environment, substitutions filled; a line that is a reference to
/// another section's commands (`{[testenv]commands}`) runs that section.
fn command(t: &mut BuildTarget, n: u32, line: &str, cwd: Option<&str>) {
    let mut line = strip_factor(line.trim())
        .trim_start_matches('-')
        .trim()
        .to_string();
    while let Some(start) = line.find("{[") {
        let Some(len) = line[start..].find("]commands}") else {
            break;
        };
        let section = line[start + 2..start + len].trim().to_string();
        line.replace_range(start..start + len + "]commands}".len(), "");
        match section.as_str() {
            "testenv" => t.deps.push("tox:*".into()),
            s => t
                .deps
                .extend(s.strip_prefix("testenv:").map(|e| format!("tox:{e}"))),
        }
    }
    let line = substitute(&line);
    if line.trim().is_empty() {
        return;
    }
    t.commands.push(Command {
        cwd: cwd.map(str::to_string),
        ..Command::run(n, line.trim())
    });
    t.end = t.end.max(n);
}

/// A factor condition before a command (`py38,lint: pytest`, `!ci: x`): the command.
fn strip_factor(line: &str) -> &str {
    if let Some((head, rest)) = line.split_once(": ")
        && !head.is_empty()
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,!{} ".contains(c))
        && !head.contains("  ")
    {
        return rest;
    }
    line
}

/// tox's substitutions, as filled for a run without positional arguments.
fn substitute(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &rest[start + 1..start + len];
        let mut after = &rest[start + len + 1..];
        let (key, default) = match inner.split_once(':') {
            Some((k, d)) => (k, Some(d)),
            None => (inner, None),
        };
        match key {
            "posargs" => out.push_str(default.unwrap_or("")),
            "envpython" => out.push_str("python"),
            "envbindir" | "env_bin_dir" | "envdir" | "env_dir" | "toxinidir" | "tox_root" => {
                // `{envbindir}/pytest` is `pytest`, `{toxinidir}/src` is `src`.
                if let Some(a) = after.strip_prefix("/bin/").filter(|_| key.ends_with("dir")) {
                    after = a;
                } else if let Some(a) = after.strip_prefix('/') {
                    after = a;
                } else {
                    out.push('.');
                }
            }
            "env" => match default.and_then(|d| d.split_once(':')) {
                Some((_, d)) => out.push_str(d),
                None => {
                    out.push('$');
                    out.push_str(default.unwrap_or(""));
                }
            },
            _ => out.push_str(&rest[start..start + len + 1]),
        }
        rest = after;
    }
    out.push_str(rest);
    out.replace(" [] ", " ").trim_end_matches(" []").to_string()
}

/// The names of an `envlist`: split on commas and lines (not inside braces), each expanded.
fn env_names(values: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for v in values {
        let mut depth = 0;
        let mut cur = String::new();
        for c in v.chars().chain([',']) {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if c == ',' && depth <= 0 {
                let name = cur.trim();
                if !name.is_empty() && !name.starts_with('#') {
                    out.extend(expand(name));
                }
                cur.clear();
            } else {
                cur.push(c);
            }
        }
    }
    out.truncate(MAX_EXPANSIONS * 4);
    out
}

/// A generative name's expansions: `py{38,39}-lint` is `py38-lint`, `py39-lint`.
fn expand(name: &str) -> Vec<String> {
    let Some(open) = name.find('{') else {
        return vec![name.to_string()];
    };
    let Some(len) = name[open..].find('}') else {
        return vec![name.to_string()];
    };
    let (head, alts, tail) = (
        &name[..open],
        &name[open + 1..open + len],
        &name[open + len + 1..],
    );
    let mut out = Vec::new();
    for a in alts.split(',') {
        for t in expand(tail) {
            if out.len() >= MAX_EXPANSIONS {
                return out;
            }
            out.push(format!("{head}{}{t}", a.trim()));
        }
    }
    out
}

/// The native TOML configuration (`tox.toml`, or `[tool.tox]` of `pyproject.toml` given as
/// `tox`): `env_list`, `[env_run_base]` and `[env.NAME]` with `commands` as lists of arguments.
/// Lines are those of the tables' headers, found by `line_of`.
pub(crate) fn native(tox: &toml::Table, line_of: &dyn Fn(&str) -> u32) -> Vec<BuildTarget> {
    if let Some(Value::String(legacy)) = tox.get("legacy_tox_ini") {
        return ini(legacy, line_of("legacy_tox_ini") + 1);
    }
    let mut envs = Vec::new();
    let mut env = |name: &str, table: &toml::Table, header: &str| {
        let line = line_of(header);
        let mut t = BuildTarget::empty(&format!("tox:{name}"), line);
        let cwd = table.get("change_dir").and_then(Value::as_str).map(dir_of);
        let mut own = false;
        for key in ["commands_pre", "commands", "commands_post"] {
            for c in table
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                own |= key == "commands";
                let words: Vec<String> = match c {
                    Value::Array(a) => a.iter().flat_map(argument).collect(),
                    Value::String(s) => vec![s.clone()],
                    _ => continue,
                };
                command(&mut t, line, &words.join(" "), cwd.as_deref());
            }
        }
        if !own && name != "*" {
            t.deps.push("tox:*".into());
        }
        envs.push(t);
    };
    if let Some(Value::Table(b)) = tox.get("env_run_base") {
        env("*", b, "env_run_base");
    }
    if let Some(Value::Table(all)) = tox.get("env") {
        for (name, v) in all {
            if let Value::Table(t) = v {
                env(name, t, &format!("env.{name}"));
            }
        }
    }
    let list: Vec<String> = tox
        .get("env_list")
        .or_else(|| tox.get("envlist"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    finish(envs, list, line_of(""))
}

/// One argument of a native command: a string, or a `{replace = "posargs", default = [...]}`.
fn argument(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Table(t) if t.get("replace").and_then(Value::as_str) == Some("posargs") => t
            .get("default")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_name(ts: &[BuildTarget], name: &str) -> (Vec<String>, Vec<String>) {
        let t = ts
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        (
            t.deps.clone(),
            t.commands.iter().map(|c| c.text.clone()).collect(),
        )
    }

    #[test]
    fn environments_commands_and_env_list() {
        let text = "[tox]\nenvlist = py{310,311}, lint\n\n[testenv]\ndeps = -r requirements.txt\nchangedir = {toxinidir}/tests\ncommands =\n    py310: pytest {posargs:unit} --cov\n    - python {toxinidir}/scripts/check.py\n\n[testenv:lint]\ncommands = flake8 src\n\n[testenv:train]\ncommands_pre = {envpython} -m pip list\ncommands =\n    {[testenv]commands}\n    python train.py \\\n      --epochs 1 {posargs}\n";
        let ts = ini(text, 1);
        assert_eq!(ts[0].name, "tox");
        assert_eq!(ts[0].deps, vec!["tox:py310", "tox:py311", "tox:lint"]);
        let (deps, cmds) = by_name(&ts, "tox:*");
        assert!(deps.is_empty());
        assert_eq!(cmds, vec!["pytest unit --cov", "python scripts/check.py"]);
        assert_eq!(
            ts.iter().find(|t| t.name == "tox:*").unwrap().commands[0]
                .cwd
                .as_deref(),
            Some("tests")
        );
        assert_eq!(by_name(&ts, "tox:lint").1, vec!["flake8 src"]);
        let (deps, cmds) = by_name(&ts, "tox:train");
        assert_eq!(deps, vec!["tox:*"]);
        assert_eq!(
            cmds,
            vec!["python -m pip list", "python train.py  --epochs 1"]
        );
        assert_eq!(by_name(&ts, "tox:py311").0, vec!["tox:*"]);
        // setup.cfg names its main section [tox:tox]; an environment without commands runs
        // [testenv]'s.
        let ts = ini(
            "[metadata]\nname = x\n[tox:tox]\nenvlist = docs\n[testenv]\ncommands = pytest\n[testenv:docs]\ndeps = sphinx\n",
            1,
        );
        assert_eq!(ts[0].deps, vec!["tox:docs"]);
        assert_eq!(by_name(&ts, "tox:docs").0, vec!["tox:*"]);
        assert!(ini("[metadata]\nname = x\n", 1).is_empty());
    }

    #[test]
    fn native_toml_and_legacy_string() {
        let t: toml::Table = toml::from_str(
            "env_list = [\"3.12\", \"train\"]\n[env_run_base]\ncommands = [[\"pytest\", { replace = \"posargs\", default = [\"tests\"], extend = true }]]\n[env.train]\ncommands = [[\"python\", \"train.py\"]]\n",
        )
        .unwrap();
        let ts = native(&t, &|_| 1);
        assert_eq!(ts[0].deps, vec!["tox:3.12", "tox:train"]);
        assert_eq!(by_name(&ts, "tox:*").1, vec!["pytest tests"]);
        assert_eq!(by_name(&ts, "tox:train").1, vec!["python train.py"]);
        let t: toml::Table = toml::from_str(
            "legacy_tox_ini = \"\"\"\n[testenv:train]\ncommands = python train.py\n\"\"\"\n",
        )
        .unwrap();
        let ts = native(&t, &|_| 4);
        assert_eq!(by_name(&ts, "tox:train").1, vec!["python train.py"]);
        assert_eq!(ts.iter().find(|t| t.name == "tox:train").unwrap().line, 5);
    }
}
