//! Brace depth in the curly-brace script languages CI systems are written in (Groovy for
//! Jenkins, Kotlin for JetBrains Space): one scanner that skips strings (`'...'`, `"..."` and
//! their triple-quoted forms, where `${...}` stays inside) and comments (`//`, `/* */`).

/// What one pass over a script's braces found.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Braces {
    /// The depth at the start of each line (index 0 is line 1), one more entry than the text
    /// has newlines.
    pub(crate) line_depths: Vec<i64>,
    /// The first line (1-based) where a brace closes with none open.
    pub(crate) stray_close: Option<usize>,
    /// The depth at the end of the text: braces opened and never closed.
    pub(crate) open_at_end: i64,
}

impl Braces {
    /// Where the braces stop balancing, if they do: a compile error in either language.
    pub(crate) fn unbalanced(&self) -> Option<String> {
        if let Some(line) = self.stray_close {
            return Some(format!("line {line} closes a brace no block opened"));
        }
        (self.open_at_end > 0)
            .then(|| format!("{} brace(s) opened and never closed", self.open_at_end))
    }
}

/// How many bytes the string, comment or single byte at the start of `rest` spans.
fn token_len(rest: &[u8]) -> usize {
    let until = |from: usize, end: &[u8]| {
        from + rest[from..]
            .windows(end.len())
            .position(|w| w == end)
            .map_or(rest.len() - from, |p| p + end.len())
    };
    if rest.starts_with(b"//") {
        rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len())
    } else if rest.starts_with(b"/*") {
        until(2, b"*/")
    } else if rest.starts_with(b"'''") || rest.starts_with(b"\"\"\"") {
        until(3, &rest[..3])
    } else if rest[0] == b'\'' || rest[0] == b'"' {
        let mut j = 1;
        while j < rest.len() && rest[j] != rest[0] && rest[j] != b'\n' {
            j += if rest[j] == b'\\' { 2 } else { 1 };
        }
        (j + 1).min(rest.len())
    } else {
        1
    }
}

/// Scans `text` once.
pub(crate) fn scan(text: &str) -> Braces {
    let b = text.as_bytes();
    let mut out = Braces {
        line_depths: vec![0],
        ..Braces::default()
    };
    let (mut depth, mut i) = (0i64, 0usize);
    while i < b.len() {
        let len = token_len(&b[i..]).max(1);
        if len == 1 {
            match b[i] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth < 0 && out.stray_close.is_none() {
                        out.stray_close = Some(out.line_depths.len());
                    }
                }
                _ => {}
            }
        }
        // Newlines inside a token keep the depth the token started at.
        let newlines = b[i..(i + len).min(b.len())]
            .iter()
            .filter(|&&c| c == b'\n')
            .count();
        out.line_depths.extend(std::iter::repeat_n(depth, newlines));
        i += len;
    }
    out.open_at_end = depth;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depths_skip_strings_and_comments() {
        let text = "a {\n  s = \"}\" // }\n  t = '''\n{\n'''\n  /* { */\n}\n";
        let b = scan(text);
        assert_eq!(b.line_depths, vec![0, 1, 1, 1, 1, 1, 1, 0]);
        assert_eq!(b.unbalanced(), None);
    }

    #[test]
    fn unbalanced_braces_are_located() {
        assert_eq!(
            scan("a {\n}\n}\n{\n").unbalanced().as_deref(),
            Some("line 3 closes a brace no block opened")
        );
        assert_eq!(
            scan("pipeline {\n  stages {\n").unbalanced().as_deref(),
            Some("2 brace(s) opened and never closed")
        );
    }
}
