//! Python files: imports, string literals that may name files or commands, `code=` directories
//! and schedules written in the code.

use crate::model::{Command, FileFacts};
use crate::read::Document;
use regex::Regex;
use std::sync::LazyLock;

pub(crate) fn python(doc: &Document) -> FileFacts {
    static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
        // `from x import (a,\n    b,\n)` (black's style) spans lines: the parenthesised list is
        // read whole (bounded).
        Regex::new(r"(?m)^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(?:\(([^)]{0,4000})\)|([\w, \t]+))|import[ \t]+([\w.]+(?:[ \t]*,[ \t]*[\w.]+)*))")
            .expect("import pattern")
    });
    static LITERAL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#""([^"\n]{1,300})"|'([^'\n]{1,300})'"#).expect("literal pattern")
    });
    static CODE_DIR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:source_dir|source_directory|code|code_dir|code_directory)\s*=\s*["']([^"'\n]+)["']"#)
            .expect("code dir pattern")
    });
    let mut imports = Vec::new();
    for c in IMPORT.captures_iter(&doc.text) {
        let line = doc.file_line(doc.line_index(c.get(0).map(|m| m.start()).unwrap_or(0)));
        if let Some(from) = c.get(1) {
            let base = from.as_str();
            imports.push((line, base.to_string()));
            let names = c.get(2).or_else(|| c.get(3)).map_or("", |m| m.as_str());
            for name in names.split(',') {
                // A comment inside a parenthesised list is no name.
                let name = name
                    .lines()
                    .map(|l| l.split('#').next().unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join(" ");
                let name = name.split_whitespace().next().unwrap_or("");
                if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    let sep = if base.ends_with('.') { "" } else { "." };
                    imports.push((line, format!("{base}{sep}{name}")));
                }
            }
        } else if let Some(m) = c.get(4) {
            for name in m.as_str().split(',') {
                imports.push((line, name.trim().to_string()));
            }
        }
    }
    let mut literals = Vec::new();
    // Matches without capture groups: the quotes are one byte each side. (Every string
    // literal of every Python file is matched: captures made this a tenth of history's time.)
    for m in LITERAL.find_iter(&doc.text) {
        let s = &m.as_str()[1..m.len() - 1];
        // Only strings that could name a file: a path separator or a script extension.
        if s.contains('/') || s.ends_with(".py") || s.ends_with(".sh") || s.contains(".py ") {
            let line = doc.file_line(doc.line_index(m.start() + 1));
            literals.push(Command {
                line,
                text: s.to_string(),
                shell: s.starts_with("python") || s.contains(".sh") || s.starts_with("bash "),
                cwd: None,
            });
        }
    }
    // `run_deployment("flow/deployment")` starts a Prefect deployment as the CLI would.
    static RUN_DEPLOYMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\brun_deployment\(\s*(?:name\s*=\s*)?["']([^"'\n]{1,200})["']"#)
            .expect("run_deployment pattern")
    });
    for c in RUN_DEPLOYMENT.captures_iter(&doc.text) {
        let Some(m) = c.get(1) else { continue };
        literals.push(Command {
            line: doc.file_line(doc.line_index(m.start())),
            text: format!("prefect deployment run '{}'", m.as_str().replace('\'', "")),
            shell: true,
            cwd: None,
        });
    }
    expand_templates(&mut literals);
    airflow_triggers(doc, &mut literals);
    let dags = dag_ids(&doc.text);
    let sys_paths = sys_paths(&doc.text);
    let code_dirs = CODE_DIR
        .captures_iter(&doc.text)
        .map(|c| {
            c[1].trim_start_matches("./")
                .trim_end_matches('/')
                .to_string()
        })
        .collect();
    static SCHEDULE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:schedule|schedule_interval|cron|cron_schedule|hourly|daily)\s*=\s*["']([^"'\n]{1,80})["']|\bCronSchedule\(\s*(?:schedule\s*=\s*|cron_expression\s*=\s*)?["']([^"'\n]{1,80})["']|\bschedule_cron_expression\s*=\s*(?:["']([^"'\n]{1,80})["']|(?:\w+\.)*(CronExpressionGenerator\.\w+\([^)\n]{0,40}\)))"#)
            .expect("schedule pattern")
    });
    let schedules = SCHEDULE
        .captures_iter(&doc.text)
        .filter_map(|c| {
            let m = c
                .get(1)
                .or_else(|| c.get(2))
                .or_else(|| c.get(3))
                .or_else(|| c.get(4))?;
            Some((
                doc.file_line(doc.line_index(m.start())),
                m.as_str().to_string(),
            ))
        })
        .collect();
    FileFacts::Python {
        imports,
        literals,
        code_dirs,
        schedules,
        dags,
        sys_paths,
    }
}

