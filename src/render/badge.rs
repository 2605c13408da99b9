//! `ripen badge`: a README badge of one staged model's level, as a flat shields-style SVG
//! ("mlops azure | level 3/4") or as a shields.io endpoint JSON
//! (`{"schemaVersion":1,"label":…,"message":…,"color":…}`).
//!
//! The SVG is self-contained (no fonts or links), carries `<title>` and `aria-label`, and its
//! colours keep white text at WCAG AA contrast (≥ 4.5:1).

use crate::model::{Outcome, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum BadgeFormat {
    /// An SVG image.
    Svg,
    /// A shields.io endpoint JSON (https://shields.io/badges/endpoint-badge).
    Shields,
}

/// What a badge says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Badge {
    pub label: String,
    pub message: String,
    /// A shields.io colour name.
    pub color: &'static str,
    /// The same colour as hex for the SVG, dark enough for white text.
    pub hex: &'static str,
}

/// The colour of `level` out of `max`: red at 0, orange, yellow, yellow-green, green at the top.
pub(crate) fn colour(level: Option<u32>, max: u32) -> (&'static str, &'static str) {
    let Some(level) = level else {
        return ("lightgrey", "#6a737d");
    };
    if max == 0 {
        return ("lightgrey", "#6a737d");
    }
    let f = level as f64 / max as f64;
    if level == 0 {
        ("red", "#c62828")
    } else if f <= 0.25 {
        ("orange", "#b54708")
    } else if f <= 0.5 {
        ("yellow", "#8a6100")
    } else if f < 1.0 {
        ("yellowgreen", "#4d7c0f")
    } else {
        ("brightgreen", "#2b7a3d")
    }
}

/// The badge of `model` in a report; None when the report has no such staged model.
pub(crate) fn badge(r: &Report, model: &str) -> Option<Badge> {
    let m = match &r.models.get(model)?.outcome {
        Outcome::Staged(s) => s,
        Outcome::Categories(_) => return None,
    };
    let max = m.max_level;
    let (color, hex) = colour(Some(m.level), max);
    Some(Badge {
        label: format!("mlops {model}"),
        message: format!("level {}/{max}", m.level),
        color,
        hex,
    })
}

pub fn render(b: &Badge, format: BadgeFormat) -> String {
    match format {
        BadgeFormat::Svg => svg(b),
        BadgeFormat::Shields => shields(b),
    }
}

/// The shields.io endpoint JSON.
pub(crate) fn shields(b: &Badge) -> String {
    let v = serde_json::json!({
        "schemaVersion": 1,
        "label": b.label,
        "message": b.message,
        "color": b.color,
    });
    let mut s = serde_json::to_string_pretty(&v).expect("badge serialises");
    s.push('\n');
    s
}

/// Approximate advance width of `s` in Verdana/DejaVu Sans at 11px, as shields computes it.
pub(crate) fn text_width(s: &str) -> u32 {
    let w: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '|' | '.' | ',' | ':' | ';' | '\'' | '!' => 3.4,
            'f' | 't' | 'r' | ' ' | '/' | '(' | ')' | '-' | 'I' => 4.6,
            'm' | 'w' => 10.0,
            'M' | 'W' => 11.5,
            c if c.is_ascii_uppercase() => 7.6,
            c if c.is_ascii_digit() => 7.0,
            _ => 6.6,
        })
        .sum();
    w.ceil() as u32
}

pub(crate) fn esc(s: &str) -> String {
    super::html::esc(s)
}

