//! Task tables of TOML files, as targets named `RUNNER:NAME`: pixi (`pixi.toml [tasks]`,
//! `pyproject.toml [tool.pixi.tasks]`, feature tasks), poethepoet (`[tool.poe.tasks]`), Hatch
//! environment scripts (`[tool.hatch.envs.ENV.scripts]`, `hatch.toml`: `hatch:ENV:NAME`) and
//! PDM scripts (`[tool.pdm.scripts]`). A task's commands run from the file's directory (or its
//! `cwd`); the tasks it names (`depends-on`, a sequence's items, a composite's) are its
//! dependencies. `shell::runners` reads the commands that run them.

use crate::model::{BuildTarget, Command};
use std::collections::HashMap;
use toml::Value;

/// The line each dotted key path of a TOML text is written on (a table's header, or a key in
/// it), the first occurrence kept.
pub(crate) struct Lines(HashMap<String, u32>);

impl Lines {
    pub(crate) fn of_text(text: &str) -> Lines {
        let mut map = HashMap::new();
        let mut header = String::new();
        for (i, raw) in text.lines().enumerate() {
            let n = i as u32 + 1;
            let t = raw.trim();
            if let Some(h) = t.strip_prefix('[') {
                let h = h.trim_start_matches('[');
                let h = h.split(']').next().unwrap_or("");
                header = dotted(h);
                map.entry(header.clone()).or_insert(n);
                continue;
            }
            if raw.starts_with([' ', '\t']) && !t.starts_with('"') && !t.contains('=') {
                continue;
            }
            if let Some((k, _)) = t.split_once('=') {
                let k = dotted(k);
                if k.is_empty() || k.contains(' ') {
                    continue;
                }
                let path = if header.is_empty() {
                    k
                } else {
                    format!("{header}.{k}")
                };
                map.entry(path).or_insert(n);
            }
        }
        Lines(map)
    }

    /// The line of `path`, else of the nearest table above it that is written, else 1.
    pub(crate) fn of(&self, path: &str) -> u32 {
        let mut p = path;
        loop {
            if let Some(n) = self.0.get(p) {
                return *n;
            }
            match p.rsplit_once('.') {
                Some((head, _)) => p = head,
                None => return 1,
            }
        }
    }
}

/// `tool . "poe" . tasks` as `tool.poe.tasks`.
fn dotted(k: &str) -> String {
    k.split('.')
        .map(|s| s.trim().trim_matches(['"', '\'']))
        .collect::<Vec<_>>()
        .join(".")
}

fn table<'a>(v: &'a Value, path: &[&str]) -> Option<&'a toml::Table> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_table()
}

/// A `cmd` written as a string or a list of arguments.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

fn push_text(t: &mut BuildTarget, line: u32, text: &str, cwd: Option<&str>) {
    for l in text.lines() {
        let l = l.trim();
        if !l.is_empty() && !l.starts_with('#') {
            t.commands.push(Command {
                cwd: cwd.map(str::to_string),
                ..Command::run(line, l)
            });
        }
    }
}

/// `pkg.mod:fn(args)` as `python -m pkg.mod`.
fn script_command(s: &str) -> Option<String> {
    let module = s.split(':').next()?.trim();
    (!module.is_empty()
        && module
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'))
    .then(|| format!("python -m {module}"))
}

/// Every runner's tasks in a parsed `pyproject.toml` (`tool.*`) or runner file (`root`: the
/// tables at the top, as `pixi.toml` and `hatch.toml` write them).
pub(crate) fn tasks(doc: &Value, lines: &Lines, pyproject: bool) -> Vec<BuildTarget> {
    let mut out = Vec::new();
    let pre = if pyproject { "tool." } else { "" };
    let at = |runner: &'static str| -> Vec<&'static str> {
        if pyproject {
            vec!["tool", runner]
        } else {
            vec![]
        }
    };
    // pixi: `[tasks]`, `[feature.X.tasks]` (under `tool.pixi` in pyproject.toml).
    let pixi_root = at("pixi");
    let pixi_base = if pyproject {
        format!("{pre}pixi.")
    } else {
        String::new()
    };
    if let Some(t) = table_at(doc, &pixi_root, "tasks") {
        pixi(t, &format!("{pixi_base}tasks"), lines, &mut out);
    }
    if let Some(features) = table_at(doc, &pixi_root, "feature") {
        for (f, v) in features {
            if let Some(t) = v.get("tasks").and_then(Value::as_table) {
                pixi(t, &format!("{pixi_base}feature.{f}.tasks"), lines, &mut out);
            }
        }
    }
    // hatch: `[envs.ENV.scripts]` (under `tool.hatch`).
    let hatch_base = if pyproject {
        format!("{pre}hatch.")
    } else {
        String::new()
    };
    if let Some(envs) = table_at(doc, &at("hatch"), "envs") {
        hatch(envs, &format!("{hatch_base}envs"), lines, &mut out);
    }
    if pyproject {
        if let Some(t) = table(doc, &["tool", "poe", "tasks"]) {
            poe(t, "tool.poe.tasks", lines, &mut out);
        }
        if let Some(t) = table(doc, &["tool", "pdm", "scripts"]) {
            pdm(t, "tool.pdm.scripts", lines, &mut out);
        }
    }
    out
}

fn table_at<'a>(doc: &'a Value, root: &[&str], key: &str) -> Option<&'a toml::Table> {
    let mut p = root.to_vec();
    p.push(key);
    table(doc, &p)
}

