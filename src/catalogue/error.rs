//! A problem in a rule, model, capability or config file, always with `file:line:col`.

use crate::read::structured::saphyr_error;
use serde_saphyr::Spanned;

/// A problem in a rule, model, capability or config file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.located())]
pub struct DataError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl DataError {
    /// `file:line:col: message`, leaving out a position nobody knows (never `file:0:0`).
    fn located(&self) -> String {
        match (self.line, self.column) {
            (0, _) => format!("{}: {}", self.file, self.message),
            (l, 0) => format!("{}:{l}: {}", self.file, self.message),
            (l, c) => format!("{}:{l}:{c}: {}", self.file, self.message),
        }
    }

    pub(crate) fn at<T>(file: &str, s: &Spanned<T>, message: impl Into<String>) -> Self {
        DataError {
            file: file.to_string(),
            line: s.referenced.line(),
            column: s.referenced.column(),
            message: message.into(),
        }
    }
    /// The same problem without quoting the file, for a file outside the scanned repository: a
    /// parser's message can quote its keys or values (a `--config ~/.aws/credentials` must not
    /// print a key), so a message that quotes anything keeps only its position.
    pub(crate) fn unquoted(self) -> Self {
        if !self.message.contains(['`', '"', '\'']) {
            return self;
        }
        DataError {
            message: "not a valid ripen configuration (the contents of a file outside the \
                      scanned repository are not quoted)"
                .into(),
            ..self
        }
    }
    pub fn parse(file: &str, e: &serde_saphyr::Error) -> Self {
        let p = saphyr_error(e);
        DataError {
            file: file.to_string(),
            line: u64::from(p.line.max(1)),
            column: u64::from(p.column.max(1)),
            message: fix_hint(&p.message),
        }
    }
}

/// serde-saphyr's messages name what the parser expected, not what to write; rule and config
/// authors need the latter (and none of the library's own advice about `Options`).
pub(crate) fn fix_hint(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return format!(
            "duplicate key `{key}`: a key may appear once in a mapping; remove or merge one"
        );
    }
    let hint = match message {
        m if m.starts_with("expected sequence start") => {
            "expected a list here: `- item` lines, or `[a, b]`"
        }
        m if m.starts_with("expected mapping start") => {
            "expected a mapping here: `key: value` lines, or `{key: value}`"
        }
        m if m.starts_with("expected string scalar") => {
            "expected a single text value here, not a list or mapping (quote a value that starts with `[`, `{`, `*`, `&` or `!`)"
        }
        m if m.starts_with("invalid u32") || m.starts_with("invalid u64") => {
            "expected a whole number (0, 1, 2, ...)"
        }
        m if m.starts_with("unclosed quote") => {
            return format!("{m} (end the string with the quote it starts with)");
        }
        m if m.starts_with("mapping values are not allowed") => {
            return format!("{m} (quote a value that contains `: `, or check the indentation)");
        }
        m if m.starts_with("tabs disallowed") => {
            return format!("{m} (indent YAML with spaces)");
        }
        m if m.starts_with("missing field `") => {
            let field = m
                .trim_start_matches("missing field `")
                .split('`')
                .next()
                .unwrap_or("");
            return format!("{m}: add `{field}:` to this entry");
        }
        m => return m.to_string(),
    };
    hint.to_string()
}

#[cfg(test)]
mod position_tests {
    use super::DataError;

    #[test]
    fn an_unknown_position_is_never_printed_as_zero() {
        let e = |line, column| DataError {
            file: "rules/x.yml".into(),
            line,
            column,
            message: "bad".into(),
        };
        assert_eq!(e(0, 0).to_string(), "rules/x.yml: bad");
        assert_eq!(e(3, 0).to_string(), "rules/x.yml:3: bad");
        assert_eq!(e(3, 7).to_string(), "rules/x.yml:3:7: bad");
    }
}
