//! Variables a command line names instead of writing the path out: `python $TRAIN_SCRIPT`,
//! `python ${{ matrix.script }}`, `$(PY) $(TRAIN)` in a Makefile, `<< parameters.entry >>` in
//! CircleCI. The value is defined nearby, in the same file (a CI `env:`/`variables:` block, a
//! matrix, an input's default, a Makefile assignment, an earlier line of the script), and the
//! command reaches what the value names.
//!
//! This is a reader, not an interpreter: a reference is replaced only by a value written in the
//! repository, every other reference stays as written (and names no file). Values are bounded
//! (count, length, expansions per line), as they come from an untrusted repository.

use std::collections::BTreeMap;

/// At most this many variables per scope.
const MAX_VARS: usize = 256;
/// A value longer than this is not kept.
const MAX_VALUE: usize = 1024;
/// At most this many lines come out of one expansion (a matrix variable with several values
/// stands for each of them).
const MAX_EXPANSIONS: usize = 8;
/// Lines longer than this are not expanded.
const MAX_LINE: usize = 16 * 1024;

/// Variables by name, each with one value or several (a matrix axis). A namespaced name
/// (`matrix.script`, `inputs.entry`, `parameters.entry`) is kept as written; a reference
/// `ns.name` that is not defined falls back to `name` (`${{ env.X }}` is the `X` of `env:`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Vars {
    map: BTreeMap<String, Vec<String>>,
}

impl Vars {
    pub(crate) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Defines `name` as `value`, itself expanded with the variables defined so far (GitLab
    /// `DIR: $ROOT/src`, Make `TRAIN = $(SRC)/train.py`). Ignored past the bounds.
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        let value = self.expand_one(value);
        self.set_all(name, vec![value]);
    }

    /// Defines `name` with several values (each is one run: a matrix axis).
    pub(crate) fn set_all(&mut self, name: &str, values: Vec<String>) {
        let name = name.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            return;
        }
        let values: Vec<String> = values
            .into_iter()
            .filter(|v| v.len() <= MAX_VALUE)
            .take(MAX_EXPANSIONS)
            .collect();
        if values.is_empty() || (self.map.len() >= MAX_VARS && !self.map.contains_key(name)) {
            return;
        }
        self.map.insert(name.to_string(), values);
    }

    /// Defines every variable of `other` over this one's (a caller's arguments over a
    /// template's defaults).
    pub(crate) fn overlay(&mut self, other: &Vars) {
        for (k, v) in &other.map {
            self.set_all(k, v.clone());
        }
    }

    /// Every variable with its first value.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.first()?.as_str())))
    }

    fn get(&self, name: &str) -> Option<&[String]> {
        self.map
            .get(name)
            .or_else(|| {
                let (_, last) = name.rsplit_once('.')?;
                self.map.get(last)
            })
            .map(Vec::as_slice)
    }

    /// `text` with the first value of each variable it names.
    pub(crate) fn expand_one(&self, text: &str) -> String {
        self.expand(text).into_iter().next().unwrap_or_default()
    }

    /// `text` with its references replaced: one line, or one per value of a variable with
    /// several values (at most [`MAX_EXPANSIONS`]). Text without a defined reference comes back
    /// unchanged.
    pub(crate) fn expand(&self, text: &str) -> Vec<String> {
        if self.map.is_empty() || text.len() > MAX_LINE || !text.contains(['$', '<']) {
            return vec![text.to_string()];
        }
        let mut outs = vec![String::new()];
        let mut rest = text;
        while let Some((start, len, name)) = next_reference(rest) {
            let lit = &rest[..start];
            let values = self.get(name);
            for o in &mut outs {
                o.push_str(lit);
            }
            match values {
                Some(vals) if vals.len() == 1 || outs.len() * vals.len() > MAX_EXPANSIONS => {
                    for o in &mut outs {
                        o.push_str(&vals[0]);
                    }
                }
                Some(vals) => {
                    outs = outs
                        .iter()
                        .flat_map(|o| vals.iter().map(move |v| format!("{o}{v}")))
                        .collect();
                }
                None => {
                    for o in &mut outs {
                        o.push_str(&rest[start..start + len]);
                    }
                }
            }
            rest = &rest[start + len..];
        }
        for o in &mut outs {
            o.push_str(rest);
        }
        outs
    }
}

