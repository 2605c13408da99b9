//! Paths Python code builds rather than writes: directories put on `sys.path` from the file's
//! own place (`Path(__file__).parent / "src"`), and script paths assembled from names bound to
//! paths (`TRAINING_DIR / "train.py"`). Read as the strings they spell, for `facts::python`.

use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// `sys.path.insert(0, "/opt/airflow/scripts/monitoring")`: where later imports are found
/// (mapped onto the repository by the graph). A directory named from the file's own place
/// (`Path(__file__).parent.parent / "src"`, `os.path.join(os.path.dirname(__file__), "..",
/// "src")`) is recorded relative to the file's directory (`../src`).
pub(crate) fn sys_paths(text: &str) -> Vec<String> {
    static SYS_PATH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\bsys\.path\.(?:insert\(\s*\d+\s*,|append\()\s*r?["']([^"'\n]{1,300})["']"#)
            .expect("sys.path pattern")
    });
    static SYS_PATH_EXPR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bsys\.path\.(?:insert\(\s*\d+\s*,|append\()").expect("sys.path call pattern")
    });
    let mut out: Vec<String> = Vec::new();
    let mut add = |p: String| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    for c in SYS_PATH.captures_iter(text) {
        if let Some(m) = c.get(1) {
            add(m.as_str().to_string());
        }
    }
    for m in SYS_PATH_EXPR.find_iter(text) {
        let rest = &text[m.end()..];
        // At most 400 bytes, cut on a character (the MSRV has no `floor_char_boundary`).
        let mut cut = rest.len().min(400);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let rest = &rest[..cut];
        if let Some((args, _)) = call_args(rest)
            && let [one] = args.as_slice()
            && let Some(p) = file_relative(one)
        {
            add(p);
        }
    }
    out
}

/// A path expression built from `__file__`, as a path relative to the file's directory:
/// `Path(__file__).resolve().parents[1] / "src"` → `../src`, `os.path.dirname(
/// os.path.abspath(__file__))` → `.`. None for anything else.
fn file_relative(expr: &str) -> Option<String> {
    let e: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    let (is_file, comps) = path_expr(&e)?;
    if is_file {
        return None;
    }
    Some(if comps.is_empty() {
        ".".to_string()
    } else {
        comps.join("/")
    })
}

/// [`file_relative`]'s reading: (still the file itself, components from its directory).
fn path_expr(e: &str) -> Option<(bool, Vec<String>)> {
    fn up(v: &mut (bool, Vec<String>)) {
        if v.0 {
            v.0 = false;
        } else if v.1.last().is_some_and(|c| c != "..") {
            v.1.pop();
        } else {
            v.1.push("..".into());
        }
    }
    fn push(v: &mut (bool, Vec<String>), seg: &str) -> Option<()> {
        if v.0 {
            return None;
        }
        for s in seg.split('/').filter(|s| !s.is_empty() && *s != ".") {
            if s == ".." {
                up(v);
                v.0 = false;
            } else {
                v.1.push(s.to_string());
            }
        }
        Some(())
    }
    // The head: `__file__` or a call wrapping a path expression.
    let (mut v, mut rest) = if let Some(r) = e.strip_prefix("__file__") {
        ((true, Vec::new()), r)
    } else {
        let open = e.find('(')?;
        let callee = &e[..open];
        let (a, r) = call_args(&e[open + 1..])?;
        match callee {
            "str" | "os.path.abspath" | "os.path.realpath" | "os.path.normpath" | "Path"
            | "pathlib.Path" | "os.fspath" => {
                if a.len() != 1 {
                    return None;
                }
                (path_expr(a[0])?, r)
            }
            "os.path.dirname" => {
                let mut v = path_expr(a.first()?)?;
                up(&mut v);
                (v, r)
            }
            "os.path.join" => {
                let mut v = path_expr(a.first()?)?;
                for x in &a[1..] {
                    push(&mut v, string_literal(x)?)?;
                }
                (v, r)
            }
            _ => return None,
        }
    };
    // Postfix: `.parent`, `.parents[k]`, `.resolve()`, `.absolute()`, `/ "seg"`,
    // `.joinpath("a", "b")`.
    loop {
        if rest.is_empty() {
            return Some(v);
        }
        if let Some(r) = rest.strip_prefix(".parents[") {
            let (k, r) = r.split_once(']')?;
            for _ in 0..=k.parse::<usize>().ok()?.min(16) {
                up(&mut v);
            }
            rest = r;
        } else if let Some(r) = rest.strip_prefix(".parent") {
            up(&mut v);
            rest = r;
        } else if let Some(r) = rest
            .strip_prefix(".resolve()")
            .or_else(|| rest.strip_prefix(".absolute()"))
        {
            rest = r;
        } else if let Some(r) = rest.strip_prefix(".joinpath(") {
            let (a, r) = call_args(r)?;
            for x in a {
                push(&mut v, string_literal(x)?)?;
            }
            rest = r;
        } else if let Some(r) = rest.strip_prefix('/') {
            let end = r.get(1..)?.find(['"', '\''])? + 2;
            push(&mut v, string_literal(&r[..end])?)?;
            rest = &r[end..];
        } else {
            return None;
        }
    }
}

