//! AWS CDK pipelines written in code (TypeScript or Python): a CDK Pipelines
//! `CodePipeline` (`aws-cdk-lib/pipelines`, `aws_cdk.pipelines`) or a plain
//! `codepipeline.Pipeline` with CodeBuild actions. Its source (`CodePipelineSource.connection`,
//! `.gitHub`, `.codeCommit`, a `*SourceAction`) is the trigger: a push to the repository, an
//! artefact event; its `ShellStep`/`CodeBuildStep` commands (`installCommands` too) and the
//! commands of an inline `BuildSpec.fromObject` are what it runs, each step a job;
//! `BuildSpec.fromSourceFilename('buildspec.yml')` runs that file. A `ManualApprovalStep` in a
//! stage or wave gates the steps after it: they are started by the source and by the click (as
//! a GitLab `when: manual` job in a push pipeline). The stacks a stage deploys are
//! infrastructure, not commands: nothing is invented for them.
//!
//! The file is read with a small lexer (strings, comments, brackets), never executed.

use crate::ci::CiSystem;
use crate::facts::yaml::trig;
use crate::model::{Command, FileFacts, Job, Trigger, TriggerKind};
use crate::read::Document;
use regex::Regex;
use std::sync::LazyLock;

/// CDK pipelines in code.
pub(crate) struct CdkPipelines;

impl CiSystem for CdkPipelines {
    fn id(&self) -> &'static str {
        "cdk-pipelines"
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                "lib/pipeline-stack.ts",
                "import { CodePipeline, CodePipelineSource, ShellStep } from 'aws-cdk-lib/pipelines';\nconst p = new CodePipeline(this, 'P', {\n  synth: new ShellStep('Synth', {\n    input: CodePipelineSource.gitHub('acme/churn', 'main'),\n    commands: ['npm ci', 'pytest tests', 'npx cdk synth'],\n  }),\n});\n",
            ),
            (
                "infra/pipeline_stack.py",
                "from aws_cdk import pipelines\npipeline = pipelines.CodePipeline(self, 'P', synth=pipelines.ShellStep(\n    'Synth',\n    input=pipelines.CodePipelineSource.connection('acme/churn', 'main', connection_arn=arn),\n    commands=['pip install -r requirements.txt', 'pytest', 'cdk synth'],\n))\n",
            ),
        ]
    }
}

/// Whether a TypeScript, JavaScript or Python file may define a CDK pipeline: it imports the
/// CDK pipelines or CodePipeline module. Cheap, for the dispatch.
pub(crate) fn may_define(text: &str) -> bool {
    (text.contains("pipelines") || text.contains("codepipeline"))
        && IMPORT.is_match(text)
        && STEP_OR_PIPELINE.is_match(text)
}

static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?m)(?:['"](?:aws-cdk-lib/(?:pipelines|aws-codepipeline(?:-actions)?)|@aws-cdk/(?:pipelines|aws-codepipeline(?:-actions)?))['"]|\baws_codepipeline\b[^;]{0,400}\bfrom\s+['"]aws-cdk-lib['"]|^\s*(?:from|import)\s+aws_cdk(?:\.(?:pipelines|aws_codepipeline)\b|\s+import\s+[^\n]*\b(?:pipelines|aws_codepipeline)\b))"#,
    )
    .expect("cdk import")
});

static STEP_OR_PIPELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:CodePipeline|ShellStep|CodeBuildStep|Pipeline|PipelineProject|Project)\s*\(")
        .expect("cdk pipeline")
});