/// The first variable reference in `s`: (byte offset, length, name). Forms: `$NAME`,
/// `${NAME}`, `$(NAME)` (Make, Azure Pipelines macros; a shell command substitution names no
/// variable unless one of that name exists), `${{ ns.NAME }}` (GitHub, Azure templates),
/// `<< parameters.NAME >>` (CircleCI), `$(params.NAME)` (Tekton), `${env.NAME}` (Jenkins),
/// `$[[ inputs.NAME ]]` (GitLab).
fn next_reference(s: &str) -> Option<(usize, usize, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'$' => {
                if let Some((len, name)) = dollar_reference(&s[i..]) {
                    return Some((i, len, name));
                }
            }
            b'<' if s[i..].starts_with("<<") => {
                if let Some(end) = s[i + 2..].find(">>") {
                    let name = s[i + 2..i + 2 + end].trim();
                    if is_name(name) {
                        return Some((i, end + 4, name));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn dollar_reference(s: &str) -> Option<(usize, &str)> {
    let rest = &s[1..];
    let closed = |open: &str, close: &str| -> Option<(usize, &str)> {
        let body = rest.strip_prefix(open)?;
        let end = body.find(close)?;
        let name = body[..end].trim();
        is_name(name).then_some((1 + open.len() + end + close.len(), name))
    };
    if rest.starts_with("{{") {
        return closed("{{", "}}");
    }
    if rest.starts_with("[[") {
        return closed("[[", "]]");
    }
    if rest.starts_with('{') {
        return closed("{", "}");
    }
    if rest.starts_with('(') {
        return closed("(", ")");
    }
    let len = rest
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
        .count();
    (len > 0 && !rest.as_bytes()[0].is_ascii_digit()).then(|| (1 + len, &rest[..len]))
}

/// A variable name, possibly namespaced (`matrix.python-version`, `env.X`).
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && !s.starts_with(['.', '-'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        let mut v = Vars::default();
        for (k, val) in pairs {
            v.set(k, val);
        }
        v
    }

    #[test]
    fn every_form_is_replaced_by_its_value() {
        let v = vars(&[("TRAIN", "src/train.py"), ("inputs.entry", "src.train")]);
        for line in [
            "python $TRAIN",
            "python ${TRAIN}",
            "python \"${TRAIN}\"",
            "python $(TRAIN)",
            "python ${{ env.TRAIN }}",
            "python ${{env.TRAIN}}",
            "python << parameters.TRAIN >>",
            "python $(params.TRAIN)",
            "python ${env.TRAIN}",
        ] {
            let out = v.expand(line);
            assert_eq!(out.len(), 1, "{line}");
            assert!(out[0].contains("src/train.py"), "{line} -> {}", out[0]);
        }
        assert_eq!(
            v.expand("python -m ${{ inputs.entry }}"),
            vec!["python -m src.train"]
        );
    }

    #[test]
    fn what_is_not_defined_stays_as_written() {
        let v = vars(&[("TRAIN", "src/train.py")]);
        for line in [
            "python $OTHER",
            "echo $(date) $(git rev-parse HEAD)",
            "echo ${{ secrets.TOKEN }}",
            "echo $1 $@ $$",
            "cat << EOF",
        ] {
            assert_eq!(v.expand(line), vec![line.to_string()]);
        }
        assert_eq!(
            Vars::default().expand("python $TRAIN"),
            vec!["python $TRAIN"]
        );
    }

    #[test]
    fn values_name_earlier_variables_and_matrices_stand_for_each_value() {
        let mut v = vars(&[("SRC", "src"), ("TRAIN", "$SRC/train.py")]);
        assert_eq!(v.expand("python $TRAIN"), vec!["python src/train.py"]);
        v.set_all(
            "matrix.model",
            vec!["train_a.py".to_string(), "train_b.py".to_string()],
        );
        assert_eq!(
            v.expand("python src/${{ matrix.model }}"),
            vec!["python src/train_a.py", "python src/train_b.py"]
        );
    }

    #[test]
    fn bounds_hold_on_hostile_input() {
        let mut v = Vars::default();
        for i in 0..1000 {
            v.set(&format!("V{i}"), "x");
        }
        assert_eq!(v.map.len(), MAX_VARS);
        v.set("BIG", &"y".repeat(MAX_VALUE + 1));
        assert!(v.get("BIG").is_none());
        // Ten axes of two values each: never more than MAX_EXPANSIONS lines.
        let mut m = Vars::default();
        let mut line = String::new();
        for i in 0..10 {
            m.set_all(&format!("matrix.a{i}"), vec!["p".into(), "q".into()]);
            line.push_str(&format!("${{{{ matrix.a{i} }}}} "));
        }
        assert!(m.expand(&line).len() <= MAX_EXPANSIONS);
        // A value naming itself is expanded once, not forever.
        let v = vars(&[("A", "$A/x")]);
        assert_eq!(v.expand("$A"), vec!["$A/x"]);
        // Not a char boundary problem on multibyte text.
        assert_eq!(v.expand("é$A€"), vec!["é$A/x€"]);
    }
}