/// Script paths assembled from names bound to paths in the same file: `NAME = Path("/opt/x")`
/// or `NAME = "/opt/x"`, then `script = NAME / "train.py"`, `os.path.join(NAME, "train.py")`,
/// `f"{NAME}/train.py"` or `str(NAME / "train.py")`. Each assembled value that names a script
/// (a `.py`, `.sh`, `.ipynb` or `.R` file) with its 0-based line. Bounded: at most 256 names.
pub(crate) fn path_constants(text: &str) -> Vec<(usize, String)> {
    bind_paths(text).0
}

/// The names a file binds to paths it spells (`CODE_DIR = str(BASE_DIR.parent / "src")`), with
/// the paths: a name given where a folder is expected (`source_dir=CODE_DIR`) names that folder.
pub(crate) fn bound_paths(text: &str) -> HashMap<String, String> {
    bind_paths(text).1
}

/// [`path_constants`] and [`bound_paths`] in one reading.
fn bind_paths(text: &str) -> (Vec<(usize, String)>, HashMap<String, String>) {
    static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]{1,60})?=[ \t]*([^=\n][^\n]{0,300})$")
            .expect("assignment pattern")
    });
    let mut names: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(c) = ASSIGN.captures(line) else {
            continue;
        };
        let rhs = c[2].split(" #").next().unwrap_or("").trim();
        let mut used_name = false;
        let Some(value) = path_value(rhs, &names, &mut used_name, 0) else {
            continue;
        };
        if used_name
            && [".py", ".sh", ".ipynb", ".R"]
                .iter()
                .any(|e| value.ends_with(e))
        {
            out.push((i, value.clone()));
        }
        if names.len() < 256 || names.contains_key(&c[1]) {
            names.insert(c[1].to_string(), value);
        }
    }
    (out, names)
}