/// Reads a CDK pipeline file, or None when it defines no pipeline step or source.
pub(crate) fn read(doc: &Document) -> Option<FileFacts> {
    if !may_define(&doc.text) {
        return None;
    }
    let lex = Lexed::new(&doc.text);
    let line = |off: usize| doc.file_line(doc.line_index(off));
    let (triggers, for_new_repository) = sources(&doc.text, &lex, &line);
    let approvals: Vec<usize> = lex.calls(&["ManualApprovalStep"]).map(|(s, _)| s).collect();
    let groups: Vec<(usize, usize)> = lex
        .calls(&[
            "addStage",
            "add_stage",
            "addWave",
            "add_wave",
            "addPre",
            "addPost",
        ])
        .collect();
    let mut jobs = Vec::new();
    for (called, start, end) in
        lex.named_calls(&["ShellStep", "CodeBuildStep", "fromObject", "from_object"])
    {
        // A step's commands run in one shell (its CodeBuild project's): a `cd DIR` item moves
        // the items after it.
        let mut commands = Vec::new();
        let mut cwd: Option<String> = None;
        for (off, text) in lex.command_lists(start, end) {
            let mut c = Command::run(line(off), text);
            c.cwd = cwd
                .as_ref()
                .map(|d| format!("/{}", d.trim_start_matches('/')));
            cwd = crate::shell::cd::block_line(cwd.as_deref(), &c.text);
            commands.push(c);
        }
        if commands.is_empty() {
            continue;
        }
        // After a manual approval of the same stage or wave: started by the source and the click.
        let gated = approvals.iter().find(|&&a| {
            a < start
                && groups
                    .iter()
                    .any(|&(gs, ge)| gs < a && a < ge && gs < start && end < ge)
        });
        let triggers = match gated {
            Some(&a) => {
                let mut t = triggers.clone();
                t.push(crate::ci::approval_trigger("ManualApprovalStep", line(a)));
                t
            }
            None => Vec::new(),
        };
        jobs.push(Job {
            name: if called.ends_with("Step") {
                lex.first_string(start, end).unwrap_or_default()
            } else {
                String::new()
            },
            line: line(start),
            end: line(end),
            triggers,
            commands,
            may_fail: Vec::new(),
            trial: Vec::new(),
            never: Vec::new(),
            after: Vec::new(),
        });
    }
    for (start, end) in lex.calls(&["fromSourceFilename", "from_source_filename"]) {
        // A literal, or a parameter of the helper that builds the project: each literal its
        // callers pass (`this.buildAction('Deploy', 'script/cicd/buildspec.yml')`).
        let files = match lex.first_string(start, end) {
            Some(file) => vec![(start, file)],
            None => lex.parameter_values(start, end),
        };
        for (at, file) in files {
            // CodeBuild reads the buildspec from the source's root, wherever the CDK file is.
            jobs.push(Job::new(
                String::new(),
                (line(at), line(end.max(at))),
                Vec::new(),
                vec![Command::reference(line(at), crate::ci::from_root(&file))],
            ));
        }
    }
    let mut triggers = triggers;
    if let Some((t, job)) = rule_target(doc, &lex) {
        triggers.push(t);
        jobs.push(job);
    }
    if jobs.is_empty() {
        return None;
    }
    let triggers = if triggers.is_empty() && !for_new_repository {
        // The source is defined elsewhere (passed in): the pipeline still runs on its changes.
        vec![trig(TriggerKind::External, None, jobs[0].line)]
    } else {
        triggers
    };
    for j in jobs.iter_mut().filter(|j| !j.triggers.is_empty()) {
        if j.triggers.iter().all(|t| t.kind == TriggerKind::Manual) {
            j.triggers.splice(0..0, triggers.iter().cloned());
        }
    }
    Some(FileFacts::Entry {
        system: "cdk-pipelines",
        includes: Vec::new(),
        name: None,
        triggers,
        jobs,
    })
}

/// An EventBridge rule that targets the file's pipeline (`rule.addTarget(new
/// targets.CodePipeline(pipeline))`, on a model package's approval, a schedule): the pipeline,
/// all of the file, runs on that event.
fn rule_target(doc: &Document, lex: &Lexed) -> Option<(Trigger, Job)> {
    static RULE_TARGET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:targets|aws_events_targets)\s*\.\s*CodePipeline\s*\(")
            .expect("cdk rule target")
    });
    let m = RULE_TARGET
        .find_iter(&doc.text)
        .find(|m| lex.is_code(m.start()))?;
    let at = doc.file_line(doc.line_index(m.start()));
    Some((
        trig(TriggerKind::Event, Some("EventBridge rule".into()), at),
        Job::new(
            String::new(),
            (1, doc.text.lines().count() as u32),
            Vec::new(),
            Vec::new(),
        ),
    ))
}

