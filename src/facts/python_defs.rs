//! Python functions read as text, without running anything: each `def` with its decorators
//! (whose arguments may span lines), its first parameter and the lines of its body. Task files
//! (`facts::pytasks`) and scripts that dispatch on their command line (`facts::py_dispatch`)
//! read them.

/// Lines one call may span, and characters of it read.
const MAX_CALL_LINES: usize = 40;
const MAX_CALL_CHARS: usize = 4000;

/// A decorated function: its decorators' text, name, first parameter and body lines.
pub(crate) struct Def<'a> {
    pub(crate) decorators: Vec<String>,
    pub(crate) name: &'a str,
    pub(crate) param: String,
    pub(crate) line: u32,
    /// The lines of its body (0-based, end exclusive).
    pub(crate) body: std::ops::Range<usize>,
}

pub(crate) fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

/// The functions of a Python text, top-level or nested, each with the decorators over it.
pub(crate) fn defs<'a>(lines: &[&'a str]) -> Vec<Def<'a>> {
    let mut out = Vec::new();
    let mut decorators: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        if t.starts_with('@') {
            // A decorator's arguments may span lines.
            let (text, next) = gather(lines, i);
            decorators.push(text);
            i = next;
            continue;
        }
        let def = t.strip_prefix("async ").unwrap_or(t).strip_prefix("def ");
        if let Some(rest) = def {
            let name = rest.split('(').next().unwrap_or("").trim();
            let param = rest
                .split_once('(')
                .map(|(_, p)| p.split([',', ')', ':', '=']).next().unwrap_or("").trim())
                .unwrap_or("")
                .trim_start_matches('*')
                .to_string();
            let ind = indent(lines[i]);
            let mut end = i + 1;
            while end < lines.len()
                && (lines[end].trim().is_empty()
                    || indent(lines[end]) > ind
                    || lines[end].trim_start().starts_with(')'))
            {
                end += 1;
            }
            out.push(Def {
                decorators: std::mem::take(&mut decorators),
                name,
                param,
                line: i as u32 + 1,
                body: i + 1..end,
            });
            i += 1;
            continue;
        }
        if !t.is_empty() && !t.starts_with('#') {
            decorators.clear();
        }
        i += 1;
    }
    out
}

/// The text from line `i` up to where its brackets close (bounded), and the next line.
pub(crate) fn gather(lines: &[&str], i: usize) -> (String, usize) {
    let mut text = String::new();
    let mut j = i;
    while j < lines.len() && j < i + MAX_CALL_LINES && text.len() < MAX_CALL_CHARS {
        text.push_str(lines[j].trim());
        text.push(' ');
        j += 1;
        if depth(&text) <= 0 {
            break;
        }
    }
    (text, j)
}

/// Open brackets minus closed ones outside strings.
fn depth(text: &str) -> i32 {
    let mut d = 0;
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for c in text.chars() {
        match quote {
            Some(q) if c == q && prev != '\\' => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => d += 1,
                ')' | ']' | '}' => d -= 1,
                '#' => break,
                _ => {}
            },
        }
        prev = c;
    }
    d
}

/// Whether a Python text has functions named for training (`train`, `retrain_model`,
/// `train_op`, `fit_model`) and every one of them is a stub: its body, past any docstring and
/// comments, is only `pass`, `...`, `raise NotImplementedError`, `print(...)` or logging calls,
/// or a `return` of a literal (a dict, a string, a number, `None`). A pipeline step such a
/// function defines trains nothing (a course exercise's `# YOUR CODE HERE`, a demo's "a real
/// deployment would retrain").
pub(crate) fn trains_in_name_only(text: &str) -> bool {
    if !text.contains("def ") || (!text.contains("train") && !text.contains("fit")) {
        return false;
    }
    let lines: Vec<&str> = text.lines().collect();
    let named = |n: &str| {
        n.to_ascii_lowercase()
            .split('_')
            .any(|w| matches!(w, "train" | "retrain" | "training" | "retraining" | "fit"))
    };
    // The function that composes the steps (`@dsl.pipeline`, `@flow`, `@dag`) is the pipeline,
    // not one of its steps; a declaration of a task run elsewhere (Flyte's `@reference_task`,
    // whose body is empty by design) is no stub.
    let composes = |d: &Def| {
        d.decorators.iter().any(|x| {
            let x = x.to_ascii_lowercase();
            x.contains("reference_")
                || ["pipeline", "flow", "dag", "workflow"]
                    .iter()
                    .any(|w| x.split(|c: char| !c.is_alphanumeric()).any(|p| p == *w))
        })
    };
    let mut any = false;
    for d in defs(&lines)
        .iter()
        .filter(|d| named(d.name) && !composes(d))
    {
        any = true;
        if !is_stub(&lines[d.body.clone()]) {
            return false;
        }
    }
    any
}

