//! CloudFormation/SAM resources that start work by themselves, besides EventBridge rules:
//! `AWS::CodePipeline::Pipeline` (its source stage is the trigger, its CodeBuild actions run
//! their projects' buildspecs) and `AWS::SageMaker::MonitoringSchedule` (a schedule that runs
//! Model Monitor jobs).

use crate::facts::yaml::{ranges, scalar_commands, str_at, trig};
use crate::model::{Command, Job, Trigger, TriggerKind};
use crate::read::structured::Node;

/// The logical ids a value names (`!Ref X`, `!GetAtt X.Arn`, `{"Fn::GetAtt": [X, Arn]}`,
/// `!Sub ${X}`) that are resources of this template.
fn named<'a>(n: &Node, entries: &'a [(String, u32, Node)]) -> Vec<&'a (String, u32, Node)> {
    let mut scal = Vec::new();
    n.scalars(&mut scal);
    entries
        .iter()
        .filter(|(id, _, _)| {
            scal.iter().any(|(s, _)| {
                s.split(['.', ' ', ',', '$', '{', '}', ':', '/'])
                    .any(|w| w == id)
            })
        })
        .collect()
}

fn resource_type(r: &Node) -> &str {
    str_at(r, &["Type"]).unwrap_or("")
}

/// What a CodeBuild project runs: its inline buildspec's commands, or its buildspec file.
pub(crate) fn codebuild_project(r: &Node, here: &str) -> Vec<Command> {
    let Some(p) = r.get("Properties") else {
        return Vec::new();
    };
    let Some(bs) = p.get("Source").and_then(|s| s.get("BuildSpec")) else {
        // No buildspec named: CodeBuild runs `buildspec.yml` at the source's root.
        return p
            .get("Source")
            .map(|s| {
                vec![Command::reference(
                    s.line,
                    crate::ci::from_root("buildspec.yml"),
                )]
            })
            .unwrap_or_default();
    };
    let Some(text) = bs.as_str() else {
        return Vec::new();
    };
    if !text.contains('\n') {
        // A buildspec file: CodeBuild reads it from the source's root.
        return vec![Command::reference(bs.line, crate::ci::from_root(text))];
    }
    // An inline buildspec: its commands, at the lines of the block that holds them.
    match crate::read::structured::parse_yaml(text) {
        Ok(docs) => docs
            .first()
            .map(|root| {
                scalar_commands(root, false, here)
                    .into_iter()
                    .filter(|c| c.shell)
                    .map(|c| Command::run((bs.line + c.line).saturating_sub(1), c.text))
                    .collect()
            })
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// The trigger of a pipeline's source action: a push to a code repository, an event of an
/// artefact store. None for a repository this template creates from a seed archive: such a
/// pipeline builds that other repository, not this one.
fn source_trigger(action: &Node, entries: &[(String, u32, Node)]) -> Option<Trigger> {
    let provider = str_at(action, &["ActionTypeId", "Provider"]).unwrap_or("");
    if let Some(conf) = action.get("Configuration") {
        let seeded = named(conf, entries).iter().any(|(_, _, r)| {
            resource_type(r) == "AWS::CodeCommit::Repository"
                && r.get("Properties").and_then(|p| p.get("Code")).is_some()
        });
        if seeded {
            return None;
        }
    }
    let kind = match provider {
        "CodeCommit" | "GitHub" | "CodeStarSourceConnection" | "Bitbucket" | "GitLab" => {
            TriggerKind::Push
        }
        "S3" | "ECR" => TriggerKind::Event,
        _ => TriggerKind::External,
    };
    Some(trig(
        kind,
        Some(format!("CodePipeline {provider} source")),
        action.line,
    ))
}

/// When a CodeBuild project that no pipeline of the template runs starts: on the pushes or
/// pull requests its webhook filters name (`Triggers: {Webhook: true, FilterGroups: ...}`), or
/// by hand. None for a project that builds for a pipeline (`Source: {Type: CODEPIPELINE}`), has
/// no source, or builds a repository the template seeds from an archive (another repository).
fn standalone_project(
    name: &str,
    r: &Node,
    entries: &[(String, u32, Node)],
) -> Option<Vec<Trigger>> {
    let props = r.get("Properties")?;
    let source = props.get("Source")?;
    let kind = str_at(source, &["Type"]).unwrap_or("");
    if matches!(kind, "CODEPIPELINE" | "NO_SOURCE" | "S3") {
        return None;
    }
    let seeded = source.get("Location").is_some_and(|l| {
        named(l, entries).iter().any(|(_, _, o)| {
            resource_type(o) == "AWS::CodeCommit::Repository"
                && o.get("Properties").and_then(|p| p.get("Code")).is_some()
        })
    });
    let in_pipeline = entries.iter().any(|(_, _, o)| {
        resource_type(o) == "AWS::CodePipeline::Pipeline"
            && o.get("Properties")
                .is_some_and(|p| named(p, entries).iter().any(|(id, _, _)| id == name))
    });
    if seeded || in_pipeline {
        return None;
    }
    let Some(t) = props.get("Triggers").filter(|t| {
        t.get("Webhook")
            .and_then(Node::as_str)
            .is_some_and(|w| w.eq_ignore_ascii_case("true"))
    }) else {
        return Some(vec![trig(TriggerKind::Manual, None, r.line)]);
    };
    let mut scal = Vec::new();
    t.scalars(&mut scal);
    let named = |w: &str| scal.iter().any(|(s, _)| s.contains(w));
    Some(crate::ci::codebuild::webhook_triggers(
        named("PUSH"),
        named("PULL_REQUEST"),
        t.line,
    ))
}

/// A stage's actions, with both branches of an action written as `Fn::If: [cond, a, b]` (the
/// template picks one when deployed; either is what the stage runs).
fn stage_actions(stage: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    for action in stage.get("Actions").map(Node::as_seq).unwrap_or(&[]) {
        match action.get("Fn::If") {
            Some(branches) => out.extend(
                branches
                    .as_seq()
                    .iter()
                    .skip(1)
                    .filter(|b| b.get("ActionTypeId").is_some()),
            ),
            None => out.push(action),
        }
    }
    out
}

/// Each pipeline and monitoring schedule of the template as a job: its triggers, and what it
/// runs.
pub(crate) fn jobs(entries: &[(String, u32, Node)], end: u32, here: &str) -> Vec<Job> {
    let mut jobs = Vec::new();
    for ((name, line, r), (_, r_end)) in entries.iter().zip(ranges(entries, end)) {
        let props = r.get("Properties");
        let mut after_approval = None;
        let (triggers, commands) = match resource_type(r) {
            "AWS::CodePipeline::Pipeline" => {
                let mut triggers = Vec::new();
                // What runs before the first manual approval, and after it.
                let mut commands = Vec::new();
                let mut approved: Option<(u32, Vec<Command>)> = None;
                // Whether a deployment action (CloudFormation, ECS, CodeDeploy...) runs after it.
                let mut deploys_after = false;
                let mut seeded = false;
                let stages = props.and_then(|p| p.get("Stages"));
                for stage in stages.map(Node::as_seq).unwrap_or(&[]) {
                    for action in stage_actions(stage) {
                        let category = str_at(action, &["ActionTypeId", "Category"]).unwrap_or("");
                        match category {
                            "Source" => match source_trigger(action, entries) {
                                Some(t) => triggers.push(t),
                                None => seeded = true,
                            },
                            "Approval" if approved.is_none() => {
                                approved = Some((action.line.max(*line), Vec::new()));
                            }
                            "Build" | "Test" | "Invoke" | "Deploy" => {
                                deploys_after |= category == "Deploy" && approved.is_some();
                                let into = match approved.as_mut() {
                                    Some((_, after)) => after,
                                    None => &mut commands,
                                };
                                if let Some(conf) = action.get("Configuration") {
                                    for (_, _, o) in named(conf, entries) {
                                        if resource_type(o) == "AWS::CodeBuild::Project" {
                                            into.extend(codebuild_project(o, here));
                                        }
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                if seeded {
                    continue;
                }
                if triggers.is_empty() {
                    triggers.push(trig(TriggerKind::External, None, *line));
                }
                // The stages after a manual approval: started by the source and the approval,
                // a job of their own that holds their lines.
                if let Some((at, after)) = approved.filter(|(_, a)| !a.is_empty() || deploys_after)
                {
                    let mut t = triggers.clone();
                    t.push(crate::ci::approval_trigger(
                        "CodePipeline manual approval",
                        at,
                    ));
                    after_approval = Some(Job::new(
                        format!("{name} (after approval)"),
                        (at, r_end),
                        t,
                        after,
                    ));
                }
                (triggers, commands)
            }
            "AWS::CodeBuild::Project" => match standalone_project(name, r, entries) {
                Some(t) => (t, codebuild_project(r, here)),
                None => continue,
            },
            "AWS::SageMaker::MonitoringSchedule" => {
                let mut se = Vec::new();
                if let Some(p) = props {
                    p.find_path(
                        &[
                            "MonitoringScheduleConfig".into(),
                            "ScheduleConfig".into(),
                            "ScheduleExpression".into(),
                        ],
                        &mut se,
                    );
                }
                let Some((n, _)) = se.first() else { continue };
                let t = trig(
                    TriggerKind::Schedule,
                    n.as_str().map(str::to_string),
                    n.line,
                );
                (vec![t], Vec::new())
            }
            _ => continue,
        };
        jobs.push(Job::new(name.clone(), (*line, r_end), triggers, commands));
        jobs.extend(after_approval);
    }
    jobs
}

#[cfg(test)]
mod tests {
    use crate::model::{FileFacts, TriggerKind};
    use crate::read::Document;

    fn jobs(text: &str) -> Vec<crate::model::Job> {
        match crate::extract::extract(&Document::new("infra/template.yml", text.to_string())) {
            Some(FileFacts::Entry { jobs, .. }) => jobs,
            _ => Vec::new(),
        }
    }

    const PROJECT: &str = "  Build:\n    Type: AWS::CodeBuild::Project\n    Properties:\n      Source:\n        BuildSpec: |\n          version: 0.2\n          phases:\n            build:\n              commands:\n                - pytest tests\n";

    /// A pipeline on this repository runs its CodeBuild project's inline buildspec on push.
    #[test]
    fn pipeline_runs_inline_buildspec_on_push() {
        let text = format!(
            "Resources:\n{PROJECT}  Pipe:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n      Stages:\n        - Name: Source\n          Actions:\n            - ActionTypeId: {{Category: Source, Provider: CodeStarSourceConnection}}\n              Configuration: {{FullRepositoryId: acme/churn}}\n        - Name: Build\n          Actions:\n            - ActionTypeId: {{Category: Build, Provider: CodeBuild}}\n              Configuration: {{ProjectName: !Ref Build}}\n"
        );
        let jobs = jobs(&text);
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        assert_eq!(jobs[0].name, "Pipe");
        assert_eq!(jobs[0].triggers[0].kind, TriggerKind::Push);
        let c = &jobs[0].commands[0];
        assert_eq!(
            (c.text.as_str(), c.line, c.shell),
            ("pytest tests", 11, true)
        );
    }

    /// A project's buildspec file is read from the source's root, not beside the template.
    #[test]
    fn buildspec_file_is_a_path_from_the_root() {
        let project = "  Build:\n    Type: AWS::CodeBuild::Project\n    Properties:\n      Source:\n        BuildSpec: model-code/buildspec.yml\n";
        let text = format!(
            "Resources:\n{project}  Pipe:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n      Stages:\n        - Name: Source\n          Actions:\n            - ActionTypeId: {{Category: Source, Provider: CodeCommit}}\n              Configuration: {{RepositoryName: models}}\n        - Name: Build\n          Actions:\n            - ActionTypeId: {{Category: Build, Provider: CodeBuild}}\n              Configuration: {{ProjectName: !Ref Build}}\n"
        );
        let jobs = jobs(&text);
        let c = &jobs[0].commands[0];
        assert_eq!(
            (c.text.as_str(), c.shell),
            ("@root:model-code/buildspec.yml", false)
        );
    }

    /// A pipeline whose source is a CodeCommit repository this template seeds from an archive
    /// builds that repository, not this one: no entry point.
    #[test]
    fn pipeline_of_a_seeded_repository_is_not_this_repositorys() {
        let text = format!(
            "Resources:\n{PROJECT}  Repo:\n    Type: AWS::CodeCommit::Repository\n    Properties:\n      Code:\n        S3: {{Bucket: seeds, Key: seed.zip}}\n  Pipe:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n      Stages:\n        - Name: Source\n          Actions:\n            - ActionTypeId: {{Category: Source, Provider: CodeCommit}}\n              Configuration: {{RepositoryName: !GetAtt Repo.Name}}\n        - Name: Build\n          Actions:\n            - ActionTypeId: {{Category: Build, Provider: CodeBuild}}\n              Configuration: {{ProjectName: !Ref Build}}\n"
        );
        assert!(jobs(&text).is_empty());
    }

    /// The stages after a manual approval are a second job, started by the source and the
    /// approval; a source action written as `Fn::If` branches is still the pipeline's source.
    #[test]
    fn approval_splits_the_pipeline_and_fn_if_sources_count() {
        let deploy = PROJECT
            .replace("  Build:", "  Deploy:")
            .replace("pytest tests", "python deploy.py");
        let text = format!(
            "Resources:\n{PROJECT}{deploy}  Pipe:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n      Stages:\n        - Name: Source\n          Actions:\n            - Fn::If:\n              - UseCodeCommit\n              - ActionTypeId: {{Category: Source, Provider: CodeCommit}}\n                Configuration: {{RepositoryName: models}}\n              - ActionTypeId: {{Category: Source, Provider: GitHub}}\n                Configuration: {{Repo: models}}\n        - Name: Build\n          Actions:\n            - ActionTypeId: {{Category: Build, Provider: CodeBuild}}\n              Configuration: {{ProjectName: !Ref Build}}\n        - Name: Approve\n          Actions:\n            - ActionTypeId: {{Category: Approval, Provider: Manual}}\n        - Name: Release\n          Actions:\n            - ActionTypeId: {{Category: Build, Provider: CodeBuild}}\n              Configuration: {{ProjectName: !Ref Deploy}}\n"
        );
        let jobs = jobs(&text);
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        assert_eq!(jobs[0].commands[0].text, "pytest tests");
        assert!(jobs[0].triggers.iter().all(|t| t.kind == TriggerKind::Push));
        assert_eq!(jobs[0].triggers.len(), 2);
        assert_eq!(jobs[1].name, "Pipe (after approval)");
        assert_eq!(jobs[1].commands[0].text, "python deploy.py");
        assert!(jobs[1].triggers.iter().any(crate::ci::is_approval));
        assert!(jobs[1].triggers.iter().any(|t| t.kind == TriggerKind::Push));
    }

    /// A deploy action after a manual approval makes a job of its own, holding the lines from
    /// the approval on, though it runs no command.
    #[test]
    fn deploy_action_after_approval_is_its_own_job() {
        let text = format!(
            "Resources:\n{PROJECT}  Pipe:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n      Stages:\n        - Name: Source\n          Actions:\n            - ActionTypeId: {{Category: Source, Provider: GitHub}}\n              Configuration: {{Repo: models}}\n        - Name: Build\n          Actions:\n            - ActionTypeId: {{Category: Build, Provider: CodeBuild}}\n              Configuration: {{ProjectName: !Ref Build}}\n        - Name: Approve\n          Actions:\n            - ActionTypeId: {{Category: Approval, Provider: Manual}}\n        - Name: Deploy\n          Actions:\n            - ActionTypeId: {{Category: Deploy, Provider: CloudFormation}}\n"
        );
        let jobs = jobs(&text);
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        assert!(jobs[1].commands.is_empty());
        assert_eq!(jobs[1].line, 26, "from the approval action on");
        assert!(jobs[1].triggers.iter().any(crate::ci::is_approval));
    }

    #[test]
    fn monitoring_schedule_is_a_schedule() {
        let jobs = jobs(
            "Resources:\n  Drift:\n    Type: AWS::SageMaker::MonitoringSchedule\n    Properties:\n      MonitoringScheduleConfig:\n        ScheduleConfig:\n          ScheduleExpression: cron(0 * ? * * *)\n",
        );
        assert_eq!(jobs[0].triggers[0].kind, TriggerKind::Schedule);
        assert_eq!(jobs[0].triggers[0].line, 7);
    }
}
