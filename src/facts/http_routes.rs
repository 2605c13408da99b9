//! HTTP routes a Python service declares, and the calls of a client to them.
//!
//! A scheduled job that asks the project's own service to retrain (`requests.post(f"{API}/train")`
//! in an Airflow task, `HttpOperator(endpoint="retrain")`) runs what the route's handler runs,
//! as an import of the handler's module would: the call is a `@route:/train` reference, and
//! the graph follows it to the files that declare that route (`@app.post("/train")`, Flask's
//! `@app.route("/train")`, a FastAPI router's `@router.post`).

use crate::model::Command;
use crate::read::Document;
use regex::Regex;
use std::sync::LazyLock;

/// What a call to a route is written as in a file's commands: `@route:/train`.
pub(crate) const ROUTE_REF: &str = "@route:";

/// A route's path as declared and as called: no trailing slash, lower case; `None` for the
/// root or a path of parameters only.
pub(crate) fn normalize(path: &str) -> Option<String> {
    let p = path.split(['?', '#']).next()?.trim_end_matches('/');
    let named = p
        .split('/')
        .any(|seg| !seg.is_empty() && !seg.starts_with('{') && !seg.starts_with('<'));
    (p.starts_with('/') && named && p.len() <= 200).then(|| p.to_ascii_lowercase())
}

/// The routes a file serves, each at the line of its decorator.
pub(crate) fn served(doc: &Document) -> Vec<(u32, String)> {
    static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?m)^[ \t]*@\w+(?:\.\w+)*\.(?:get|post|put|patch|delete|route|api_route|websocket)\(\s*["'](/[^"'\s]*)["']"#,
        )
        .expect("route decorator")
    });
    ROUTE
        .captures_iter(&doc.text)
        .take(200)
        .filter_map(|c| {
            let m = c.get(1)?;
            Some((
                doc.file_line(doc.line_index(m.start())),
                normalize(m.as_str())?,
            ))
        })
        .collect()
}

/// The routes a file calls as an HTTP client: URL strings on a local or service host
/// (`"http://api:8000/train"`) or on a variable named for a service (`f"{API_URL}/train"`), and an Airflow `HttpOperator`'s `endpoint=`, in a
/// file that uses an HTTP client. Each a `@route:` reference at its line.
pub(crate) fn called(doc: &Document) -> Vec<Command> {
    static CLIENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:requests|httpx|aiohttp|session)\.(?:get|post|put|patch|request)\(|\bHttp(?:Operator|Hook)\b|\bSimpleHttpOperator\b|\burlopen\(")
            .expect("http client")
    });
    static URL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?:\bf)?["'](?:https?://([^/"'\s{}]+)|\{([\w.\[\]'"]+)\})(/[\w\-/.]*)(?:\?[^"'\s]*)?["']"#)
            .expect("url literal")
    });
    static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\bendpoint\s*=\s*["']/?([\w\-/.]+)["']"#).expect("endpoint")
    });
    if !CLIENT.is_match(&doc.text) {
        return Vec::new();
    }
    // A variable before the path names a service when its name says so (`{API_URL}`,
    // `{self.base_url}`, `{ENV["SERVICE_HOST"]}`), not a folder (`{self.db_dir}/train`).
    static HOST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)url|uri|host|api|endpoint|server|service").expect("host variable")
    });
    static FOLDER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)dir|path|folder|file|root|db|data").expect("folder variable")
    });
    // A host written out is the project's own service when it is local or a service name of
    // a compose file or cluster (`localhost:8000`, `api:8000`, `regmodel-api`), not a public
    // domain (`api.github.com/repos` is another project's route).
    let own_host = |h: &str| {
        let name = h.split(':').next().unwrap_or(h);
        !name.contains('.')
            || name == "127.0.0.1"
            || name == "0.0.0.0"
            || name == "host.docker.internal"
    };
    let urls = URL
        .captures_iter(&doc.text)
        .filter(|c| match (c.get(1), c.get(2)) {
            (Some(host), _) => own_host(host.as_str()),
            (None, Some(v)) => HOST.is_match(v.as_str()) && !FOLDER.is_match(v.as_str()),
            (None, None) => false,
        })
        .filter_map(|c| c.get(3).map(|m| (m.start(), m.as_str().to_string())));
    let endpoints = ENDPOINT
        .captures_iter(&doc.text)
        .filter_map(|c| c.get(1).map(|m| (m.start(), format!("/{}", m.as_str()))));
    urls.chain(endpoints)
        .take(200)
        .filter_map(|(at, path)| {
            let path = normalize(&path)?;
            Some(Command::reference(
                doc.file_line(doc.line_index(at)),
                format!("{ROUTE_REF}{path}"),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_served_and_called() {
        let api = "from fastapi import FastAPI\napp = FastAPI()\n\n@app.post(\"/train/\")\ndef train():\n    ...\n\n@router.get('/health')\ndef health():\n    ...\n@app.get(\"/\")\ndef root():\n    ...\n";
        let d = Document::new("backend/app.py", api.to_string());
        assert_eq!(
            served(&d),
            vec![(4, "/train".to_string()), (8, "/health".to_string())]
        );
        let dag = "import requests\nAPI = ENV['API_URL']\nurl = f\"{API}/train\"\nrequests.post(url)\nrequests.get(\"http://api:8000/Monitor?x=1\")\nop = HttpOperator(task_id='t', endpoint='retrain')\nlog = f\"{run_id}\"\n";
        let d = Document::new("dags/retrain.py", dag.to_string());
        let refs: Vec<String> = called(&d).into_iter().map(|c| c.text).collect();
        assert_eq!(
            refs,
            vec!["@route:/train", "@route:/monitor", "@route:/retrain"]
        );
        // Another project's public API is not one of this project's routes.
        let d = Document::new(
            "x.py",
            "import requests\nrequests.get(\"https://api.github.com/repos\")\n".to_string(),
        );
        assert!(called(&d).is_empty());
        // A folder variable before the path is a file path, not a service.
        let d = Document::new(
            "x.py",
            "import requests\nos.listdir(f\"{self.db_to_clean}/train\")\nf\"{data_dir}/train\"\n"
                .to_string(),
        );
        assert!(called(&d).is_empty());
        // Without an HTTP client, a path in an f-string is no call.
        let d = Document::new("x.py", "p = f\"{ROOT}/train\"\n".to_string());
        assert!(called(&d).is_empty());
    }
}