/// pixi tasks: a command string, or `{ cmd, depends-on, cwd }` (an alias has no `cmd`).
fn pixi(tasks: &toml::Table, path: &str, lines: &Lines, out: &mut Vec<BuildTarget>) {
    for (name, v) in tasks {
        let key = format!("{path}.{name}");
        let line = lines.of(&key);
        let mut t = BuildTarget::empty(&format!("pixi:{name}"), line);
        match v {
            Value::String(s) => push_text(&mut t, line, s, None),
            Value::Table(tt) => {
                let cwd = tt.get("cwd").and_then(Value::as_str);
                if let Some(c) = tt.get("cmd").and_then(text_of) {
                    push_text(&mut t, lines.of(&format!("{key}.cmd")), &c, cwd);
                }
                let deps = tt.get("depends-on").or_else(|| tt.get("depends_on"));
                for d in deps.and_then(Value::as_array).into_iter().flatten() {
                    let n = d.as_str().or_else(|| d.get("task").and_then(Value::as_str));
                    t.deps.extend(n.map(|n| format!("pixi:{n}")));
                }
                if let Some(d) = deps.and_then(Value::as_str) {
                    t.deps.push(format!("pixi:{d}"));
                }
            }
            _ => continue,
        }
        out.push(t);
    }
}

/// poethepoet tasks: a command string, a list (a sequence of other tasks), or a table with
/// `cmd`, `shell`, `script`, `sequence` / `parallel`, `ref`, `deps`, `cwd`.
fn poe(tasks: &toml::Table, path: &str, lines: &Lines, out: &mut Vec<BuildTarget>) {
    for (name, v) in tasks {
        let key = format!("{path}.{name}");
        let line = lines.of(&key);
        let mut t = BuildTarget::empty(&format!("poe:{name}"), line);
        poe_item(&mut t, v, line, true);
        if let Some(tt) = v.as_table() {
            for d in tt
                .get("deps")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                t.deps.extend(
                    d.as_str()
                        .and_then(|s| s.split_whitespace().next())
                        .map(|n| format!("poe:{n}")),
                );
            }
        }
        out.push(t);
    }
}

/// One poe task or sequence item; in a sequence (`top` false), a string names another task.
fn poe_item(t: &mut BuildTarget, v: &Value, line: u32, top: bool) {
    let dep = |t: &mut BuildTarget, s: &str| {
        t.deps
            .extend(s.split_whitespace().next().map(|n| format!("poe:{n}")));
    };
    match v {
        Value::String(s) if top => push_text(t, line, s, None),
        Value::String(s) => dep(t, s),
        Value::Array(items) => {
            for i in items.iter().take(256) {
                poe_item(t, i, line, false);
            }
        }
        Value::Table(tt) => {
            let cwd = tt.get("cwd").and_then(Value::as_str);
            if let Some(c) = tt.get("cmd").and_then(text_of) {
                push_text(t, line, &c, cwd);
            }
            if let Some(c) = tt.get("shell").and_then(Value::as_str) {
                push_text(t, line, c, cwd);
            }
            if let Some(c) = tt
                .get("script")
                .and_then(Value::as_str)
                .and_then(script_command)
            {
                push_text(t, line, &c, cwd);
            }
            if let Some(r) = tt.get("ref").and_then(Value::as_str) {
                dep(t, r);
            }
            for k in ["sequence", "parallel"] {
                if let Some(seq) = tt.get(k) {
                    poe_item(t, seq, line, false);
                }
            }
        }
        _ => {}
    }
}

