//! Rule regexes, compiled once, as the matcher runs them.

use regex::Regex;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// Word boundaries in rules mean code identifiers. Unicode `\b` makes the regex engine give up
/// its DFA on any non-ASCII text (a notebook, a translated README) and crawl; the ASCII
/// boundary keeps every search linear and fast.
pub(crate) fn ascii_word_boundaries(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + 16);
    let mut chars = src.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push_str("(?-u:\\b)"),
            Some('B') => out.push_str("(?-u:\\B)"),
            Some(n) => {
                out.push('\\');
                out.push(n);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// A rule's regex as the matcher runs it. The catalogue compiles each one this way when it
/// validates the rules (so an error points at the rule file, and the matcher can never meet a
/// pattern it cannot build), and [`Matcher::new`] then reuses the compiled regex: compiling
/// them all twice was half of every run's start-up.
pub(crate) fn compile_regex(src: &str) -> Result<Regex, regex::Error> {
    static COMPILED: LazyLock<Mutex<HashMap<String, Regex>>> = LazyLock::new(Default::default);
    let compiled = || COMPILED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(re) = compiled().get(src) {
        return Ok(re.clone());
    }
    let re = regex::RegexBuilder::new(&ascii_word_boundaries(src))
        .multi_line(true)
        .size_limit(16 * 1024 * 1024)
        .build()?;
    compiled().insert(src.to_string(), re.clone());
    Ok(re)
}