/// [`path_constants`]'s reading of one expression: the path it builds, if every part is a
/// string literal or a name bound to one.
fn path_value(
    e: &str,
    names: &HashMap<String, String>,
    used: &mut bool,
    depth: usize,
) -> Option<String> {
    let e = e.trim();
    if depth > 8 || e.is_empty() || e.len() > 300 {
        return None;
    }
    // Top-level `/` (pathlib's join), outside strings and brackets.
    let parts = split_top(e, b'/');
    if parts.len() > 1 {
        let vals: Option<Vec<String>> = parts
            .iter()
            .map(|p| path_value(p, names, used, depth + 1))
            .collect();
        return Some(join_parts(&vals?));
    }
    if let Some(s) = string_literal(e) {
        return Some(s.to_string());
    }
    // The file's own place (`Path(__file__).parent`): relative to its directory.
    if e.contains("__file__")
        && let Some(rel) = file_relative(e)
    {
        *used = true;
        return Some(rel);
    }
    if let Some(f) = e
        .strip_prefix("f\"")
        .and_then(|f| f.strip_suffix('"'))
        .or_else(|| e.strip_prefix("f'").and_then(|f| f.strip_suffix('\'')))
    {
        // `f"{NAME}/train.py"`: every field a bound name.
        let mut v = String::new();
        let mut rest = f;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}')? + open;
            v.push_str(&rest[..open]);
            v.push_str(names.get(rest[open + 1..close].trim())?);
            *used = true;
            rest = &rest[close + 1..];
        }
        v.push_str(rest);
        return Some(v);
    }
    if e.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        let v = names.get(e)?;
        *used = true;
        return Some(v.clone());
    }
    for suffix in [".resolve()", ".absolute()", ".as_posix()"] {
        if let Some(inner) = e.strip_suffix(suffix) {
            return path_value(inner, names, used, depth + 1);
        }
    }
    // A bound name's parent (`BASE_DIR.parent.parent`): its value one folder up per step.
    if let Some(inner) = e.strip_suffix(".parent") {
        return path_value(inner, names, used, depth + 1).map(|v| parent_path(&v));
    }
    let open = e.find('(')?;
    let (args, rest) = call_args(&e[open + 1..])?;
    if !rest.trim().is_empty() {
        return None;
    }
    match &e[..open] {
        "str" | "Path" | "pathlib.Path" | "os.path.abspath" | "os.path.normpath" | "os.fspath"
            if args.len() == 1 =>
        {
            path_value(args[0], names, used, depth + 1)
        }
        "os.path.join" => {
            let vals: Option<Vec<String>> = args
                .iter()
                .map(|a| path_value(a, names, used, depth + 1))
                .collect();
            Some(join_parts(&vals?))
        }
        _ => None,
    }
}

/// The folder holding `p`, as a path: `a/b` → `a`, `.` → `..`, `../x/..` → `../..`.
fn parent_path(p: &str) -> String {
    let trimmed = p.trim_end_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or("");
    if trimmed.is_empty() || last == "." {
        let head = trimmed
            .strip_suffix('.')
            .unwrap_or(trimmed)
            .trim_end_matches('/');
        return if head.is_empty() {
            "..".into()
        } else {
            format!("{head}/..")
        };
    }
    if last == ".." {
        return format!("{trimmed}/..");
    }
    match trimmed.rsplit_once('/') {
        Some(("", _)) => "/".into(),
        Some((head, _)) => head.to_string(),
        None => ".".into(),
    }
}

/// Path parts joined with `/`, an absolute later part replacing what came before.
fn join_parts(parts: &[String]) -> String {
    let mut out = String::new();
    for p in parts {
        if p.starts_with('/') || out.is_empty() {
            out = p.clone();
        } else {
            out = format!("{}/{}", out.trim_end_matches('/'), p);
        }
    }
    out
}

/// The content of a plain string literal (`"x"`, `'x'`, `r"x"`) with no quote inside.
fn string_literal(e: &str) -> Option<&str> {
    let e = e.strip_prefix('r').unwrap_or(e);
    let q = e.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = e.strip_prefix(q)?.strip_suffix(q)?;
    (!inner.contains(q) && !inner.contains('\n')).then_some(inner)
}

/// `e` split at top-level `sep` bytes (outside strings, parentheses and brackets).
fn split_top(e: &str, sep: u8) -> Vec<&str> {
    let (parts, _) = scan_top(e, sep, false);
    parts
}

/// The top-level arguments of a call whose text starts right after its `(`, and the text after
/// the `)` that closes it; None when it does not close.
fn call_args(s: &str) -> Option<(Vec<&str>, &str)> {
    match scan_top(s, b',', true) {
        (args, Some(rest)) => Some((args, rest)),
        _ => None,
    }
}

