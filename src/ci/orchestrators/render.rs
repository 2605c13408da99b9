//! Render blueprints: `render.yaml` at the repository's root declares the services Render builds
//! and runs from this repository. A web service, private service or worker redeploys on each
//! push to its branch unless `autoDeploy: false` (Render's default is on); a cron job runs its
//! command on its `schedule`. Each service is a job named for it: its build and start commands,
//! or the Dockerfile it is built from.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, str_at, trig};
use crate::model::{Command, FileFacts, Job, TriggerKind};
use crate::read::Document;

/// The id of Render's entry points.
const ID: &str = "render";

/// The services of a blueprint, as jobs.
fn blueprint(y: &Yaml) -> Option<FileFacts> {
    let services = y.root.get("services")?.as_seq();
    let mut jobs = Vec::new();
    for (i, s) in services.iter().enumerate() {
        let Some(kind) = str_at(s, &["type"]) else {
            continue;
        };
        let trigger = match kind {
            "cron" => trig(
                TriggerKind::Schedule,
                str_at(s, &["schedule"]).map(str::to_string),
                s.line,
            ),
            "web" | "pserv" | "worker" if str_at(s, &["autoDeploy"]) != Some("false") => {
                trig(TriggerKind::Push, Some("render auto-deploy".into()), s.line)
            }
            "web" | "pserv" | "worker" => trig(TriggerKind::Manual, None, s.line),
            _ => continue,
        };
        let mut commands = Vec::new();
        for key in ["buildCommand", "startCommand", "dockerCommand"] {
            if let Some(n) = s.get(key)
                && let Some(c) = n.as_str()
            {
                commands.push(Command::run(n.line, c));
            }
        }
        if let Some(n) = s.get("dockerfilePath")
            && let Some(p) = n.as_str()
        {
            commands.push(Command::reference(
                n.line,
                format!("/{}", p.trim_start_matches("./")),
            ));
        }
        let end = services
            .get(i + 1)
            .map_or(y.end, |n| n.line.saturating_sub(1));
        jobs.push(Job::new(
            str_at(s, &["name"]).unwrap_or(kind).to_string(),
            (s.line, end),
            vec![trigger],
            commands,
        ));
    }
    (!jobs.is_empty()).then(|| entry(ID, Vec::new(), jobs))
}

/// Render, from its blueprint.
pub(crate) struct Render;

impl CiSystem for Render {
    fn id(&self) -> &'static str {
        ID
    }
    fn at(&self, rel: &str) -> bool {
        rel == "render.yaml"
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        blueprint(&Yaml::of(doc)?)
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "render.yaml",
            "services:\n  - type: web\n    name: api\n    runtime: docker\n    dockerfilePath: ./Dockerfile\n",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A web service redeploys on push unless `autoDeploy: false`; a cron job runs on its
    /// schedule; each runs its commands or its Dockerfile.
    #[test]
    fn services_and_crons() {
        let text = "services:\n  - type: web\n    name: api\n    runtime: docker\n    dockerfilePath: ./Dockerfile\n  - type: web\n    name: held\n    autoDeploy: false\n    startCommand: uvicorn app:app\n  - type: cron\n    name: retrain\n    schedule: \"0 3 * * *\"\n    buildCommand: pip install -r requirements.txt\n    startCommand: python train.py\n";
        let (_, jobs) = crate::ci::read_entry(&Render, "render.yaml", text);
        let kinds: Vec<TriggerKind> = jobs.iter().map(|j| j.triggers[0].kind).collect();
        assert_eq!(
            kinds,
            vec![
                TriggerKind::Push,
                TriggerKind::Manual,
                TriggerKind::Schedule
            ]
        );
        assert_eq!(jobs[0].commands[0].text, "/Dockerfile");
        assert_eq!(jobs[2].commands[1].text, "python train.py");
        assert!(!Render.at("examples/render.yaml"));
    }
}