/// A flat shields-style SVG badge.
pub(crate) fn svg(b: &Badge) -> String {
    let pad = 6;
    let lw = text_width(&b.label) + 2 * pad;
    let mw = text_width(&b.message) + 2 * pad;
    let w = lw + mw;
    let title = format!("{}: {}", b.label, b.message);
    // Text is drawn at 10x and scaled down, as shields does, for crisp hinting.
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" viewBox="0 0 {w} 20" role="img" aria-label="{t}">
<title>{t}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{mw}" height="20" fill="{hex}"/><rect width="{w}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">
<text aria-hidden="true" x="{lx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="{ltl}">{l}</text>
<text x="{lx}" y="140" transform="scale(.1)" fill="#fff" textLength="{ltl}">{l}</text>
<text aria-hidden="true" x="{mx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="{mtl}">{m}</text>
<text x="{mx}" y="140" transform="scale(.1)" fill="#fff" textLength="{mtl}">{m}</text>
</g>
</svg>
"##,
        t = esc(&title),
        hex = b.hex,
        lx = lw * 5,
        ltl = (lw - 2 * pad) * 10,
        mx = lw * 10 + mw * 5,
        mtl = (mw - 2 * pad) * 10,
        l = esc(&b.label),
        m = esc(&b.message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(level: Option<u32>, max: u32) -> Badge {
        let (color, hex) = colour(level, max);
        Badge {
            label: "mlops azure".into(),
            message: format!("level {}/{max}", level.unwrap_or(0)),
            color,
            hex,
        }
    }

    #[test]
    fn colours_rise_with_the_level() {
        let names: Vec<&str> = (0..=4).map(|l| colour(Some(l), 4).0).collect();
        assert_eq!(
            names,
            ["red", "orange", "yellow", "yellowgreen", "brightgreen"]
        );
        let g: Vec<&str> = (0..=2).map(|l| colour(Some(l), 2).0).collect();
        assert_eq!(g, ["red", "yellow", "brightgreen"]);
    }

    /// Relative luminance contrast of white text on each badge colour is at least 4.5:1.
    #[test]
    fn white_text_has_aa_contrast() {
        fn lum(hex: &str) -> f64 {
            let h = hex.trim_start_matches('#');
            let c = |i: usize| {
                let v = u8::from_str_radix(&h[i..i + 2], 16).unwrap() as f64 / 255.0;
                if v <= 0.03928 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * c(0) + 0.7152 * c(2) + 0.0722 * c(4)
        }
        for l in 0..=4 {
            let hex = colour(Some(l), 4).1;
            let ratio = 1.05 / (lum(hex) + 0.05);
            assert!(ratio >= 4.5, "{hex}: {ratio:.2}");
        }
        assert!(1.05 / (lum("#555555") + 0.05) >= 4.5);
    }

    #[test]
    fn svg_is_well_formed_and_labelled() {
        let s = svg(&b(Some(3), 4));
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(s.contains("role=\"img\""));
        assert!(s.contains("aria-label=\"mlops azure: level 3/4\""));
        assert!(s.contains("<title>mlops azure: level 3/4</title>"));
        assert!(s.contains("#4d7c0f"));
        assert_well_formed(&s);
    }

    #[test]
    fn shields_json_has_the_endpoint_shape() {
        let v: serde_json::Value = serde_json::from_str(&shields(&b(Some(4), 4))).unwrap();
        assert_eq!(v["schemaVersion"], 1);
        assert_eq!(v["label"], "mlops azure");
        assert_eq!(v["message"], "level 4/4");
        assert_eq!(v["color"], "brightgreen");
        assert_eq!(v.as_object().unwrap().len(), 4);
    }

    /// A small XML check: tags balance, attributes are quoted, no stray `<` or `&`.
    pub(crate) fn assert_well_formed(s: &str) {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = s;
        while let Some(i) = rest.find(['<', '&']) {
            let text = &rest[..i];
            assert!(!text.contains('>'), "stray > in text: {text}");
            rest = &rest[i..];
            if rest.starts_with('&') {
                let end = rest.find(';').expect("entity ends");
                let ent = &rest[1..end];
                assert!(
                    ["amp", "lt", "gt", "quot", "#39"].contains(&ent),
                    "entity {ent}"
                );
                rest = &rest[end + 1..];
                continue;
            }
            let end = rest.find('>').expect("tag ends");
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name.trim()), "closing {name}");
                continue;
            }
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body.split_whitespace().next().expect("tag name");
            assert_eq!(body.matches('"').count() % 2, 0, "quotes in <{tag}>");
            if !self_closing {
                stack.push(name.to_string());
            }
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
    }
}
