//! Terraform resources that are pipelines or triggers of their own, read block by block
//! (`facts::hcl`): CodeBuild projects started by a webhook, CodePipelines and the CodeBuild
//! projects their actions name, Cloud Build triggers and the build file they run, and
//! Databricks jobs with their schedules and tasks.

use crate::facts::hcl::{Block, heredoc, resources};
use crate::facts::yaml::{scalar_commands, trig};
use crate::model::{Command, Job, Trigger, TriggerKind};
use crate::read::Document;
use regex::Regex;
use std::sync::LazyLock;

/// `key = "value"` attributes anywhere in a body, with their offsets.
fn attrs<'a>(body: &'a str, key: &str) -> Vec<(usize, &'a str)> {
    static ATTR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^[ \t]*([\w-]+)[ \t]*=[ \t]*"([^"\n]*)""#).expect("hcl attr")
    });
    ATTR.captures_iter(body)
        .filter(|c| &c[1] == key)
        .filter_map(|c| c.get(2).map(|m| (m.start(), m.as_str())))
        .collect()
}

/// Whether a nested block `name {` opens in the body.
fn has_block(body: &str, name: &str) -> Option<usize> {
    Regex::new(&format!(r"(?m)^[ \t]*{}[ \t]*\{{", regex::escape(name)))
        .ok()?
        .find(body)
        .map(|m| m.start())
}

/// A path written in Terraform, relative to the module (`${path.module}/x`, `./x`), as a
/// repository path; None for anything computed.
fn module_path(here: &str, s: &str) -> Option<String> {
    let s = s
        .trim_start_matches("${path.module}/")
        .trim_start_matches("${path.root}/")
        .trim_start_matches("./");
    if s.is_empty() || s.contains('$') || s.contains("://") || s.starts_with('/') {
        return None;
    }
    crate::paths::join(here, s).map(|p| format!("/{p}"))
}

struct Ctx<'d> {
    doc: &'d Document,
    here: String,
}

impl Ctx<'_> {
    fn line(&self, offset: usize) -> u32 {
        self.doc.file_line(self.doc.line_index(offset))
    }

    /// What a CodeBuild project runs: its inline buildspec's commands, or its buildspec file.
    fn codebuild(&self, b: &Block) -> Vec<Command> {
        static FILE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r#"(?m)^[ \t]*buildspec[ \t]*=[ \t]*(?:file|templatefile)\(\s*"([^"\n]+)""#)
                .expect("buildspec file")
        });
        if let Some((off, text)) = heredoc(b.body, "buildspec") {
            let first = self.line(b.body_start + off);
            if let Ok(docs) = crate::read::structured::parse_yaml(text)
                && let Some(root) = docs.first()
            {
                return scalar_commands(root, false, &self.here)
                    .into_iter()
                    .filter(|c| c.shell)
                    .map(|c| Command::run((first + c.line).saturating_sub(1), c.text))
                    .collect();
            }
            return Vec::new();
        }
        if let Some(c) = FILE.captures(b.body)
            && let Some(m) = c.get(1)
            && let Some(p) = module_path(&self.here, m.as_str())
        {
            return vec![Command::reference(self.line(b.body_start + m.start()), p)];
        }
        // A buildspec named in the source repository (`buildspec = "ci/buildspec.yml"`), a
        // path from the source's root.
        let named = attrs(b.body, "buildspec");
        if named.is_empty() {
            // None named: CodeBuild runs `buildspec.yml` at the source's root.
            return has_block(b.body, "source")
                .map(|o| {
                    Command::reference(
                        self.line(b.body_start + o),
                        crate::ci::from_root("buildspec.yml"),
                    )
                })
                .into_iter()
                .collect();
        }
        named
            .into_iter()
            .filter(|(_, s)| !s.contains('\n') && !s.contains('$'))
            .map(|(o, s)| Command::reference(self.line(b.body_start + o), crate::ci::from_root(s)))
            .collect()
    }
}

/// The resources of `blocks` of type `kind` that `body` names (`kind.NAME.attr`).
fn refs<'b, 'a>(body: &str, kind: &str, blocks: &'b [Block<'a>]) -> Vec<&'b Block<'a>> {
    let re = match Regex::new(&format!(r"\b{}\.([\w-]+)\b", regex::escape(kind))) {
        Ok(r) => r,
        Err(_) => return Vec::new(),
    };
    let names: Vec<&str> = re
        .captures_iter(body)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    blocks
        .iter()
        .filter(|b| b.kind == kind && names.contains(&b.name))
        .collect()
}

