//! Splitting a command line into simple commands and their words. Quotes, backslash escapes
//! and comments are read as the shell reads them: operators (`;`, `&&`, `||`, `|`, `&`) split
//! commands only outside quotes, `#` starts a comment only at the start of an unquoted word,
//! and the commands inside command substitutions (`$(...)`, backticks) are returned to be read
//! too. Words are split by the `shlex` crate.

/// One simple command of a line.
#[derive(Debug, PartialEq)]
pub(crate) struct Part<'a> {
    /// The command as written (substitutions included): what chains show.
    pub raw: &'a str,
    /// Its words, quotes and escapes resolved; a substitution stands as `$(…)`, which names
    /// no file.
    pub words: Vec<String>,
    /// The command lines of its substitutions, read before it (they run first).
    pub substitutions: Vec<&'a str>,
    /// Its standard input is the output of the command before it (`a | b`: `b` is piped).
    pub piped: bool,
}

/// The simple commands of a line, in order.
pub(crate) fn split(line: &str) -> Vec<Part<'_>> {
    let mut lexer = Lexer {
        line,
        bytes: line.as_bytes(),
        parts: Vec::new(),
        start: 0,
        clean: String::new(),
        subs: Vec::new(),
        piped: false,
    };
    lexer.run();
    lexer.parts
}

struct Lexer<'a> {
    line: &'a str,
    bytes: &'a [u8],
    parts: Vec<Part<'a>>,
    /// Where the current simple command starts.
    start: usize,
    /// The current command with substitutions replaced and grouping parentheses dropped.
    clean: String,
    subs: Vec<&'a str>,
    /// The command being read is fed by a pipe.
    piped: bool,
}

/// What a substitution leaves in the words of its command.
const SUBSTITUTED: &str = "$(…)";

impl<'a> Lexer<'a> {
    fn run(&mut self) {
        let mut i = 0;
        let n = self.bytes.len();
        while i < n {
            let b = self.bytes[i];
            match b {
                // A line continued on the next ends here, as a command of its own, as
                // CI files hold them line by line (see `end_part`).
                b'\\' if self.bytes.get(i + 1) == Some(&b'\n') => i = self.copy(i, i + 1),
                b'\\' => i = self.copy(i, (i + 2).min(n)),
                b'\'' => {
                    let end = self.find(i + 1, b'\'').map_or(n, |e| e + 1);
                    i = self.copy(i, end);
                }
                b'"' => i = self.double_quoted(i),
                b'$' if self.bytes.get(i + 1) == Some(&b'(') => i = self.substitution(i),
                // A CI expression left unresolved (`churn:${{ github.sha }}`) is part of its
                // word: its spaces split nothing.
                b'$' if self.line[i..].starts_with("${{") => {
                    let end = self.line[i..].find("}}").map_or(n, |e| i + e + 2);
                    let expr: String = self.line[i..end]
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    self.clean.push_str(&expr);
                    i = end;
                }
                b'`' => i = self.backticks(i),
                // A comment runs to the end of its line: the lines after it (a block of
                // several) are read.
                b'#' if i == 0 || self.word_boundary(i - 1) => match self.line[i..].find('\n') {
                    Some(off) => i += off,
                    None => break,
                },
                // A redirection's `&` (`2>&1`, `>&2`, `&> log`) is part of its word, no
                // operator.
                b'&' if (i > 0 && matches!(self.bytes[i - 1], b'>' | b'<'))
                    || self.bytes.get(i + 1) == Some(&b'>') =>
                {
                    i = self.copy(i, i + 1)
                }
                b';' | b'|' | b'&' | b'\n' => {
                    self.end_part(i);
                    let pipe = b == b'|' && !matches!(self.bytes.get(i + 1), Some(b'|' | b'&'));
                    self.piped = pipe;
                    i += 1;
                    while i < n && matches!(self.bytes[i], b'|' | b'&') {
                        i += 1;
                    }
                    self.start = i;
                }
                // Grouping (`(cd ml && make)`) runs what is inside.
                b'(' | b')' => i += 1,
                _ => i = self.copy(i, i + 1),
            }
        }
        self.end_part(i.min(n));
    }

    /// Copies bytes `from..to` (whole characters) into the clean command.
    fn copy(&mut self, from: usize, to: usize) -> usize {
        let mut to = to;
        while to < self.bytes.len() && !self.line.is_char_boundary(to) {
            to += 1;
        }
        self.clean.push_str(&self.line[from..to]);
        to
    }

    fn find(&self, from: usize, byte: u8) -> Option<usize> {
        let mut i = from;
        while i < self.bytes.len() {
            if self.bytes[i] == byte {
                return Some(i);
            }
            i += if self.bytes[i] == b'\\' && byte != b'\'' {
                2
            } else {
                1
            };
        }
        None
    }

    fn word_boundary(&self, i: usize) -> bool {
        matches!(
            self.bytes[i],
            b' ' | b'\t' | b';' | b'&' | b'|' | b'(' | b'\n'
        )
    }