/// [`split_top`] and [`call_args`]: `e` split at top-level `sep` bytes, outside strings and
/// brackets; with `closing`, up to the first unmatched closing bracket (its rest returned).
fn scan_top(e: &str, sep: u8, closing: bool) -> (Vec<&str>, Option<&str>) {
    let b = e.as_bytes();
    let (mut depth, mut quote, mut start, mut out) = (0usize, 0u8, 0usize, Vec::new());
    for (i, &c) in b.iter().enumerate() {
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
            continue;
        }
        match c {
            b'"' | b'\'' => quote = c,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 && closing => {
                out.push(&e[start..i]);
                return (out, Some(&e[i + 1..]));
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ if c == sep && depth == 0 => {
                out.push(&e[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&e[start..]);
    (out, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Script paths assembled from names bound to paths, at the line that assembles them.
    #[test]
    fn script_paths_from_path_constants() {
        let text = "BASE = Path(\"/opt/airflow/training\")\nSCRIPTS = \"/app/scripts\"\n\ndef run():\n    script = BASE / \"train.py\"\n    other = os.path.join(SCRIPTS, \"etl\", \"load.sh\")\n    nb = f\"{SCRIPTS}/explore.ipynb\"\n    data = BASE / \"data.csv\"\n    plain = \"src/train.py\"\n    unknown = ROOT / \"train.py\"\n    here = Path(__file__).parent / \"retrain.py\"\n";
        assert_eq!(
            path_constants(text),
            vec![
                (4, "/opt/airflow/training/train.py".to_string()),
                (5, "/app/scripts/etl/load.sh".to_string()),
                (6, "/app/scripts/explore.ipynb".to_string()),
                (10, "./retrain.py".to_string()),
            ]
        );
    }

    /// A bound name's parents (`BASE_DIR.parent.parent / "src"`), and the names bound.
    #[test]
    fn parents_of_bound_names() {
        let text = "BASE_DIR = Path(os.path.dirname(os.path.realpath(__file__)))\nCODE_DIR = str(BASE_DIR.parent.parent / \"sim_items_src\")\nJOB = BASE_DIR.parent / \"jobs\" / \"train.py\"\nROOT = Path(\"/opt/app/src\")\nUP = ROOT.parent\n";
        let bound = bound_paths(text);
        assert_eq!(bound["BASE_DIR"], ".");
        assert_eq!(bound["CODE_DIR"], "../../sim_items_src");
        assert_eq!(bound["UP"], "/opt/app");
        assert_eq!(
            path_constants(text),
            vec![(2, "../jobs/train.py".to_string())]
        );
        assert_eq!(parent_path("a/b"), "a");
        assert_eq!(parent_path("a"), ".");
        assert_eq!(parent_path("../x/.."), "../x/../..");
        assert_eq!(parent_path("/opt"), "/");
    }

    /// Directories put on `sys.path` from the file's own place, relative to its directory.
    #[test]
    fn text_after_a_call_is_cut_on_a_character() {
        // 400 bytes after `sys.path.insert(` fall inside a three-byte character.
        for pad in 0..3 {
            let text = format!(
                "sys.path.insert(0, _APP_DIR)\n# {}{}\n",
                "x".repeat(380 + pad),
                "─".repeat(20)
            );
            assert!(sys_paths(&text).is_empty());
        }
        assert!(path_value("p /─\"x.py\"", &HashMap::new(), &mut false, 0).is_none());
    }

    #[test]
    fn sys_path_from_the_file() {
        let cases = [
            (
                "sys.path.insert(0, str(Path(__file__).parent.parent.parent / \"src\"))",
                "../../src",
            ),
            (
                "sys.path.append(str(Path(__file__).resolve().parents[1]))",
                "..",
            ),
            (
                "sys.path.insert(0, os.path.join(os.path.dirname(__file__), \"..\", \"src\"))",
                "../src",
            ),
            (
                "sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))",
                "..",
            ),
            (
                "sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))",
                ".",
            ),
            (
                "sys.path.append(str(Path(__file__).parent.joinpath('lib', 'core')))",
                "lib/core",
            ),
            ("sys.path.insert(0, '/opt/airflow/src')", "/opt/airflow/src"),
        ];
        for (line, want) in cases {
            assert_eq!(sys_paths(line), vec![want.to_string()], "{line}");
        }
        // The file itself, or an expression not built from it: nothing.
        assert!(sys_paths("sys.path.append(__file__)").is_empty());
        assert!(sys_paths("sys.path.append(os.getcwd())").is_empty());
        assert!(sys_paths("sys.path.insert(0, BASE_DIR)").is_empty());
    }
}