/// The pipeline's sources: a push to a code repository, an event of an artefact store; and
/// whether a source was left out as a CodeCommit repository the stack itself creates.
fn sources(text: &str, lex: &Lexed, line: &dyn Fn(usize) -> u32) -> (Vec<Trigger>, bool) {
    static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:CodePipelineSource\s*\.\s*(connection|gitHub|git_hub|codeCommit|code_commit|s3|ecr)|(CodeStarConnections|GitHub|CodeCommit|BitBucket|S3|Ecr)SourceAction)\s*\(")
            .expect("cdk source")
    });
    // A CodeCommit repository the stack creates (`new codecommit.Repository(...)`), not one it
    // looks up (`Repository.fromRepositoryName`) nor one seeded from this tree
    // (`Code.fromDirectory`): a push there is a push to that new, empty repository, which its
    // users fill by hand. The pipeline is CI for that repository, not this one.
    static NEW_REPO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bcodecommit\s*\.\s*Repository\s*\(").expect("cdk new repository")
    });
    static SEEDED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:fromDirectory|from_directory|fromZipFile|from_zip_file)\s*\(")
            .expect("cdk seeded repository")
    });
    let creates_repository =
        NEW_REPO.find_iter(text).any(|m| lex.is_code(m.start())) && !SEEDED.is_match(text);
    let mut out: Vec<Trigger> = Vec::new();
    let mut left_out = false;
    for c in SOURCE.captures_iter(text) {
        let m = c.get(0).map_or(0, |m| m.start());
        if !lex.is_code(m) {
            continue;
        }
        let what = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        if creates_repository && matches!(what, "codeCommit" | "code_commit" | "CodeCommit") {
            left_out = true;
            continue;
        }
        let kind = match what {
            "s3" | "ecr" | "S3" | "Ecr" => TriggerKind::Event,
            _ => TriggerKind::Push,
        };
        if !out.iter().any(|t| t.kind == kind) {
            out.push(trig(
                kind,
                Some(format!("CodePipeline source {what}")),
                line(m),
            ));
        }
    }
    (out, left_out)
}

/// Where the code of a TypeScript/Python file is: string literals and comments marked, so that
/// calls and brackets are found only in code.
struct Lexed<'a> {
    text: &'a str,
    /// Byte ranges of string literals (quotes included), in order.
    strings: Vec<(usize, usize)>,
    /// Whether each byte is code (not in a string or a comment).
    code: Vec<bool>,
}

