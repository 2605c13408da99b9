//! The JSON output contract (docs/levels.md, "Output contract").

use crate::model::Report;

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("reports serialise");
    s.push('\n');
    s
}

/// serde_json's compact layout, with what a terminal or a CI log could act on escaped inside
/// strings (the same JSON once parsed): DEL and the C1 controls, which serde_json leaves raw,
/// as `\uXXXX`, and the `[` of an Azure `##vso[` as `\u005b`.
pub(crate) struct InertJson;

impl serde_json::ser::Formatter for InertJson {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let s = crate::render::common::defuse_vso(fragment, "\\u005b", false);
        if !s.chars().any(char::is_control) {
            return w.write_all(s.as_bytes());
        }
        for c in s.chars() {
            if c.is_control() {
                write!(w, "\\u{:04x}", c as u32)?;
            } else {
                w.write_all(c.encode_utf8(&mut [0; 4]).as_bytes())?;
            }
        }
        Ok(())
    }
}

/// `v` as compact [`InertJson`] into `w`.
pub(crate) fn to_writer_inert<W: std::io::Write, T: serde::Serialize + ?Sized>(
    w: W,
    v: &T,
) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, InertJson);
    v.serialize(&mut ser)
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_are_inert_and_the_same_once_parsed() {
        let v = "a\u{9b}2J\u{7f} ##VSO[task.complete] \u{1b}";
        let mut out = Vec::new();
        super::to_writer_inert(&mut out, v).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "\"a\\u009b2J\\u007f ##VSO\\u005btask.complete] \\u001b\""
        );
        assert_eq!(serde_json::from_str::<String>(&text).unwrap(), v);
    }
}
