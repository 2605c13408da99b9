//! JUnit XML (`--format junit`): one test suite per staged model, one test case per practice of
//! the levels up to its target (the `--fail-under` target, else the next level). A practice the
//! repository has passes; a missing required practice of a target that is not met fails; other
//! missing practices are skipped with the reason, so any CI's test tab shows what to do next
//! without failing a build the caller did not ask to fail.

use crate::model::{Outcome, Report};
use std::fmt::Write as _;

/// Escapes text for XML content and attribute values. Characters XML 1.0 cannot carry at all
/// (control characters other than tab, newline and carriage return) become U+FFFD.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' | '\n' | '\r' => o.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{fffe}' || c == '\u{ffff}' => {
                o.push('\u{fffd}')
            }
            c => o.push(c),
        }
    }
    o
}

struct Case {
    name: String,
    class: String,
    outcome: CaseOutcome,
}

enum CaseOutcome {
    Passed,
    Failed(String),
    Skipped(String),
}

fn cases(r: &Report, id: &str, s: &crate::model::Staged) -> Vec<Case> {
    let target = r.targets.iter().find(|t| t.model == id);
    let upto = target.map_or(s.level + 1, |t| t.level).min(s.max_level);
    let failing = target.is_some_and(|t| !t.met);
    let mut out = Vec::new();
    for l in s.levels.iter().filter(|l| l.level >= 1 && l.level <= upto) {
        for (required, ps) in [(true, &l.required), (false, &l.expected)] {
            for p in ps {
                let outcome = if p.met {
                    CaseOutcome::Passed
                } else if p.waived.is_some() {
                    CaseOutcome::Skipped(format!("waived: {}", p.remediation.trim()))
                } else if required && failing && l.level <= upto {
                    CaseOutcome::Failed(p.remediation.trim().to_string())
                } else {
                    CaseOutcome::Skipped(format!(
                        "{}: {}",
                        if required {
                            "required for this level"
                        } else {
                            "expected"
                        },
                        p.remediation.trim()
                    ))
                };
                out.push(Case {
                    name: format!(
                        "{} {}",
                        if required { "requires" } else { "expects" },
                        p.title
                    ),
                    class: format!("ripen.{id}.level{}", l.level),
                    outcome,
                });
            }
        }
    }
    out
}

pub fn render(r: &Report) -> String {
    let mut o =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ripen\">\n");
    for (id, m) in &r.models {
        let Outcome::Staged(s) = &m.outcome else {
            continue;
        };
        let cs = cases(r, id, s);
        let failures = cs
            .iter()
            .filter(|c| matches!(c.outcome, CaseOutcome::Failed(_)))
            .count();
        let skipped = cs
            .iter()
            .filter(|c| matches!(c.outcome, CaseOutcome::Skipped(_)))
            .count();
        let _ = writeln!(
            o,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" errors=\"0\">",
            xml_escape(&format!(
                "{} (level {} of {})",
                m.title, s.level, s.max_level
            )),
            cs.len()
        );
        for c in &cs {
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml_escape(&c.name),
                xml_escape(&c.class)
            );
            match &c.outcome {
                CaseOutcome::Passed => {
                    let _ = writeln!(o, "{open}/>");
                }
                CaseOutcome::Failed(msg) => {
                    let _ = writeln!(
                        o,
                        "{open}>\n      <failure message=\"{}\" type=\"missing-practice\"/>\n    </testcase>",
                        xml_escape(msg)
                    );
                }
                CaseOutcome::Skipped(msg) => {
                    let _ = writeln!(
                        o,
                        "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml_escape(msg)
                    );
                }
            }
        }
        o.push_str("  </testsuite>\n");
    }
    o.push_str("</testsuites>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::xml_escape;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(xml_escape("x\u{1b}]0;t\u{7}"), "x\u{fffd}]0;t\u{fffd}");
    }
}