impl<'a> Lexed<'a> {
    fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        let mut code = vec![true; b.len()];
        let mut strings = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let start = i;
            if c == b'#' || (c == b'/' && b.get(i + 1) == Some(&b'/')) {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(b.len());
            } else if c == b'"' || c == b'\'' || c == b'`' {
                let triple = c != b'`' && b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    if b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == c {
                        if !triple {
                            break;
                        }
                        if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c) {
                            i += 2;
                            break;
                        }
                    }
                    if b[i] == b'\n' && !triple && c != b'`' {
                        break;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
                strings.push((start, i));
            } else {
                i += 1;
                continue;
            }
            for x in code.iter_mut().take(i).skip(start) {
                *x = false;
            }
        }
        Lexed {
            text,
            strings,
            code,
        }
    }

    fn is_code(&self, i: usize) -> bool {
        self.code.get(i).copied().unwrap_or(false)
    }

    /// The closing bracket matching the opening one at `open`, in code.
    fn close(&self, open: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let mut depth = 0usize;
        for (i, &c) in b.iter().enumerate().skip(open) {
            if !self.code[i] {
                continue;
            }
            match c {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Calls of any of `names` in code: (offset of the name, offset of the closing paren).
    fn calls<'s>(&'s self, names: &'s [&'s str]) -> impl Iterator<Item = (usize, usize)> + 's {
        self.named_calls(names).map(|(_, s, e)| (s, e))
    }

    /// Calls of any of `names` in code, with the name called.
    fn named_calls<'s>(
        &'s self,
        names: &'s [&'s str],
    ) -> impl Iterator<Item = (&'s str, usize, usize)> + 's {
        static CALL: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"\b([A-Za-z_]\w*)\s*\(").expect("call"));
        CALL.captures_iter(self.text).filter_map(move |c| {
            let name = c.get(1)?;
            if !names.contains(&name.as_str()) || !self.is_code(name.start()) {
                return None;
            }
            let open = c.get(0)?.end() - 1;
            Some((name.as_str(), name.start(), self.close(open)?))
        })
    }

    /// The content of a string literal at byte range `r` (quotes removed).
    fn content(&self, (s, e): (usize, usize)) -> &str {
        let lit = &self.text[s..e];
        let q = if lit.starts_with("\"\"\"") || lit.starts_with("'''") {
            3
        } else {
            1
        };
        lit.get(q..lit.len().saturating_sub(q).max(q)).unwrap_or("")
    }

    /// The first string literal in `(start, end)`: a step's name, a buildspec's path.
    fn first_string(&self, start: usize, end: usize) -> Option<String> {
        self.strings
            .iter()
            .find(|&&(s, _)| s > start && s < end)
            .map(|&r| self.content(r).to_string())
    }

    /// The top-level arguments of the call whose parentheses close at `end` and open after
    /// `start`, as byte ranges.
    fn arguments(&self, start: usize, end: usize) -> Vec<(usize, usize)> {
        let b = self.text.as_bytes();
        let Some(open) = (start..end).find(|&i| b[i] == b'(' && self.is_code(i)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let (mut depth, mut from) = (0usize, open + 1);
        for (i, &c) in b.iter().enumerate().take(end).skip(open + 1) {
            if !self.is_code(i) {
                continue;
            }
            match c {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => {
                    out.push((from, i));
                    from = i + 1;
                }
                _ => {}
            }
        }
        if self.text[from..end].trim().is_empty() {
            return out;
        }
        out.push((from, end));
        out
    }

    /// When the only argument of the call at `(start, end)` is a name, and that name is a
    /// parameter of the function whose definition holds the call, the string literals the
    /// file's other calls of that function pass in its place, with their offsets. Python's
    /// `self` is no argument at the call.
    fn parameter_values(&self, start: usize, end: usize) -> Vec<(usize, String)> {
        static DEF: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"\b([A-Za-z_]\w*)\s*\(([^()]{0,400})\)\s*(?::[^{\n]{0,200})?[{:]")
                .expect("function definition")
        });
        let args = self.arguments(start, end);
        let [arg] = args.as_slice() else {
            return Vec::new();
        };
        let name = self.text[arg.0..arg.1].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Vec::new();
        }
        // The nearest definition before the call that has `name` among its parameters.
        let Some((func, index, def_at)) = DEF
            .captures_iter(&self.text[..start])
            .filter(|c| c.get(0).is_some_and(|m| self.is_code(m.start())))
            .filter_map(|c| {
                let params: Vec<&str> = c[2]
                    .split(',')
                    .map(|p| p.split([':', '=']).next().unwrap_or("").trim())
                    .filter(|p| *p != "self")
                    .collect();
                let i = params.iter().position(|p| *p == name)?;
                let m = c.get(1)?;
                Some((m.as_str().to_string(), i, m.start()))
            })
            .last()
        else {
            return Vec::new();
        };
        let names = [func.as_str()];
        self.calls(&names)
            .filter(|&(s, _)| s != def_at)
            .filter_map(|(s, e)| {
                let r = *self.arguments(s, e).get(index)?;
                let lit = self.strings.iter().find(|&&(ls, le)| {
                    ls >= r.0
                        && le <= r.1
                        && self.text[r.0..ls].trim().is_empty()
                        && self.text[le..r.1].trim().is_empty()
                })?;
                Some((lit.0, self.content(*lit).to_string()))
            })
            .take(16)
            .collect()
    }

    /// The string literals of every `commands`/`installCommands` list in `(start, end)`, with
    /// their offsets.
    fn command_lists(&self, start: usize, end: usize) -> Vec<(usize, String)> {
        static KEY: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r#"(?:^|[^\w])["']?(?:commands|installCommands|install_commands)["']?\s*[:=]\s*\["#,
            )
            .expect("commands key")
        });
        let mut out = Vec::new();
        let Some(region) = self.text.get(start..end) else {
            return out;
        };
        for m in KEY.find_iter(region) {
            let open = start + m.end() - 1;
            if !self.is_code(open) {
                continue;
            }
            let Some(close) = self.close(open) else {
                continue;
            };
            for &r in self.strings.iter().filter(|&&(s, _)| s > open && s < close) {
                let t = self.content(r).trim();
                if !t.is_empty() {
                    out.push((r.0, t.to_string()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(rel: &str, text: &str) -> (Vec<Trigger>, Vec<Job>) {
        match crate::extract::extract(&Document::new(rel, text.to_string())) {
            Some(FileFacts::Entry {
                system: "cdk-pipelines",
                triggers,
                jobs,
                ..
            }) => (triggers, jobs),
            other => panic!("{rel}: {other:?}"),
        }
    }

    /// A step's commands share one shell: `cd training` moves the items after it.
    #[test]
    fn a_cd_item_moves_the_steps_later_commands() {
        let (_, jobs) = entry(
            "training/lib/pipeline.ts",
            "import { ShellStep } from 'aws-cdk-lib/pipelines';\nnew pipelines.CodePipeline(this, 'P', {\n  synth: new ShellStep('Synth', {\n    input: pipelines.CodePipelineSource.codeCommit(repo, 'main'),\n    commands: ['cd training', 'npm ci', 'npx cdk synth'],\n  }),\n});\n",
        );
        let cwds: Vec<Option<&str>> = jobs[0].commands.iter().map(|c| c.cwd.as_deref()).collect();
        assert_eq!(cwds, vec![None, Some("/training"), Some("/training")]);
    }

    /// An EventBridge rule that targets a plain CodePipeline (a model package approved) starts
    /// it: the file is an entry on that event, with nothing else defining its steps.
    #[test]
    fn an_event_rule_targeting_the_pipeline_starts_it() {
        let (triggers, jobs) = entry(
            "lib/edge-cicd.ts",
            "import { aws_codepipeline as codepipeline, aws_events as events, aws_events_targets as targets } from 'aws-cdk-lib';\nconst pipeline = new codepipeline.Pipeline(this, 'Deploy', { stages });\nconst rule = new events.Rule(this, 'OnApproved', {\n  eventPattern: { source: ['aws.sagemaker'], detail: { ModelApprovalStatus: ['Approved'] } },\n});\nrule.addTarget(new targets.CodePipeline(pipeline));\n",
        );
        assert_eq!(triggers[0].kind, TriggerKind::Event);
        assert_eq!(triggers[0].line, 6);
        assert_eq!((jobs[0].line, jobs[0].end), (1, 6));
    }

    #[test]
    fn synth_and_stage_steps_run_on_push_and_approval_gates_later_steps() {
        let (triggers, jobs) = entry(
            "lib/pipeline.ts",
            "import * as pipelines from 'aws-cdk-lib/pipelines';\n// new pipelines.ShellStep('Old', { commands: ['make old'] })\nconst pipeline = new pipelines.CodePipeline(this, 'Pipeline', {\n  synth: new pipelines.ShellStep('Synth', {\n    input: pipelines.CodePipelineSource.connection('acme/churn', 'main', { connectionArn: arn }),\n    installCommands: ['pip install -r requirements.txt'],\n    commands: [\n      'pytest tests',\n      `npx cdk synth -c branch=${branch}`,\n    ],\n  }),\n});\npipeline.addStage(new Prod(this, 'Prod'), {\n  pre: [new pipelines.ManualApprovalStep('Approve')],\n  post: [new pipelines.CodeBuildStep('Smoke', { commands: [\"python smoke.py\"] })],\n});\n",
        );
        assert_eq!(triggers.len(), 1);
        assert_eq!(triggers[0].kind, TriggerKind::Push);
        assert_eq!(triggers[0].line, 5);
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].name, "Synth");
        let texts: Vec<(&str, u32)> = jobs[0]
            .commands
            .iter()
            .map(|c| (c.text.as_str(), c.line))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("pip install -r requirements.txt", 6),
                ("pytest tests", 8),
                ("npx cdk synth -c branch=${branch}", 9)
            ]
        );
        assert!(jobs[0].triggers.is_empty());
        let kinds: Vec<TriggerKind> = jobs[1].triggers.iter().map(|t| t.kind).collect();
        assert_eq!(kinds, vec![TriggerKind::Push, TriggerKind::Manual]);
        assert_eq!(jobs[1].commands[0].text, "python smoke.py");
    }

    #[test]
    fn plain_codepipeline_with_buildspec_objects_and_files() {
        let (triggers, jobs) = entry(
            "infra/stack.py",
            "from aws_cdk import aws_codepipeline as codepipeline, aws_codebuild as codebuild\nsrc = cpactions.CodeCommitSourceAction(action_name='src', repository=repo, output=out)\nproject = codebuild.PipelineProject(self, 'Train', build_spec=codebuild.BuildSpec.from_object({\n    'phases': {'build': {'commands': ['python train.py']}},\n}))\ntest = codebuild.PipelineProject(self, 'Test', build_spec=codebuild.BuildSpec.from_source_filename('ci/buildspec.yml'))\n",
        );
        assert_eq!(triggers[0].kind, TriggerKind::Push);
        assert_eq!(jobs[0].commands[0].text, "python train.py");
        assert_eq!(jobs[0].commands[0].line, 4);
        assert_eq!(jobs[1].commands[0].text, "@root:ci/buildspec.yml");
        assert!(!jobs[1].commands[0].shell);
    }

    /// A buildspec path passed to the helper that builds the project: each caller's literal,
    /// read from the root (CodeBuild reads it from the source's root).
    #[test]
    fn buildspec_named_by_a_helper_parameter() {
        let text = "import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';\nimport * as actions from 'aws-cdk-lib/aws-codepipeline-actions';\nexport class CicdStack {\n  constructor() {\n    const pipeline = new codepipeline.Pipeline(this, 'P', {});\n    pipeline.addStage({ stageName: 'Source' }).addAction(new actions.CodeCommitSourceAction({ actionName: 'src', repository: repo, output: out }));\n    pipeline.addStage({ stageName: 'Deploy' }).addAction(this.buildAction('Deploy', 'script/cicd/buildspec_deploy.yml'));\n  }\n  private buildAction(actionName: string, buildSpecPath: string): codepipeline.IAction {\n    const project = new codebuild.PipelineProject(this, `${actionName}-Project`, {\n      buildSpec: codebuild.BuildSpec.fromSourceFilename(buildSpecPath),\n    });\n    return new actions.CodeBuildAction({ actionName, project, input: out });\n  }\n}\n";
        let (triggers, jobs) = entry("infra/lib/cicd-stack.ts", text);
        assert_eq!(triggers[0].kind, TriggerKind::Push);
        let refs: Vec<(&str, u32)> = jobs
            .iter()
            .flat_map(|j| j.commands.iter())
            .filter(|c| !c.shell)
            .map(|c| (c.text.as_str(), c.line))
            .collect();
        assert_eq!(refs, vec![("@root:script/cicd/buildspec_deploy.yml", 7)]);
        // A literal is read from the root too; a name no caller fills names nothing.
        let (_, jobs) = entry(
            "infra/stack.py",
            "from aws_cdk import aws_codepipeline as codepipeline, aws_codebuild as codebuild\nsrc = cpactions.CodeCommitSourceAction(action_name='src', repository=repo, output=out)\ndef project(self, path):\n    return codebuild.PipelineProject(self, 'T', build_spec=codebuild.BuildSpec.from_source_filename(path))\nother = codebuild.PipelineProject(self, 'U', build_spec=codebuild.BuildSpec.from_source_filename('./ci/buildspec.yml'))\n",
        );
        let refs: Vec<&str> = jobs
            .iter()
            .flat_map(|j| j.commands.iter())
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(refs, vec!["@root:ci/buildspec.yml"]);
    }

    #[test]
    fn other_code_is_not_a_pipeline() {
        for (rel, text) in [
            (
                "app.ts",
                "const commands = ['pytest'];\nnew ShellStep('x', { commands });\n",
            ),
            (
                "lib/stack.ts",
                "import * as s3 from 'aws-cdk-lib/aws-s3';\nnew s3.Bucket(this, 'B');\n",
            ),
        ] {
            let f = crate::extract::extract(&Document::new(rel, text.to_string()));
            assert!(!matches!(f, Some(FileFacts::Entry { .. })), "{rel}: {f:?}");
        }
    }
}
