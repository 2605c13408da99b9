//! A small YAML/JSON tree that remembers line numbers.
//!
//! Rules ask structural questions (`on.schedule`, `kind: InferenceService`, `$schema`) and the
//! automation graph walks CI files; both need to point at a line. serde-saphyr parses with a
//! budget (YAML bombs, deep nesting) and strict booleans (so GitHub's `on:` stays a string key).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// One node of a parsed document with the 1-based line it starts on (0 when unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: u32,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Every scalar as text: rules compare strings, and `1.10` must not become `1.1`.
    Scalar(String),
    Seq(Vec<Node>),
    /// Entries keep source order and the key's own line.
    Map(Vec<(String, u32, Node)>),
}

impl Node {
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// The line of `key` itself inside this mapping.
    pub(crate) fn key_line(&self, key: &str) -> Option<u32> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, l, _)| *l),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub(crate) fn entries(&self) -> &[(String, u32, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Finds every node at a dotted path; `*` matches any key or list item. A list met where a
    /// key is asked for is searched item by item, as YAML authors mix the two freely.
    pub(crate) fn find_path<'a>(&'a self, path: &[String], out: &mut Vec<(&'a Node, u32)>) {
        self.find_inner(path, self.line, out, 0);
    }

    pub(crate) fn find_inner<'a>(
        &'a self,
        path: &[String],
        line: u32,
        out: &mut Vec<(&'a Node, u32)>,
        depth: usize,
    ) {
        if depth > 256 {
            return;
        }
        let Some((head, rest)) = path.split_first() else {
            out.push((self, line));
            return;
        };
        match &self.value {
            Value::Map(entries) => {
                for (k, kl, v) in entries {
                    if head == "*" || k == head {
                        v.find_inner(rest, *kl, out, depth + 1);
                    }
                }
            }
            Value::Seq(items) => {
                if head == "*" {
                    for item in items {
                        item.find_inner(rest, item.line, out, depth + 1);
                    }
                } else if let Ok(i) = head.parse::<usize>() {
                    if let Some(item) = items.get(i) {
                        item.find_inner(rest, item.line, out, depth + 1);
                    }
                } else {
                    for item in items {
                        item.find_inner(path, item.line, out, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// All scalars below this node, depth-first, with their lines.
    pub(crate) fn scalars<'a>(&'a self, out: &mut Vec<(&'a str, u32)>) {
        match &self.value {
            Value::Scalar(s) => out.push((s, self.line)),
            Value::Seq(items) => items.iter().for_each(|i| i.scalars(out)),
            Value::Map(entries) => entries.iter().for_each(|(_, _, v)| v.scalars(out)),
            Value::Null => {}
        }
    }
}

pub(crate) fn line_of(loc: &serde_saphyr::Location) -> u32 {
    u32::try_from(loc.line()).unwrap_or(u32::MAX)
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(d)?;
        Ok(Node {
            line: line_of(&spanned.referenced),
            value: spanned.value,
        })
    }
}

/// A mapping key as text, whatever scalar it was written as.
pub(crate) struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(Key(match v {
            Value::Scalar(s) => s,
            Value::Null => "null".to_string(),
            // Complex keys are legal YAML but never what a rule asks for.
            _ => "?".to_string(),
        }))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

pub(crate) struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Scalar(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Scalar(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Scalar(v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Scalar(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Scalar(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Scalar(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Scalar(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Scalar(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Scalar(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Key>>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key.value.0, line_of(&key.referenced), value));
        }
        Ok(Value::Map(entries))
    }
}

/// Why a document could not be parsed, with its position when known.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub(crate) struct ParseError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl ParseError {
    /// `file:line:col: cannot parse: message`, leaving out a position the parser did not give
    /// (never `file:0:0`).
    pub(crate) fn at(&self, file: &str) -> String {
        match (self.line, self.column) {
            (0, _) => format!("{file}: cannot parse: {}", self.message),
            (l, 0) => format!("{file}:{l}: cannot parse: {}", self.message),
            (l, c) => format!("{file}:{l}:{c}: cannot parse: {}", self.message),
        }
    }
}

#[cfg(test)]
mod position_tests {
    use super::ParseError;

    #[test]
    fn an_unknown_position_is_left_out() {
        let e = |line, column| ParseError {
            line,
            column,
            message: "bad".into(),
        };
        assert_eq!(e(0, 0).at("a.yml"), "a.yml: cannot parse: bad");
        assert_eq!(e(3, 0).at("a.yml"), "a.yml:3: cannot parse: bad");
        assert_eq!(e(3, 7).at("a.yml"), "a.yml:3:7: cannot parse: bad");
    }
}

pub(crate) fn saphyr_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        // Repositories are full of files that repeat keys by accident; a scan should still read
        // them (rule and config files are loaded with the strict default instead).
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::AsString,
        budget: Some(scan_budget()),
    }
}

/// Deepest nesting of a scanned YAML/JSON document, in flow (`[[[`, `{a: {`) or block style.
/// `Node`'s recursive deserialisation costs tens of KiB of stack per level in debug builds, and
/// serde-saphyr's defaults (64 block levels, 255 flow levels) overflowed a 2 MiB worker
/// thread on `[[[[...]]]]`, and 40 levels of `{"a": {"a": ...` still did on a rayon worker
/// (both found by the hostile-repository tests). Real CI files, manifests and pipelines nest
/// well under 20 levels; deeper documents are refused with a warning.
pub(crate) const MAX_DEPTH: usize = 32;

pub(crate) fn scan_budget() -> serde_saphyr::Budget {
    let mut b = serde_saphyr::Budget::default();
    b.max_depth = MAX_DEPTH;
    b.flow_nesting_limit = MAX_DEPTH;
    b
}

pub(crate) fn saphyr_error(e: &serde_saphyr::Error) -> ParseError {
    let (line, column) = e
        .location()
        .map(|l| (line_of(&l), u32::try_from(l.column()).unwrap_or(0)))
        .unwrap_or((0, 0));
    // The crate's Display renders a snippet; the first line is the message itself.
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // It also repeats the position (`error: line 3 column 7: ...`), which callers print
    // themselves as `file:line:col`.
    let mut message = first.strip_prefix("error: ").unwrap_or(first);
    if let Some(rest) = message.strip_prefix("line ")
        && let Some((_, m)) = rest.split_once(": ")
        && rest
            .split_once(": ")
            .is_some_and(|(pos, _)| pos.contains(" column "))
    {
        message = m;
    }
    let message = if message.contains("recursion limit exceeded") || message.contains("Depth {") {
        format!("{message} (nested too deeply)")
    } else {
        message.to_string()
    };
    ParseError {
        line,
        column,
        message,
    }
}

/// Parses every YAML document in `text` (JSON is YAML too, so this reads JSON as well).
pub(crate) fn parse_yaml(text: &str) -> Result<Vec<Node>, ParseError> {
    let docs: Vec<Option<Node>> =
        serde_saphyr::from_str_multiple_with_options(text, saphyr_options())
            .map_err(|e| saphyr_error(&e))?;
    Ok(docs.into_iter().flatten().collect())
}

/// Parses JSON, preferring the line-aware YAML reader and falling back to serde_json for JSON
/// that YAML rejects (tabs, very long lines). The fallback has no line numbers.
pub(crate) fn parse_json(text: &str) -> Result<Vec<Node>, ParseError> {
    if let Ok(docs) = parse_yaml(text) {
        return Ok(docs);
    }
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ParseError {
        line: u32::try_from(e.line()).unwrap_or(0),
        column: u32::try_from(e.column()).unwrap_or(0),
        message: e.to_string(),
    })?;
    Ok(vec![from_json(&v, 0)])
}

pub(crate) fn from_json(v: &serde_json::Value, depth: usize) -> Node {
    let value = if depth > 256 {
        Value::Null
    } else {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Scalar(b.to_string()),
            serde_json::Value::Number(n) => Value::Scalar(n.to_string()),
            serde_json::Value::String(s) => Value::Scalar(s.clone()),
            serde_json::Value::Array(a) => {
                Value::Seq(a.iter().map(|x| from_json(x, depth + 1)).collect())
            }
            serde_json::Value::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, x)| (k.clone(), 0, from_json(x, depth + 1)))
                    .collect(),
            ),
        }
    };
    Node { line: 0, value }
}

/// Text in which a YAML or JSON escape could spell a key or value without its literal
/// characters (`\u`, `\x`, `\U`, `\/`, a backslash-newline line continuation).
pub(crate) fn has_escape(text: &str) -> bool {
    memchr::memchr_iter(b'\\', text.as_bytes()).any(|i| {
        matches!(
            text.as_bytes().get(i + 1),
            Some(b'u' | b'x' | b'U' | b'/' | b'\n' | b'\r')
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_and_on_key() {
        let docs = parse_yaml("name: ci\non:\n  schedule:\n    - cron: '0 3 * * 1'\n").unwrap();
        let mut out = Vec::new();
        docs[0].find_path(&["on".into(), "schedule".into()], &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].1, 3);
        let mut crons = Vec::new();
        docs[0].find_path(&["on".into(), "schedule".into(), "cron".into()], &mut crons);
        assert_eq!(crons[0].0.as_str(), Some("0 3 * * 1"));
        assert_eq!(crons[0].1, 4);
    }

    #[test]
    fn multi_document_and_json() {
        let docs = parse_yaml("kind: A\n---\nkind: B\n").unwrap();
        assert_eq!(docs.len(), 2);
        let j = parse_json("{\n  \"$schema\": \"x\"\n}").unwrap();
        assert_eq!(j[0].get("$schema").unwrap().as_str(), Some("x"));
        assert_eq!(j[0].key_line("$schema"), Some(2));
    }

    #[test]
    fn alias_bomb_is_refused_not_expanded() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!(
                "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(parse_yaml(&bomb).is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        // 8 MiB, a main thread's stack: 8 times less than the scan's workers have
        // (`scan::PARSE_STACK`), so the margin holds in a debug build.
        let run = |doc: String| {
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn(move || parse_yaml(&doc).map(|_| ()).map_err(|e| e.to_string()))
                .unwrap()
                .join()
                .expect("no stack overflow")
        };
        let n = 50_000;
        for doc in [
            format!("{}{}", "[".repeat(n), "]".repeat(n)),
            format!("{}1{}", "a: {".repeat(n), "}".repeat(n)),
            format!("{}1{}", "{\"a\": ".repeat(n), "}".repeat(n)),
            (0..2_000)
                .map(|i| format!("{}a:\n", " ".repeat(i)))
                .collect(),
            (0..2_000)
                .map(|i| format!("{}-\n", " ".repeat(i)))
                .collect(),
        ] {
            let e = run(doc).unwrap_err();
            assert!(!e.contains('\n'), "{e}");
        }
        // The deepest accepted documents still parse.
        let d = MAX_DEPTH - 1;
        let nest = |open: &str, close: &str, k: usize| open.repeat(k) + "1" + &close.repeat(k);
        run(nest("[", "]", MAX_DEPTH)).unwrap();
        run(nest("a: {", "}", d)).unwrap();
        run(nest("{\"a\": ", "}", MAX_DEPTH)).unwrap();
        run(nest("{\"a\": [", "]}", MAX_DEPTH / 2)).unwrap();
        run((0..d).map(|i| format!("{}a:\n", " ".repeat(i))).collect()).unwrap();
        // JSON that YAML refuses falls back to serde_json (recursion limit 128): still an error.
        let deep_json = format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse_json(&deep_json).is_err());
    }

    #[test]
    fn broken_yaml_has_a_position() {
        let e = parse_yaml("a: [1, 2\nb: c\n").unwrap_err();
        assert!(e.line >= 1, "{e}");
    }
}