/// What a CodeBuild project that no webhook or pipeline of the file starts runs, by hand; None
/// for one a webhook or pipeline starts, one that builds for a pipeline declared elsewhere, or
/// one with no source.
fn standalone_project(cx: &Ctx, b: &Block, blocks: &[Block]) -> Option<Vec<Command>> {
    let started = blocks.iter().any(|o| {
        matches!(o.kind, "aws_codebuild_webhook" | "aws_codepipeline")
            && refs(o.body, "aws_codebuild_project", blocks)
                .iter()
                .any(|p| p.name == b.name)
    });
    let source_type = has_block(b.body, "source")
        .and_then(|o| {
            attrs(&b.body[o..], "type")
                .first()
                .map(|(_, t)| t.to_string())
        })
        .unwrap_or_default();
    if started || matches!(source_type.as_str(), "CODEPIPELINE" | "NO_SOURCE" | "S3") {
        return None;
    }
    Some(cx.codebuild(b))
}

/// A CodePipeline's trigger (its source), the commands of the CodeBuild projects it runs
/// before its first manual approval, and after the approval (its line and their commands) when
/// something runs there: a project, or a deploy action.
type Approved = Option<(u32, Vec<Command>)>;

fn codepipeline(cx: &Ctx, b: &Block, blocks: &[Block]) -> (Vec<Trigger>, Vec<Command>, Approved) {
    let at = |o: usize| cx.line(b.body_start + o);
    let provider = attrs(b.body, "provider");
    let source = provider.iter().find(|(_, p)| {
        matches!(
            *p,
            "CodeCommit" | "GitHub" | "CodeStarSourceConnection" | "Bitbucket"
        )
    });
    let kind = if source.is_some() {
        TriggerKind::Push
    } else if provider.iter().any(|(_, p)| matches!(*p, "S3" | "ECR")) {
        TriggerKind::Event
    } else {
        TriggerKind::External
    };
    let line = source.map(|(o, _)| at(*o)).unwrap_or(at(0));
    let triggers = vec![trig(kind, Some("CodePipeline source".into()), line)];
    // What runs before the first manual approval, and after it.
    let approval = attrs(b.body, "category")
        .into_iter()
        .find(|(_, c)| *c == "Approval")
        .map(|(o, _)| o);
    let (before, after) = b.body.split_at(approval.unwrap_or(b.body.len()));
    let commands = refs(before, "aws_codebuild_project", blocks)
        .into_iter()
        .flat_map(|p| cx.codebuild(p))
        .collect();
    let approved = approval.and_then(|o| {
        let later: Vec<Command> = refs(after, "aws_codebuild_project", blocks)
            .into_iter()
            .flat_map(|p| cx.codebuild(p))
            .collect();
        let deploys = attrs(after, "category").iter().any(|(_, c)| *c == "Deploy");
        (!later.is_empty() || deploys).then(|| (at(o), later))
    });
    (triggers, commands, approved)
}

