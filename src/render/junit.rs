//! JUnit XML (`--format junit`): one test suite per staged model, one test case per practice of
//! the levels up to its target (the `--fail-under` target, else the next level). A practice the
//! repository has passes; a missing required practice of a target that is not met fails; other
//! missing practices are skipped with the reason, so any CI's test tab shows what to do next
//! without failing a build the caller did not ask to fail. The scan's warnings follow in a suite
//! of their own, as skipped cases, and with `--per-project` a suite names each sub-project with
//! its levels.

use crate::model::{Outcome, Report};
use std::fmt::Write as _;

/// XML text and attribute values: the HTML escaper serves (`&#39;` is XML too, and it replaces
/// the control characters XML 1.0 cannot carry).
use super::html::esc as xml_escape;

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
    projects(&mut o, r);
    warnings(&mut o, r);
    o.push_str("</testsuites>\n");
    o
}

/// Sub-projects (`--per-project`): a suite with a passing case per sub-project, named with its
/// levels.
fn projects(o: &mut String, r: &Report) {
    if r.projects.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "  <testsuite name=\"ripen sub-projects\" tests=\"{}\" failures=\"0\" skipped=\"0\" errors=\"0\">",
        r.projects.len()
    );
    for p in &r.projects {
        let levels = crate::render::common::project_level_labels(p);
        let _ = writeln!(
            o,
            "    <testcase name=\"{}\" classname=\"ripen.projects\"/>",
            xml_escape(&format!("{}: {}", p.path, levels.join(", ")))
        );
    }
    o.push_str("  </testsuite>\n");
}

/// The scan's warnings (what it could not see or read, such as a sub-directory whose CI may
/// live in the enclosing repository): a suite of skipped cases, so a test tab shows them.
fn warnings(o: &mut String, r: &Report) {
    if r.warnings.is_empty() {
        return;
    }
    let ws: Vec<&String> = r.warnings.iter().take(50).collect();
    let _ = writeln!(
        o,
        "  <testsuite name=\"ripen warnings\" tests=\"{n}\" failures=\"0\" skipped=\"{n}\" errors=\"0\">",
        n = ws.len()
    );
    for (i, w) in ws.iter().enumerate() {
        let _ = writeln!(
            o,
            "    <testcase name=\"warning {}\" classname=\"ripen.warnings\">\n      <skipped message=\"{}\"/>\n    </testcase>",
            i + 1,
            xml_escape(w)
        );
    }
    o.push_str("  </testsuite>\n");
}

#[cfg(test)]
mod tests {
    use super::xml_escape;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(xml_escape("x\u{1b}]0;t\u{7}"), "x\u{fffd}]0;t\u{fffd}");
    }
}
