//! Whether Python can compile a source file's indentation, read as CPython's tokenizer reads
//! it: an indented line where no block opens ("unexpected indent"), a dedent to a column no
//! enclosing block has ("unindent does not match"), a block opener (`def f():`) with nothing
//! indented under it ("expected an indented block"). Python rejects the whole file, so
//! nothing in it runs. Lines inside brackets, strings (triple-quoted too) and after a
//! backslash continue their logical line; comments and blank lines are no lines. A file that
//! indents with tabs is not judged (their width depends on what they are mixed with).

/// The 1-based line of the first indentation error, if Python would report one.
pub(crate) fn indentation_error(text: &str) -> Option<u32> {
    let mut scan = Scanner::default();
    let mut stack: Vec<usize> = vec![0];
    // Whether the last logical line opened a block (ended with `:`).
    let mut opened = false;
    for (i, line) in text.lines().enumerate() {
        let continuing = scan.continues();
        let body = line.trim_start_matches([' ', '\t', '\x0c']);
        if !continuing && !body.is_empty() && !body.starts_with('#') {
            let lead = &line[..line.len() - body.len()];
            if lead.contains('\t') {
                return None;
            }
            let indent = lead.chars().filter(|c| *c == ' ').count();
            let top = *stack.last().unwrap_or(&0);
            if indent > top {
                if !opened {
                    return Some(i as u32 + 1);
                }
                stack.push(indent);
            } else {
                if opened {
                    return Some(i as u32 + 1);
                }
                while stack.last().is_some_and(|t| *t > indent) {
                    stack.pop();
                }
                if stack.last() != Some(&indent) {
                    return Some(i as u32 + 1);
                }
            }
            scan.last = None;
        }
        scan.line(line);
        if !scan.continues() && scan.last.is_some() {
            opened = scan.last == Some(':');
        }
    }
    None
}

/// The state carried from one physical line to the next.
#[derive(Default)]
struct Scanner {
    /// Open brackets.
    depth: i32,
    /// An open triple-quoted string's quote.
    triple: Option<char>,
    /// The line ended with a backslash.
    backslash: bool,
    /// The last significant character of the logical line so far.
    last: Option<char>,
}

impl Scanner {
    fn continues(&self) -> bool {
        self.depth > 0 || self.triple.is_some() || self.backslash
    }

    fn line(&mut self, line: &str) {
        self.backslash = false;
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if let Some(q) = self.triple {
                if c == '\\' {
                    i += 2;
                    continue;
                }
                if c == q && chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q) {
                    self.triple = None;
                    self.last = Some(q);
                    i += 3;
                    continue;
                }
                i += 1;
                continue;
            }
            match c {
                '#' => break,
                '\'' | '"' => {
                    if chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c) {
                        self.triple = Some(c);
                        i += 3;
                        continue;
                    }
                    // A one-line string ends at its quote or at the end of the line.
                    i += 1;
                    while i < chars.len() && chars[i] != c {
                        i += if chars[i] == '\\' { 2 } else { 1 };
                    }
                    self.last = Some(c);
                }
                '(' | '[' | '{' => self.depth += 1,
                ')' | ']' | '}' => self.depth = (self.depth - 1).max(0),
                '\\' if i + 1 == chars.len() => {
                    self.backslash = true;
                    return;
                }
                _ => {}
            }
            if !c.is_whitespace() && c != '\'' && c != '"' {
                self.last = Some(c);
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_files_compile() {
        for src in [
            "import os\n\ndef f(a,\n      b):\n    return a\n\nclass A:\n    x: int = 1\n\n    def g(self):  # a comment:\n        if self.x:\n            pass\n        else:\n            return {\n    'k': 1,\n}\n",
            "s = \"\"\"\n  text: with a colon:\n    indented\n\"\"\"\nx = 1\n",
            "if a and \\\n        b:\n    pass\n",
            "d = {'a': 1}\nif d:  \n    # comment\n\n    print(d['a'])\n",
            "def f():\n\tpass\n  x = 1\n",
            "x = f'{a[\"k\"]}:'\ny = 2\n",
        ] {
            assert_eq!(indentation_error(src), None, "{src}");
        }
    }

    #[test]
    fn indentation_errors_are_found() {
        // An unexpected indent (online-shoppers: a line indented under nothing).
        assert_eq!(
            indentation_error(
                "import mlflow\nmlflow.set_tracking_uri('x')\n    mlflow.autolog()\n"
            ),
            Some(3)
        );
        // A dedent to a column no block has.
        assert_eq!(
            indentation_error("def f():\n        a = 1\n    b = 2\n"),
            Some(3)
        );
        // A block with nothing in it.
        assert_eq!(indentation_error("def f():\nx = 1\n"), Some(2));
    }
}
