//! CloudFormation/SAM templates: EventBridge rules (schedule or event pattern) start their
//! targets, CodePipelines run their CodeBuild projects from their source stage, Model Monitor
//! schedules run; a serverless function's handler is its code.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, ranges, scalar_commands, str_at, trig};
use crate::model::{Command, FileFacts, Job, TriggerKind};
use crate::read::structured::Node;

/// A CloudFormation/SAM template: EventBridge rules (schedule or event pattern) are entry
/// points whose targets' files run; a serverless function's handler is its code.
pub(crate) fn cloudformation(root: &Node, end: u32, here: &str) -> Option<FileFacts> {
    let res = root.get("Resources")?;
    let entries = res.entries();
    let handler_ref = |props: &Node| -> Option<Command> {
        let code = str_at(props, &["CodeUri"]).unwrap_or(".");
        let h = props.get("Handler")?;
        let module = h.as_str()?.rsplit_once('.')?.0;
        if code.contains(':') {
            return None;
        }
        let rel = crate::paths::join(here, code)?;
        Some(Command::reference(
            h.line,
            format!("/{}", crate::paths::join(&rel, &format!("{module}.py"))?),
        ))
    };
    let resource_cmds = |n: &Node| -> Vec<Command> {
        let mut c = scalar_commands(n, false, here);
        if let Some(p) = n.get("Properties") {
            c.extend(handler_ref(p));
            if let Some(b) = str_at(p, &["Source", "BuildSpec"])
                && !b.contains('\n')
            {
                c.push(Command::reference(p.line, b));
            }
        }
        c
    };
    let mut jobs = Vec::new();
    for ((name, line, r), (_, r_end)) in entries.iter().zip(ranges(entries, end)) {
        let ty = str_at(r, &["Type"]).unwrap_or("");
        if !matches!(ty, "AWS::Events::Rule" | "AWS::Scheduler::Schedule") {
            continue;
        }
        let props = r.get("Properties");
        let mut t = Vec::new();
        if let Some(p) = props {
            if let Some(se) = p.get("ScheduleExpression") {
                t.push(trig(
                    TriggerKind::Schedule,
                    se.as_str().map(str::to_string),
                    se.line,
                ));
            }
            if let Some(ep) = p.get("EventPattern") {
                let mut dt = Vec::new();
                ep.find_path(&["detail-type".into()], &mut dt);
                let detail = dt.first().and_then(|(n, _)| {
                    n.as_str()
                        .or_else(|| n.as_seq().first().and_then(Node::as_str))
                        .map(str::to_string)
                });
                t.push(trig(TriggerKind::Event, detail, ep.line));
            }
        }
        if t.is_empty() {
            continue;
        }
        // Targets name other resources by logical id (`!GetAtt Pipeline.Arn`, `!Ref X`).
        let mut scal = Vec::new();
        if let Some(p) = props {
            for k in ["Targets", "Target"] {
                if let Some(n) = p.get(k) {
                    n.scalars(&mut scal);
                }
            }
        }
        let mut commands = Vec::new();
        for (other, _, on) in entries {
            if other != name
                && scal
                    .iter()
                    .any(|(s, _)| s.split(['.', ' ', ',']).any(|w| w == other))
            {
                commands.extend(resource_cmds(on));
            }
        }
        jobs.push(Job::new(name.clone(), (*line, r_end), t, commands));
    }
    jobs.extend(super::cfn_pipeline::jobs(entries, end, here));
    if !jobs.is_empty() {
        jobs.sort_by_key(|j| j.line);
        return Some(entry(super::IAC, Vec::new(), jobs));
    }
    let mut commands = scalar_commands(root, true, here);
    for (_, _, r) in entries {
        if let Some(p) = r.get("Properties") {
            commands.extend(handler_ref(p));
        }
    }
    Some(FileFacts::Commands(commands))
}

/// The orchestrator's entry points, from a YAML document of its shape anywhere.
pub(crate) struct CloudFormation;

impl CiSystem for CloudFormation {
    fn id(&self) -> &'static str {
        super::IAC
    }
    fn words(&self) -> &'static [&'static str] {
        &["Resources"]
    }
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        cloudformation(y.root, y.end, &y.here)
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "template.yaml",
            "Resources:\n  Nightly:\n    Type: AWS::Events::Rule\n    Properties:\n      ScheduleExpression: rate(1 day)\n",
        )]
    }
}
