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