/// The pipeline and trigger resources of a Terraform file as jobs.
pub(crate) fn jobs(doc: &Document) -> Vec<Job> {
    let blocks = resources(&doc.text);
    let cx = Ctx {
        doc,
        here: crate::paths::parent(&doc.rel).to_string(),
    };
    let mut jobs = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let at = |o: usize| cx.line(b.body_start + o);
        let mut triggers: Vec<Trigger> = Vec::new();
        let mut commands = Vec::new();
        // A CodePipeline's stages after a manual approval: their line, and what they run.
        let mut approved: Option<(u32, Vec<Command>)> = None;
        match b.kind {
            "aws_codebuild_webhook" => {
                for p in refs(b.body, "aws_codebuild_project", &blocks) {
                    commands.extend(cx.codebuild(p));
                }
                triggers.extend(crate::ci::codebuild::webhook_triggers(
                    b.body.contains("\"PUSH\""),
                    b.body.contains("PULL_REQUEST"),
                    at(0),
                ));
            }
            "aws_codebuild_project" => match standalone_project(&cx, b, &blocks) {
                Some(c) => {
                    triggers.push(trig(TriggerKind::Manual, None, at(0)));
                    commands.extend(c);
                }
                None => continue,
            },
            // A project no webhook or pipeline of the file starts: started by hand (above).
            "aws_codepipeline" => {
                let (t, c, a) = codepipeline(&cx, b, &blocks);
                triggers.extend(t);
                commands.extend(c);
                approved = a;
            }
            "google_cloudbuild_trigger" => {
                if has_block(b.body, "pull_request").is_some() {
                    triggers.push(trig(TriggerKind::PullRequest, None, at(0)));
                }
                if has_block(b.body, "push").is_some()
                    || has_block(b.body, "trigger_template").is_some()
                {
                    triggers.push(trig(TriggerKind::Push, None, at(0)));
                }
                if let Some(o) = has_block(b.body, "pubsub_config") {
                    triggers.push(trig(TriggerKind::Event, Some("pubsub".into()), at(o)));
                }
                if triggers.is_empty() {
                    triggers.push(trig(TriggerKind::Manual, None, at(0)));
                }
                // Cloud Build reads `filename` from the root of the repository it checks out.
                for (o, f) in attrs(b.body, "filename") {
                    if !f.contains('$') {
                        commands.push(Command::reference(at(o), format!("/{f}")));
                    }
                }
            }
            "databricks_job" => {
                if let Some(o) = has_block(b.body, "schedule") {
                    let cron = attrs(b.body, "quartz_cron_expression")
                        .first()
                        .map(|(_, s)| s.to_string());
                    triggers.push(trig(TriggerKind::Schedule, cron, at(o)));
                }
                for k in ["file_arrival", "table_update", "table", "continuous"] {
                    if let Some(o) = has_block(b.body, k) {
                        triggers.push(trig(TriggerKind::Event, Some(k.into()), at(o)));
                    }
                }
                if triggers.is_empty() {
                    triggers.push(trig(TriggerKind::Manual, None, at(0)));
                }
                // With a `git_source`, task paths are relative to the root of the repository
                // the job checks out; without, to the module (uploaded from here).
                let base = if has_block(b.body, "git_source").is_some() {
                    ""
                } else {
                    cx.here.as_str()
                };
                for k in ["notebook_path", "python_file"] {
                    for (o, s) in attrs(b.body, k) {
                        if let Some(p) = module_path(base, s) {
                            commands.push(Command::reference(at(o), p));
                        } else {
                            commands.extend(super::databricks::workspace_reference(at(o), s));
                        }
                    }
                }
            }
            _ => continue,
        }
        let end = blocks
            .get(i + 1)
            .map(|n| cx.line(n.start).saturating_sub(1))
            .unwrap_or(doc.text.lines().count() as u32);
        let line = cx.line(b.start);
        // The stages after a manual approval: a job of their own, started by the source and
        // the approval, holding their lines.
        let after_approval = approved.map(|(l, later)| {
            let mut t = triggers.clone();
            t.push(crate::ci::approval_trigger(
                "CodePipeline manual approval",
                l,
            ));
            Job::new(
                format!("{} (after approval)", b.name),
                (l, end.max(l)),
                t,
                later,
            )
        });
        jobs.push(Job::new(b.name, (line, end.max(line)), triggers, commands));
        jobs.extend(after_approval);
    }
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jobs_of(text: &str) -> Vec<Job> {
        jobs(&Document::new("infra/ci.tf", text.to_string()))
    }

    /// A project that no webhook or pipeline starts runs its root buildspec by hand; one a
    /// webhook starts is that webhook's job, and one building for a pipeline is not a job.
    #[test]
    fn codebuild_projects_without_a_webhook_are_started_by_hand() {
        let project = |name: &str, source: &str| {
            format!(
                "resource \"aws_codebuild_project\" \"{name}\" {{\n  source {{\n    type     = \"{source}\"\n    location = var.repo\n  }}\n}}\n"
            )
        };
        let j = jobs_of(&(project("manual", "GITHUB") + &project("for_pipeline", "CODEPIPELINE")));
        assert_eq!(j.len(), 1, "{j:?}");
        assert_eq!(j[0].triggers[0].kind, TriggerKind::Manual);
        assert_eq!(j[0].commands[0].text, "@root:buildspec.yml");
        let hooked = project("ci", "GITHUB")
            + "resource \"aws_codebuild_webhook\" \"ci\" {\n  project_name = aws_codebuild_project.ci.name\n}\n";
        let j = jobs_of(&hooked);
        assert_eq!(j.len(), 1, "{j:?}");
        assert_eq!(j[0].triggers[0].kind, TriggerKind::Push);
    }

    /// A pipeline's stages after a manual approval are a job of their own, released by it.
    #[test]
    fn codepipeline_approval_splits_the_pipeline() {
        let j = jobs_of(
            "resource \"aws_codepipeline\" \"ml\" {\n  stage {\n    name = \"Source\"\n    action {\n      category = \"Source\"\n      provider = \"GitHub\"\n    }\n  }\n  stage {\n    name = \"Approve\"\n    action {\n      category = \"Approval\"\n      provider = \"Manual\"\n    }\n  }\n  stage {\n    name = \"Deploy\"\n    action {\n      category = \"Deploy\"\n      provider = \"ECS\"\n    }\n  }\n}\n",
        );
        assert_eq!(j.len(), 2, "{j:?}");
        assert_eq!(j[1].name, "ml (after approval)");
        assert_eq!(j[1].line, 12);
        assert!(j[1].triggers.iter().any(crate::ci::is_approval));
        assert!(j[1].triggers.iter().any(|t| t.kind == TriggerKind::Push));
    }

    #[test]
    fn codebuild_webhook_runs_the_projects_inline_buildspec() {
        let j = jobs_of(
            "resource \"aws_codebuild_project\" \"ci\" {\n  source {\n    type      = \"GITHUB\"\n    buildspec = <<-EOT\n      version: 0.2\n      phases:\n        build:\n          commands:\n            - pytest tests\n    EOT\n  }\n}\n\nresource \"aws_codebuild_webhook\" \"ci\" {\n  project_name = aws_codebuild_project.ci.name\n  filter_group {\n    filter {\n      type    = \"EVENT\"\n      pattern = \"PULL_REQUEST_CREATED\"\n    }\n  }\n}\n",
        );
        assert_eq!(j.len(), 1, "{j:?}");
        assert_eq!(j[0].triggers[0].kind, TriggerKind::PullRequest);
        assert_eq!(j[0].commands[0].text, "pytest tests");
        assert_eq!(j[0].commands[0].line, 9);
    }

    #[test]
    fn cloudbuild_trigger_and_databricks_job() {
        let j = jobs_of(
            "resource \"google_cloudbuild_trigger\" \"pr\" {\n  github {\n    pull_request {\n      branch = \"^main$\"\n    }\n  }\n  filename = \"cloudbuild/pr.yaml\"\n}\nresource \"databricks_job\" \"train\" {\n  schedule {\n    quartz_cron_expression = \"0 0 3 * * ?\"\n  }\n  task {\n    notebook_task {\n      notebook_path = \"${path.module}/../notebooks/train\"\n    }\n  }\n}\n",
        );
        assert_eq!(j.len(), 2);
        assert_eq!(j[0].triggers[0].kind, TriggerKind::PullRequest);
        assert_eq!(j[0].commands[0].text, "/cloudbuild/pr.yaml");
        assert_eq!(j[1].triggers[0].kind, TriggerKind::Schedule);
        assert_eq!(j[1].triggers[0].line, 10);
        assert_eq!(j[1].commands[0].text, "/notebooks/train");
    }

    #[test]
    fn databricks_job_git_source_paths_are_from_the_root() {
        let doc = Document::new(
            "infra/staging/training-job.tf",
            "resource \"databricks_job\" \"train\" {\n  task {\n    notebook_task {\n      notebook_path = \"notebooks/Train\"\n    }\n  }\n  git_source {\n    url = var.git_repo_url\n    provider = \"gitHub\"\n  }\n}\n".to_string(),
        );
        let j = jobs(&doc);
        assert_eq!(j[0].commands[0].text, "/notebooks/Train");
    }

    #[test]
    fn databricks_job_workspace_paths_are_workspace_references() {
        let doc = Document::new(
            "infra/jobs.tf",
            "resource \"databricks_job\" \"train\" {\n  task {\n    notebook_task {\n      notebook_path = \"/Repos/ml/proj/notebooks/train\"\n    }\n  }\n}\n".to_string(),
        );
        let j = jobs(&doc);
        assert_eq!(j[0].triggers[0].kind, TriggerKind::Manual);
        assert_eq!(j[0].commands[0].text, "@workspace:proj/notebooks/train");
    }
}