/// Whether a function body does nothing: see [`trains_in_name_only`].
fn is_stub(body: &[&str]) -> bool {
    const QUOTES: [&str; 2] = ["\"\"\"", "'''"];
    let mut in_doc: Option<&str> = None;
    let mut open = 0i32;
    for l in body {
        let t = l.trim();
        if let Some(q) = in_doc {
            if t.contains(q) {
                in_doc = None;
            }
            continue;
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if open > 0 {
            open += depth(t);
            continue;
        }
        if let Some(q) = QUOTES.into_iter().find(|q| t.starts_with(q)) {
            if !(t.len() >= 6 && t[3..].contains(q)) {
                in_doc = Some(q);
            }
            continue;
        }
        let code = t.split(" #").next().unwrap_or(t).trim();
        let literal = |v: &str| {
            let v = v.trim();
            matches!(v, "None" | "True" | "False")
                || v.starts_with(['{', '[', '"', '\''])
                || v.starts_with("f\"")
                || v.starts_with("f'")
                || v.parse::<f64>().is_ok()
        };
        let nothing = matches!(code, "pass" | "..." | "return")
            || code.starts_with("raise NotImplementedError")
            || code.starts_with("print(")
            || code.starts_with("logger.")
            || code.starts_with("logging.");
        match code.strip_prefix("return ") {
            _ if nothing => open = depth(code).max(0),
            Some(v) if literal(v) => open = depth(v).max(0),
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod stub_tests {
    use super::trains_in_name_only;

    /// Training functions whose bodies do nothing are stubs; one that trains, or a file with no
    /// training function, is not.
    #[test]
    fn training_functions_that_do_nothing_are_stubs() {
        assert!(trains_in_name_only(
            "@task\ndef train_model(df):\n    \"\"\"Train.\"\"\"\n    pass  # YOUR CODE HERE\n"
        ));
        assert!(trains_in_name_only(
            "@dsl.component\ndef retrain_model(reason: str) -> dict:\n    # a real deployment would train here\n    return {\n        \"status\": \"requested\",\n    }\n"
        ));
        assert!(trains_in_name_only(
            "def fit(x):\n    raise NotImplementedError\n"
        ));
        assert!(!trains_in_name_only(
            "def train(x, y):\n    return RandomForestClassifier().fit(x, y)\n"
        ));
        assert!(!trains_in_name_only(
            "def retrain():\n    pass\n\ndef train_model(x, y):\n    model.fit(x, y)\n"
        ));
        assert!(!trains_in_name_only("def evaluate(m):\n    pass\n"));
        // A reference to a task run elsewhere is not a stub.
        assert!(!trains_in_name_only(
            "@reference_task(project=P, name=N, version=V)\ndef train_model(data: str) -> str:\n    \"\"\"Runs remotely.\"\"\"\n"
        ));
        // The pipeline function that composes the steps is not a step.
        assert!(trains_in_name_only(
            "@task\ndef re_train(d):\n    pass  # YOUR CODE HERE\n\n@flow(name=NAME)\ndef train_flow():\n    data = load()\n    re_train(data)\n"
        ));
        assert!(!trains_in_name_only(
            "@dsl.container_component\ndef train_op():\n    return dsl.ContainerSpec(image=IMG, command=[\"python\", \"train.py\"])\n"
        ));
    }
}