/// Hatch scripts: a command or a list of commands per name, per environment; a command that
/// starts with another script of its environment runs it. An environment gets the `default`
/// environment's scripts it does not define (its template, unless it names another).
fn hatch(envs: &toml::Table, path: &str, lines: &Lines, out: &mut Vec<BuildTarget>) {
    let default: Vec<&String> = envs
        .get("default")
        .and_then(|d| d.get("scripts"))
        .and_then(Value::as_table)
        .map(|s| s.keys().collect())
        .unwrap_or_default();
    for (env, v) in envs {
        let scripts = v.get("scripts").and_then(Value::as_table);
        for (name, s) in scripts.into_iter().flatten() {
            let key = format!("{path}.{env}.scripts.{name}");
            let line = lines.of(&key);
            let mut t = BuildTarget::empty(&format!("hatch:{env}:{name}"), line);
            let cmds: Vec<&str> = match s {
                Value::String(c) => vec![c.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => continue,
            };
            for c in cmds {
                let first = c.split_whitespace().next().unwrap_or("");
                let own = scripts.is_some_and(|s| s.contains_key(first)) && first != name;
                if own {
                    t.deps.push(format!("hatch:{env}:{first}"));
                } else {
                    push_text(&mut t, line, &hatch_args(c), None);
                }
            }
            out.push(t);
        }
        let template = v
            .get("template")
            .and_then(Value::as_str)
            .unwrap_or("default");
        if env == "default" || template != "default" {
            continue;
        }
        for name in &default {
            if !scripts.is_some_and(|s| s.contains_key(name.as_str())) {
                let mut t = BuildTarget::empty(
                    &format!("hatch:{env}:{name}"),
                    lines.of(&format!("{path}.{env}")),
                );
                t.deps.push(format!("hatch:default:{name}"));
                out.push(t);
            }
        }
    }
}

/// Hatch's `{args}` placeholder as filled without arguments: `{args:tests}` is `tests`.
fn hatch_args(c: &str) -> String {
    let Some(start) = c.find("{args") else {
        return c.to_string();
    };
    let Some(len) = c[start..].find('}') else {
        return c.to_string();
    };
    let inner = &c[start + 5..start + len];
    let default = inner.strip_prefix(':').unwrap_or("");
    format!(
        "{}{default}{}",
        &c[..start],
        hatch_args(&c[start + len + 1..])
    )
}

/// PDM scripts: a command string, or `{ cmd | shell | call | composite, working_dir }`, run
/// with their `pre_`/`post_` hooks.
fn pdm(scripts: &toml::Table, path: &str, lines: &Lines, out: &mut Vec<BuildTarget>) {
    for (name, v) in scripts {
        if name == "_" {
            continue;
        }
        let key = format!("{path}.{name}");
        let line = lines.of(&key);
        let mut t = BuildTarget::empty(&format!("pdm:{name}"), line);
        t.deps = vec![format!("pdm:pre_{name}"), format!("pdm:post_{name}")];
        match v {
            Value::String(s) => push_text(&mut t, line, s, None),
            Value::Table(tt) => {
                let cwd = tt.get("working_dir").and_then(Value::as_str);
                if let Some(c) = tt.get("cmd").and_then(text_of) {
                    push_text(&mut t, line, &c, cwd);
                }
                if let Some(c) = tt.get("shell").and_then(Value::as_str) {
                    push_text(&mut t, line, c, cwd);
                }
                if let Some(c) = tt
                    .get("call")
                    .and_then(Value::as_str)
                    .and_then(script_command)
                {
                    push_text(&mut t, line, &c, cwd);
                }
                for c in tt
                    .get("composite")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let Some(c) = c.as_str() else { continue };
                    let first = c.split_whitespace().next().unwrap_or("");
                    if scripts.contains_key(first) {
                        t.deps.push(format!("pdm:{first}"));
                    } else {
                        push_text(&mut t, line, c, cwd);
                    }
                }
            }
            _ => continue,
        }
        out.push(t);
    }
}