/// A path built from a parameter (`f"/opt/jobs/{job_file}"`, `"scripts/{}".format(name)`)
/// with a script name written elsewhere in the file (`run_job("train.py")`): each such name
/// put in the template, at the name's line (where the job is chosen). Only file names with a
/// script's extension fill a template with one field; what does not exist resolves to nothing.
fn expand_templates(literals: &mut Vec<Command>) {
    static FIELD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{[A-Za-z_][\w.]*\}|\{\}|%s").expect("template field"));
    const SCRIPTS: &[&str] = &[".py", ".sh", ".ipynb", ".R", ".r", ".jl", ".scala", ".jar"];
    let names: Vec<(u32, String)> = literals
        .iter()
        .filter(|c| {
            !c.text.contains(['/', '{', ' ', '%']) && SCRIPTS.iter().any(|e| c.text.ends_with(e))
        })
        .map(|c| (c.line, c.text.clone()))
        .take(50)
        .collect();
    if names.is_empty() {
        return;
    }
    let mut add = Vec::new();
    for t in literals.iter().filter(|c| c.text.contains('/')).take(50) {
        let mut fields = FIELD.find_iter(&t.text);
        let (Some(f), None) = (fields.next(), fields.next()) else {
            continue;
        };
        // The field ends the path, or the template names a script around it.
        if f.end() != t.text.len() && !t.text[f.end()..].starts_with(char::is_whitespace) {
            continue;
        }
        for (line, name) in &names {
            let mut text = t.text.clone();
            text.replace_range(f.range(), name);
            add.push(Command {
                line: *line,
                text,
                ..t.clone()
            });
        }
    }
    literals.extend(add);
}

/// Airflow: `TriggerDagRunOperator(trigger_dag_id="x")` starts DAG x as `airflow dags trigger
/// x` would.
fn airflow_triggers(doc: &Document, literals: &mut Vec<Command>) {
    static TRIGGER_DAG_ID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^[^)]*?\btrigger_dag_id\s*=\s*["']([A-Za-z0-9_.-]+)["']"#)
            .expect("trigger dag pattern")
    });
    for (at, _) in doc.text.match_indices("TriggerDagRunOperator(") {
        let from = at + "TriggerDagRunOperator(".len();
        let mut end = (from + 800).min(doc.text.len());
        while !doc.text.is_char_boundary(end) {
            end -= 1;
        }
        let Some(m) = TRIGGER_DAG_ID
            .captures(&doc.text[from..end])
            .and_then(|c| c.get(1))
        else {
            continue;
        };
        literals.push(Command {
            line: doc.file_line(doc.line_index(from + m.start())),
            text: format!("airflow dags trigger {}", m.as_str()),
            shell: true,
            cwd: None,
        });
    }
}

/// The Airflow DAG ids a file defines: `dag_id="x"`, `DAG("x")`, `@dag def x(`.
fn dag_ids(text: &str) -> Vec<String> {
    static DAG_ID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\bdag_id\s*=\s*["']([A-Za-z0-9_.-]+)["']|\bDAG\(\s*["']([A-Za-z0-9_.-]+)["']|(?m)^[ \t]*@dag\b[^\n]*\n(?:[ \t]*@[^\n]*\n)*[ \t]*def[ \t]+(\w+)"#)
            .expect("dag id pattern")
    });
    let mut dags: Vec<String> = Vec::new();
    if text.contains("airflow") {
        for c in DAG_ID.captures_iter(text) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))
                && !dags.iter().any(|d| d == m.as_str())
            {
                dags.push(m.as_str().to_string());
            }
        }
    }
    dags
}

/// `sys.path.insert(0, "/opt/airflow/scripts/monitoring")`: where later imports are found
/// (mapped onto the repository by the graph).
fn sys_paths(text: &str) -> Vec<String> {
    static SYS_PATH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\bsys\.path\.(?:insert\(\s*\d+\s*,|append\()\s*r?["']([^"'\n]{1,300})["']"#)
            .expect("sys.path pattern")
    });
    let mut out: Vec<String> = Vec::new();
    for c in SYS_PATH.captures_iter(text) {
        if let Some(m) = c.get(1)
            && !out.iter().any(|p| p == m.as_str())
        {
            out.push(m.as_str().to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job's path built from a parameter resolves with the script names the file passes.
    #[test]
    fn parameter_paths_take_the_script_names_of_the_file() {
        let FileFacts::Python { literals, .. } = python(&Document::new(
            "sched/scheduler.py",
            "def run(job_file):\n    subprocess.run(['spark-submit', f'/opt/jobs/{job_file}'])\n\ndef train():\n    run('ml_training.py')\n\nlog = f'/var/log/{when}.txt'\n".to_string(),
        )) else {
            panic!()
        };
        let texts: Vec<(&str, u32)> = literals.iter().map(|c| (c.text.as_str(), c.line)).collect();
        assert!(
            texts.contains(&("/opt/jobs/ml_training.py", 5)),
            "{texts:?}"
        );
        assert!(
            !texts.iter().any(|(t, _)| t.starts_with("/var/log/ml")),
            "{texts:?}"
        );
    }

    /// `from x import (...)` over several lines (black's style) imports the module and each
    /// name, like the one-line form.
    #[test]
    fn parenthesised_imports_over_lines() {
        let doc = Document::new(
            "src/deployment/cli.py",
            "from src.deployment.gcp import (\n    GCPDeploymentError,  # errors\n    deploy_service,\n)\nfrom pkg import (a, b)\nimport os\n".to_string(),
        );
        let FileFacts::Python { imports, .. } = python(&doc) else {
            panic!("not python")
        };
        let names: Vec<&str> = imports.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "src.deployment.gcp",
                "src.deployment.gcp.GCPDeploymentError",
                "src.deployment.gcp.deploy_service",
                "pkg",
                "pkg.a",
                "pkg.b",
                "os"
            ]
        );
        assert_eq!(imports[0].0, 1);
    }
}