    /// `"..."`: escapes and substitutions are read inside.
    fn double_quoted(&mut self, open: usize) -> usize {
        self.clean.push('"');
        let mut i = open + 1;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'"' => {
                    self.clean.push('"');
                    return i + 1;
                }
                b'\\' => i = self.copy(i, (i + 2).min(self.bytes.len())),
                b'$' if self.bytes.get(i + 1) == Some(&b'(') => i = self.substitution(i),
                b'`' => i = self.backticks(i),
                _ => i = self.copy(i, i + 1),
            }
        }
        i
    }

    /// `$(...)`, nested and quoted as the shell allows.
    fn substitution(&mut self, dollar: usize) -> usize {
        let mut depth = 0usize;
        let mut i = dollar + 1;
        let n = self.bytes.len();
        let mut quote: Option<u8> = None;
        while i < n {
            let b = self.bytes[i];
            match (quote, b) {
                (_, b'\\') => i += 1,
                (Some(q), _) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'\'' | b'"') => quote = Some(b),
                (None, b'(') => depth += 1,
                (None, b')') => {
                    depth -= 1;
                    if depth == 0 {
                        let inner = &self.line[dollar + 2..i];
                        // `$(pwd)/src/train.py`: a path from where the command runs.
                        if inner.trim() == "pwd" {
                            self.clean.push('.');
                            return i + 1;
                        }
                        self.subs.push(inner);
                        self.clean.push_str(SUBSTITUTED);
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        // Unclosed: the rest of the line is the substitution.
        self.subs.push(&self.line[(dollar + 2).min(n)..]);
        self.clean.push_str(SUBSTITUTED);
        n
    }

    fn backticks(&mut self, open: usize) -> usize {
        let end = self.find(open + 1, b'`').unwrap_or(self.bytes.len());
        if self.line[open + 1..end].trim() == "pwd" {
            self.clean.push('.');
            return (end + 1).min(self.bytes.len());
        }
        self.subs.push(&self.line[open + 1..end]);
        self.clean.push_str(SUBSTITUTED);
        (end + 1).min(self.bytes.len())
    }

    fn end_part(&mut self, end: usize) {
        let raw = &self.line[self.start..end.max(self.start)];
        let clean = std::mem::take(&mut self.clean);
        // A line continued on the next (`\` at its end): its words, and the `\` as the last
        // one (what the next line adds is read as a command of its own).
        let trimmed = clean.trim_end();
        let continued = trimmed.len() - trimmed.trim_end_matches('\\').len();
        let words: Vec<String> = if continued % 2 == 1 {
            let mut w: Vec<String> = shlex::Shlex::new(&trimmed[..trimmed.len() - 1]).collect();
            w.push("\\".into());
            w
        } else {
            shlex::Shlex::new(trimmed).collect()
        };
        self.parts.push(Part {
            raw,
            words,
            substitutions: std::mem::take(&mut self.subs),
            piped: self.piped,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<Vec<String>> {
        split(line).into_iter().map(|p| p.words).collect()
    }

    /// A comment ends at its line's end: a block's later lines are commands.
    #[test]
    fn comment_lines_inside_a_block() {
        assert_eq!(
            words("set -e\n# train\npython train.py # now\nmake deploy"),
            vec![
                vec!["set", "-e"],
                vec![],
                vec!["python", "train.py"],
                vec!["make", "deploy"]
            ]
        );
    }

    #[test]
    fn operators_quotes_and_comments() {
        assert_eq!(
            words("echo \"step #1\"; python train.py # the model"),
            vec![vec!["echo", "step #1"], vec!["python", "train.py"]]
        );
        assert_eq!(
            words("a && b || c | d & e"),
            vec![vec!["a"], vec!["b"], vec!["c"], vec!["d"], vec!["e"]]
        );
        assert_eq!(
            words("echo 'a;b' \"c|d\""),
            vec![vec!["echo", "a;b", "c|d"]]
        );
        assert_eq!(
            words("docker run churn:${{ github.sha }} python train.py"),
            vec![vec![
                "docker",
                "run",
                "churn:${{github.sha}}",
                "python",
                "train.py"
            ]]
        );
        assert_eq!(words("# all comment"), vec![Vec::<String>::new()]);
        assert_eq!(words("echo a#b"), vec![vec!["echo", "a#b"]]);
    }

    #[test]
    fn escapes_and_continuations() {
        assert_eq!(
            words(r"python my\ script.py --name=a\;b"),
            vec![vec!["python", "my script.py", "--name=a;b"]]
        );
        assert_eq!(
            words("python train.py \\"),
            vec![vec!["python", "train.py", "\\"]]
        );
        assert_eq!(
            words("python train.py \\\n  --epochs 3"),
            vec![vec!["python", "train.py", "\\"], vec!["--epochs", "3"]]
        );
        assert_eq!(
            words("find . -exec rm {} \\;"),
            vec![vec!["find", ".", "-exec", "rm", "{}", ";"]]
        );
    }

    #[test]
    fn pwd_substitution_is_the_current_directory() {
        let p = split("python -u $(pwd)/src/train.py && bash `pwd`/run.sh");
        assert_eq!(p[0].words, vec!["python", "-u", "./src/train.py"]);
        assert_eq!(p[1].words, vec!["bash", "./run.sh"]);
        assert!(p[0].substitutions.is_empty());
    }

    #[test]
    fn substitutions_are_read_too() {
        let p = split("echo \"$(python train.py)\" && x=`bash run.sh $(dirname $0)`");
        assert_eq!(p[0].words, vec!["echo", "$(…)"]);
        assert_eq!(p[0].substitutions, vec!["python train.py"]);
        assert_eq!(p[1].substitutions, vec!["bash run.sh $(dirname $0)"]);
        assert_eq!(p[0].raw, "echo \"$(python train.py)\" ");
        // Operators inside a substitution do not split the outer command.
        let p = split("v=$(cd ml; make version) python x.py");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].substitutions, vec!["cd ml; make version"]);
    }

    #[test]
    fn grouping_and_unclosed_quotes() {
        assert_eq!(
            words("(cd ml && python train.py)"),
            vec![vec!["cd", "ml"], vec!["python", "train.py"]]
        );
        // An unclosed quote ends the words there; nothing panics.
        assert_eq!(words("echo \"unclosed"), vec![vec!["echo"]]);
    }
}