/// `pixi.toml` / `hatch.toml`: their tables at the top of the file.
pub(crate) fn runner_file(doc: &crate::read::Document) -> Option<crate::model::FileFacts> {
    let parsed: Value = toml::from_str(&doc.text).ok()?;
    let targets = tasks(&parsed, &Lines::of_text(&doc.text), false);
    (!targets.is_empty()).then_some(crate::model::FileFacts::Targets {
        kind: crate::model::TargetKind::Make,
        targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, pyproject: bool) -> Vec<(String, Vec<String>, Vec<String>, u32)> {
        let doc: Value = toml::from_str(text).unwrap();
        tasks(&doc, &Lines::of_text(text), pyproject)
            .into_iter()
            .map(|t| {
                (
                    t.name,
                    t.deps,
                    t.commands.into_iter().map(|c| c.text).collect(),
                    t.line,
                )
            })
            .collect()
    }

    fn find(
        ts: &[(String, Vec<String>, Vec<String>, u32)],
        name: &str,
    ) -> (Vec<String>, Vec<String>, u32) {
        let t = ts
            .iter()
            .find(|t| t.0 == name)
            .unwrap_or_else(|| panic!("{name}: {ts:?}"));
        (t.1.clone(), t.2.clone(), t.3)
    }

    #[test]
    fn pyproject_runner_tables() {
        let text = r#"[project]
name = "churn"

[tool.poe.tasks]
train = "python -m churn.train"
check = ["lint", "test"]
serve = { script = "churn.api:main" }

[tool.poe.tasks.ship]
shell = """
docker build -t x .
docker push x
"""
deps = ["train"]

[tool.pixi.tasks]
prep = "python prep.py"
fit = { cmd = ["python", "fit.py"], depends-on = ["prep"] }

[tool.pixi.feature.gpu.tasks]
fit-gpu = "python fit.py --gpu"

[tool.hatch.envs.default.scripts]
test = "pytest {args:tests}"
all = ["test", "python bench.py"]

[tool.hatch.envs.lint]

[tool.pdm.scripts]
_ = { env_file = ".env" }
evaluate = { call = "churn.eval:main" }
ci = { composite = ["evaluate", "pytest -x"] }
"#;
        let ts = read(text, true);
        assert_eq!(
            find(&ts, "poe:train"),
            (vec![], vec!["python -m churn.train".into()], 5)
        );
        assert_eq!(find(&ts, "poe:check").0, vec!["poe:lint", "poe:test"]);
        assert_eq!(find(&ts, "poe:serve").1, vec!["python -m churn.api"]);
        let (deps, cmds, line) = find(&ts, "poe:ship");
        assert_eq!(
            (deps, cmds, line),
            (
                vec!["poe:train".into()],
                vec!["docker build -t x .".into(), "docker push x".into()],
                9
            )
        );
        assert_eq!(
            find(&ts, "pixi:fit"),
            (vec!["pixi:prep".into()], vec!["python fit.py".into()], 18)
        );
        assert_eq!(find(&ts, "pixi:fit-gpu").1, vec!["python fit.py --gpu"]);
        assert_eq!(
            find(&ts, "hatch:default:all"),
            (
                vec!["hatch:default:test".into()],
                vec!["python bench.py".into()],
                25
            )
        );
        assert_eq!(find(&ts, "hatch:lint:test").0, vec!["hatch:default:test"]);
        assert_eq!(find(&ts, "hatch:default:test").1, vec!["pytest tests"]);
        assert_eq!(find(&ts, "pdm:evaluate").1, vec!["python -m churn.eval"]);
        let (deps, cmds, _) = find(&ts, "pdm:ci");
        assert!(deps.contains(&"pdm:evaluate".to_string()));
        assert_eq!(cmds, vec!["pytest -x"]);
        assert!(!ts.iter().any(|t| t.0 == "pdm:_"));
    }

    #[test]
    fn runner_files_write_their_tables_at_the_top() {
        let ts = read(
            "[project]\nname = \"x\"\n[tasks]\ntrain = \"python train.py\"\n[feature.cuda.tasks.bench]\ncmd = \"python bench.py\"\ncwd = \"bench\"\n",
            false,
        );
        assert_eq!(find(&ts, "pixi:train").1, vec!["python train.py"]);
        assert_eq!(find(&ts, "pixi:bench").2, 5);
        let ts = read("[envs.test.scripts]\nrun = \"pytest\"\n", false);
        assert_eq!(find(&ts, "hatch:test:run").1, vec!["pytest"]);
    }
}
