//! The HTML report: one self-contained page (inline CSS, SVG charts drawn here, no script and
//! no network request) with the ranking, the units' area profiles, the distribution of indices
//! and, given last year's results, the change since then.

// Each HTML fragment ends its own line; `writeln!` would hide that in long format strings.
#![allow(clippy::write_with_newline)]

use std::collections::BTreeMap;
use std::fmt::Write;

use parindex_core::{Results, YearResults, compare};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::results::decimal;
use crate::summary::ranking_order;

/// What the report shows besides the results.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions<'a> {
    /// Units' names, by id.
    pub names: BTreeMap<String, String>,
    /// Last year's results, for the change since then.
    pub previous: Option<&'a YearResults>,
    /// Older area code → newer area code, where the numbering changed.
    pub crosswalk: BTreeMap<String, String>,
    /// The ranks' uncertainty, from a sensitivity analysis: drawn as a rank-interval chart.
    pub rank_intervals: Option<RankIntervals>,
}

/// Each unit's 5–95% rank interval over the replications of an uncertainty analysis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankIntervals {
    /// Replications behind the intervals.
    pub replications: usize,
    /// The sources of uncertainty, as named in the analysis.
    pub sources: Vec<String>,
    /// Per unit: its id, its 5% rank, median rank and 95% rank.
    pub units: Vec<(String, f64, f64, f64)>,
    /// With sensitivity indices, per source: its name, first-order index with its 95%
    /// interval, and total index with its 95% interval.
    pub indices: Vec<SourceIndices>,
}

/// One source's variance-based sensitivity indices of the ranks, for the report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceIndices {
    /// The source, as named in the analysis.
    pub source: String,
    /// First-order index and its 95% interval.
    pub first_order: (f64, f64, f64),
    /// Total index and its 95% interval.
    pub total: (f64, f64, f64),
}

/// Escapes text for HTML content and attributes.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A band's condition as a decision prints it: `≥ 90`, `≥ 70 và < 90`.
fn band_condition(when: &parindex_core::Condition, language: &str) -> String {
    let lower = when.lower.map(|b| {
        format!(
            "{} {}",
            if b.inclusive { "≥" } else { ">" },
            b.value.normalize()
        )
    });
    let upper = when.upper.map(|b| {
        format!(
            "{} {}",
            if b.inclusive { "≤" } else { "<" },
            b.value.normalize()
        )
    });
    let and = if language == "vi" { "và" } else { "and" };
    match (lower, upper) {
        (Some(lower), Some(upper)) => format!("{lower} {and} {upper}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => String::new(),
    }
}

/// A scoring warning in the set's language, where a translation is known; the engine's words
/// otherwise.
fn warning_text<'a>(message: &'a str, language: &str) -> &'a str {
    if language != "vi" {
        return message;
    }
    match message {
        "no input: scored 0" => "không có số liệu: tính 0 điểm",
        "a completion for a task the unit does not lead: left out" => {
            "báo cáo hoàn thành cho nhiệm vụ đơn vị không chủ trì: không tính"
        }
        other => other,
    }
}

const PALETTE: [&str; 6] = [
    "#1a9850", "#91cf60", "#fdae61", "#f46d43", "#d73027", "#7f7f7f",
];

fn f(x: Decimal) -> f64 {
    x.to_f64().unwrap_or(0.0)
}

/// Most units drawn in the per-unit charts; the tables always list every unit.
const CHART_UNITS: usize = 150;

/// The report as one HTML page.
///
/// ```
/// use parindex_core::{shipped, Batch, Plan};
/// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
/// let mut batch = Batch::new(&plan);
/// let ward = batch.add_unit("CAP-<01>", [])?;
/// batch.set_text(ward, "1.1.4", None, "7/9")?;
/// let results = plan.score(&batch)?;
/// let html = parindex_io::report_html(&results, &Default::default());
/// assert!(html.contains("<meta charset=\"utf-8\">"));
/// assert!(html.contains("CAP-&lt;01&gt;"));
/// assert!(!html.contains("http://") && !html.contains("https://"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn report_html(results: &Results, options: &ReportOptions<'_>) -> String {
    let set = results.set();
    let scale = f(set.policy.scale).max(1.0);
    let band_color = |band: Option<&String>| -> &'static str {
        band.and_then(|b| set.bands.iter().position(|x| &x.name == b))
            .map_or(PALETTE[5], |i| PALETTE[i.min(4)])
    };
    let ordered = ranking_order(results);
    let name_of = |id: &str| options.names.get(id).cloned().unwrap_or_default();
    let mut h = String::with_capacity(64 * 1024);
    let title = format!("{} – kết quả {}", set.info.title, set.info.year);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    let indices: Vec<f64> = results
        .units
        .iter()
        .filter_map(|u| u.reported_index.map(f))
        .collect();
    let mean = if indices.is_empty() {
        0.0
    } else {
        indices.iter().sum::<f64>() / indices.len() as f64
    };
    let _ = write!(
        h,
        "<header><h1>{}</h1><p class=\"meta\">Bộ tiêu chí <b>{}</b> · năm {} · {} đơn vị · chỉ số trung bình {:.2} · mã băm <code>{}</code> · parindex {}</p></header>\n",
        esc(&set.info.title),
        esc(&set.info.id),
        set.info.year,
        results.units.len(),
        mean,
        esc(set.content_hash.get(..16).unwrap_or(&set.content_hash)),
        esc(&results.provenance.engine_version)
    );

    // Bands legend.
    if !set.bands.is_empty() {
        h.push_str("<p class=\"legend\">");
        for (i, b) in set.bands.iter().enumerate() {
            let _ = write!(
                h,
                "<span><i style=\"background:{}\"></i>{} {}: {}</span>",
                PALETTE[i.min(4)],
                esc(&b.name),
                esc(b.label.as_deref().unwrap_or("")),
                esc(&band_condition(&b.when, &set.info.language))
            );
        }
        h.push_str("</p>\n");
    }

    // Ranking chart.
    h.push_str("<section><h2>Xếp hạng</h2>\n");
    {
        let shown: Vec<_> = ordered
            .iter()
            .filter(|u| u.reported_index.is_some())
            .take(CHART_UNITS)
            .collect();
        let row_h = 18.0;
        let (left, width) = (190.0, 520.0);
        let height = shown.len() as f64 * row_h + 30.0;
        let _ = write!(
            h,
            "<svg class=\"chart\" viewBox=\"0 0 {} {height}\" role=\"img\" aria-label=\"Biểu đồ xếp hạng\">\n",
            left + width + 60.0
        );
        for b in &set.bands {
            for bound in [b.when.lower.as_ref()].into_iter().flatten() {
                let x = left + f(bound.value) / scale * width;
                let _ = write!(
                    h,
                    "<line x1=\"{x:.1}\" y1=\"0\" x2=\"{x:.1}\" y2=\"{:.1}\" class=\"edge\"/><text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\">{}</text>\n",
                    height - 18.0,
                    height - 4.0,
                    decimal(bound.value)
                );
            }
        }
        for (i, u) in shown.iter().enumerate() {
            let y = i as f64 * row_h + 2.0;
            let index = u.reported_index.map(f).unwrap_or(0.0);
            let w = (index / scale * width).clamp(0.0, width);
            let label = match u.rank {
                Some(r) => format!("{r}. {}", u.unit),
                None => format!("– {}", u.unit),
            };
            let _ = write!(
                h,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"label\">{}</text><rect x=\"{left}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} – {}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" class=\"value\">{}</text>\n",
                left - 6.0,
                y + row_h * 0.7,
                esc(&label),
                row_h - 4.0,
                band_color(u.band.as_ref()),
                esc(&u.unit),
                esc(&name_of(&u.unit)),
                left + w + 4.0,
                y + row_h * 0.7,
                u.reported_index.map(|i| i.to_string()).unwrap_or_default()
            );
        }
        h.push_str("</svg>\n");
        if ordered.len() > CHART_UNITS {
            let _ = write!(
                h,
                "<p class=\"note\">Biểu đồ vẽ {CHART_UNITS} đơn vị đứng đầu; bảng dưới liệt kê đủ {} đơn vị.</p>\n",
                ordered.len()
            );
        }
    }
    h.push_str("<table><thead><tr><th>Hạng</th><th>Mã đơn vị</th><th>Tên đơn vị</th><th>Điểm</th><th>Tối đa</th><th>Chỉ số</th><th>Xếp loại</th></tr></thead><tbody>\n");
    for u in &ordered {
        let _ = write!(
            h,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td><span class=\"band\" style=\"background:{}\">{}</span></td></tr>\n",
            u.rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into()),
            esc(&u.unit),
            esc(&name_of(&u.unit)),
            decimal(u.total),
            decimal(u.max),
            u.reported_index
                .map(|i| i.to_string())
                .unwrap_or_else(|| "–".into()),
            band_color(u.band.as_ref()),
            esc(u.band.as_deref().unwrap_or(""))
        );
    }
    h.push_str("</tbody></table></section>\n");

    if let Some(intervals) = &options.rank_intervals {
        rank_interval_chart(&mut h, &ordered, intervals, &band_color);
    }

    // Distribution.
    h.push_str("<section><h2>Phân bố chỉ số</h2>\n");
    {
        let bins = 20usize;
        let mut counts = vec![0usize; bins];
        for x in &indices {
            let b = ((x / scale) * bins as f64).floor() as isize;
            counts[b.clamp(0, bins as isize - 1) as usize] += 1;
        }
        let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
        let (w, ht, left, bottom) = (600.0, 200.0, 30.0, 24.0);
        let bw = w / bins as f64;
        let _ = write!(
            h,
            "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Biểu đồ phân bố chỉ số\">\n",
            w + left + 10.0,
            ht + bottom
        );
        for (i, c) in counts.iter().enumerate() {
            let bh = *c as f64 / top * (ht - 14.0);
            let x = left + i as f64 * bw;
            let mid = Decimal::from_f64_retain((i as f64 + 0.5) / bins as f64 * scale)
                .unwrap_or_default();
            let color = set
                .bands
                .iter()
                .position(|b| b.when.contains(mid))
                .map_or(PALETTE[5], |k| PALETTE[k.min(4)]);
            let lo = i as f64 / bins as f64 * scale;
            let hi = (i + 1) as f64 / bins as f64 * scale;
            let _ = write!(
                h,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{color}\"><title>{lo:.0}–{hi:.0}: {c}</title></rect>",
                x + 1.0,
                ht - bh,
                bw - 2.0
            );
            if *c > 0 {
                let _ = write!(
                    h,
                    "<text x=\"{:.1}\" y=\"{:.1}\" class=\"count\">{c}</text>",
                    x + bw / 2.0,
                    ht - bh - 3.0
                );
            }
            if i % 2 == 0 {
                let _ = write!(
                    h,
                    "<text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\">{lo:.0}</text>",
                    ht + 16.0
                );
            }
        }
        let _ = write!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">{scale:.0}</text><line x1=\"{left}\" y1=\"{ht}\" x2=\"{:.1}\" y2=\"{ht}\" class=\"axis\"/></svg>\n",
            left + w,
            ht + 16.0,
            left + w
        );
    }
    h.push_str("</section>\n");

    // Area profiles.
    let areas: Vec<(usize, &parindex_core::Node)> = set.areas_with_positions().collect();
    h.push_str("<section><h2>Hồ sơ theo lĩnh vực</h2>\n<table class=\"areas\"><thead><tr><th>Mã</th><th>Lĩnh vực</th><th>Điểm tối đa</th></tr></thead><tbody>");
    for (_, a) in &areas {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            esc(&a.code),
            esc(&a.name),
            decimal(a.max)
        );
    }
    h.push_str("</tbody></table>\n<div class=\"profiles\">\n");
    for u in ordered.iter().take(CHART_UNITS) {
        let (bar_w, row_h) = (160.0, 14.0);
        let height = areas.len() as f64 * row_h + 4.0;
        let _ = write!(
            h,
            "<figure><figcaption><b>{}</b> {} · {}</figcaption><svg viewBox=\"0 0 230 {height:.0}\" role=\"img\" aria-label=\"Chỉ số thành phần của {}\">",
            esc(&u.unit),
            esc(&name_of(&u.unit)),
            u.reported_index
                .map(|i| i.to_string())
                .unwrap_or_else(|| "–".into()),
            esc(&u.unit)
        );
        for (k, (i, a)) in areas.iter().enumerate() {
            let y = k as f64 * row_h + 2.0;
            let Some(node) = u.node_at(*i) else {
                continue;
            };
            let sub = if node.max.is_zero() {
                None
            } else {
                Some(f(node.points) / f(node.max))
            };
            let w = sub.unwrap_or(0.0).clamp(0.0, 1.0) * bar_w;
            let color = match sub {
                Some(s) if s >= 0.9 => PALETTE[0],
                Some(s) if s >= 0.8 => PALETTE[1],
                Some(s) if s >= 0.7 => PALETTE[2],
                Some(_) => PALETTE[4],
                None => PALETTE[5],
            };
            let _ = write!(
                h,
                "<text x=\"28\" y=\"{:.1}\" class=\"label\">{}</text><rect x=\"32\" y=\"{y:.1}\" width=\"{bar_w}\" height=\"{:.1}\" class=\"track\"/><rect x=\"32\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{color}\"><title>{}: {}/{}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" class=\"value\">{}</text>",
                y + row_h * 0.7,
                esc(&a.code),
                row_h - 3.0,
                row_h - 3.0,
                esc(&a.name),
                decimal(node.points),
                decimal(node.max),
                32.0 + bar_w + 3.0,
                y + row_h * 0.7,
                sub.map(|s| format!("{:.0}", s * 100.0))
                    .unwrap_or_else(|| "KAD".into())
            );
        }
        h.push_str("</svg></figure>\n");
    }
    h.push_str("</div></section>\n");
    h.push_str(&crate::reform_areas::html_section(
        results,
        &ordered,
        &options.names,
        CHART_UNITS,
    ));

    // Change since last year.
    if let Some(previous) = options.previous {
        let changes = compare(
            previous,
            &results.year_view(),
            &options.crosswalk,
            set.policy.scale,
        );
        let _ = write!(
            h,
            "<section><h2>Thay đổi so với năm {}</h2>\n",
            previous.year
        );
        let moved: Vec<_> = changes
            .iter()
            .filter(|c| c.index_change.is_some())
            .take(CHART_UNITS)
            .collect();
        let span = moved
            .iter()
            .filter_map(|c| c.index_change.map(|x| f(x).abs()))
            .fold(1.0f64, f64::max);
        let (left, half, row_h) = (190.0, 200.0, 18.0);
        let height = moved.len() as f64 * row_h + 6.0;
        let _ = write!(
            h,
            "<svg class=\"chart\" viewBox=\"0 0 {} {height:.0}\" role=\"img\" aria-label=\"Thay đổi chỉ số\"><line x1=\"{:.1}\" y1=\"0\" x2=\"{:.1}\" y2=\"{height:.0}\" class=\"axis\"/>\n",
            left + 2.0 * half + 60.0,
            left + half,
            left + half
        );
        for (i, c) in moved.iter().enumerate() {
            let d = c.index_change.map(f).unwrap_or(0.0);
            let w = d.abs() / span * half;
            let x = if d >= 0.0 {
                left + half
            } else {
                left + half - w
            };
            let y = i as f64 * row_h + 2.0;
            let color = if d >= 0.0 { PALETTE[0] } else { PALETTE[4] };
            let _ = write!(
                h,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"label\">{}</text><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"value\">{}{}</text>\n",
                left - 6.0,
                y + row_h * 0.7,
                esc(&c.unit),
                row_h - 4.0,
                left + 2.0 * half + 4.0,
                y + row_h * 0.7,
                if d > 0.0 { "+" } else { "" },
                c.index_change.map(|x| x.to_string()).unwrap_or_default()
            );
        }
        h.push_str("</svg>\n<table><thead><tr><th>Mã đơn vị</th><th>Chỉ số trước</th><th>Chỉ số nay</th><th>Thay đổi</th><th>Hạng trước</th><th>Hạng nay</th><th>Bậc</th></tr></thead><tbody>\n");
        let show = |x: Option<Decimal>| x.map(|v| v.to_string()).unwrap_or_else(|| "–".into());
        for c in &changes {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                esc(&c.unit),
                show(c.index_before),
                show(c.index_after),
                show(c.index_change),
                c.rank_before
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "–".into()),
                c.rank_after
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "–".into()),
                c.rank_change
                    .map(|r| format!("{r:+}"))
                    .unwrap_or_else(|| "–".into())
            );
        }
        h.push_str("</tbody></table></section>\n");
    }

    // Warnings.
    if !results.warnings.is_empty() {
        let _ = write!(
            h,
            "<section><h2>Cảnh báo ({})</h2><ul class=\"warnings\">",
            results.warnings.len()
        );
        for w in results.warnings.iter().take(500) {
            let _ = write!(
                h,
                "<li>{} · {}: {}</li>",
                esc(&w.unit),
                esc(&w.code),
                esc(warning_text(&w.message, &set.info.language))
            );
        }
        if results.warnings.len() > 500 {
            let _ = write!(
                h,
                "<li>… và {} cảnh báo khác</li>",
                results.warnings.len() - 500
            );
        }
        h.push_str("</ul></section>\n");
    }
    h.push_str("<footer>Tạo bởi parindex. Điểm tính bằng số thập phân chính xác; chỉ số làm tròn theo quy định của bộ tiêu chí.</footer>\n</body>\n</html>\n");
    h
}

pub(crate) const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}.meta,.note,footer{color:#555;font-size:.9rem}table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left}th{background:#eef3f8}td.n{text-align:right;font-variant-numeric:tabular-nums}.band{display:inline-block;min-width:2.5em;padding:0 .4em;border-radius:3px;color:#fff;text-align:center}.legend span{margin-right:1rem;font-size:.9rem}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:middle}svg.chart{width:100%;height:auto;max-width:900px}svg text{font-size:12px;fill:#333}svg .label{text-anchor:end}svg .tick{text-anchor:middle;fill:#666;font-size:12px}svg .count{text-anchor:middle;font-size:12px}svg .edge{stroke:#999;stroke-dasharray:3 3}svg .axis{stroke:#666}svg .track{fill:#f0f0f0}svg .cell{text-anchor:middle;font-size:11px;fill:#fff}.profiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:.6rem}.profiles figure{margin:0;border:1px solid #e5e5e5;padding:.3rem}.profiles figcaption{font-size:.8rem;margin-bottom:.2rem}.areas{max-width:800px}@media (max-width:760px){body{margin:1rem auto;padding:0 .6rem}section{overflow-x:auto}svg.chart{width:760px;max-width:none}table{font-size:.85rem}th,td{white-space:nowrap}.profiles{grid-template-columns:1fr}}@page{size:A4;margin:12mm}@media print{body{margin:0;max-width:none;padding:0;font-size:10pt}h2{break-after:avoid}section{break-inside:auto;overflow:visible}svg.chart{max-width:100%}figure,tr,.legend{break-inside:avoid}.profiles{grid-template-columns:repeat(3,1fr)}}";

/// The rank-interval chart: each unit, in ranking order, with its published rank (a dot) and
/// its 5–95% rank interval over the replications (a bar through the median).
fn rank_interval_chart(
    h: &mut String,
    ordered: &[&parindex_core::Scorecard],
    intervals: &RankIntervals,
    band_color: &dyn Fn(Option<&String>) -> &'static str,
) {
    let by_unit: BTreeMap<&str, (f64, f64, f64)> = intervals
        .units
        .iter()
        .map(|(u, low, median, high)| (u.as_str(), (*low, *median, *high)))
        .collect();
    let shown: Vec<_> = ordered
        .iter()
        .filter(|u| u.rank.is_some() && by_unit.contains_key(u.unit.as_str()))
        .take(CHART_UNITS)
        .collect();
    let worst = shown
        .iter()
        .filter_map(|u| by_unit.get(u.unit.as_str()).map(|i| i.2))
        .fold(1.0, f64::max);
    let _ = write!(
        h,
        "<section><h2>Độ tin cậy của thứ hạng</h2>\n<p class=\"note\">Khoảng 5–95% của thứ hạng qua {} lần mô phỏng (nguồn bất định: {}); chấm là thứ hạng công bố, vạch là trung vị.</p>\n",
        intervals.replications,
        esc(&intervals.sources.join(", "))
    );
    let row_h = 16.0;
    let (left, width) = (190.0, 520.0);
    let height = shown.len() as f64 * row_h + 30.0;
    let x_of = |rank: f64| left + (rank - 1.0) / (worst - 1.0).max(1.0) * width;
    let _ = write!(
        h,
        "<svg class=\"chart\" viewBox=\"0 0 {} {height}\" role=\"img\" aria-label=\"Khoảng tin cậy của thứ hạng\">\n",
        left + width + 60.0
    );
    for tick in [1.0, (worst / 2.0).round().max(1.0), worst] {
        let x = x_of(tick);
        let _ = write!(
            h,
            "<line x1=\"{x:.1}\" y1=\"0\" x2=\"{x:.1}\" y2=\"{:.1}\" class=\"edge\"/><text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\">{tick}</text>\n",
            height - 18.0,
            height - 4.0
        );
    }
    for (i, u) in shown.iter().enumerate() {
        let Some((low, median, high)) = by_unit.get(u.unit.as_str()).copied() else {
            continue;
        };
        let y = i as f64 * row_h + 2.0 + row_h / 2.0;
        let rank = f64::from(u.rank.unwrap_or(0));
        let color = band_color(u.band.as_ref());
        let _ = write!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"label\">{}</text><line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-width=\"6\" stroke-linecap=\"round\"><title>{}: hạng {} (5–95%: {}–{}, trung vị {})</title></line><line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333\"/><circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#000\"/>\n",
            left - 6.0,
            y + 4.0,
            esc(&format!("{}. {}", u.rank.unwrap_or(0), u.unit)),
            x_of(low),
            x_of(high),
            esc(&u.unit),
            u.rank.unwrap_or(0),
            low,
            high,
            median,
            x_of(median),
            y - 5.0,
            x_of(median),
            y + 5.0,
            x_of(rank)
        );
    }
    h.push_str("</svg>\n");
    if !intervals.indices.is_empty() {
        h.push_str("<h3>Chỉ số độ nhạy của thứ hạng</h3>\n<p class=\"note\">Tỷ lệ phương sai của thứ hạng do từng nguồn bất định gây ra: riêng nguồn đó (bậc một) và cùng các tương tác (toàn phần), kèm khoảng tin cậy 95%.</p>\n<table><thead><tr><th>Nguồn</th><th>Bậc một</th><th>Khoảng 95%</th><th>Toàn phần</th><th>Khoảng 95%</th></tr></thead><tbody>\n");
        for row in &intervals.indices {
            let (s1, s1_low, s1_high) = row.first_order;
            let (st, st_low, st_high) = row.total;
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{s1:.3}</td><td class=\"n\">{s1_low:.3}–{s1_high:.3}</td><td class=\"n\">{st:.3}</td><td class=\"n\">{st_low:.3}–{st_high:.3}</td></tr>\n",
                esc(&row.source)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use parindex_core::{Batch, Plan, shipped};

    fn sample() -> Results {
        let set = shipped::load("binh-thuan-police/commune/2024")
            .map(|l| l.set)
            .unwrap_or_else(|e| panic!("{e}"));
        let plan = Plan::new(&set);
        let mut batch = Batch::new(&plan);
        for (unit, value) in [("CAP-A", "7/9"), ("CAP-B", "9/9")] {
            let u = batch.add_unit(unit, []).unwrap_or_else(|e| panic!("{e}"));
            batch
                .set_text(u, "1.1.4", None, value)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        plan.score(&batch).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn warnings_are_in_the_sets_language() {
        let html = report_html(&sample(), &ReportOptions::default());
        assert!(html.contains("không có số liệu: tính 0 điểm"), "{html}");
        assert!(!html.contains("no input: scored 0"));
        assert_eq!(
            warning_text("no input: scored 0", "en"),
            "no input: scored 0"
        );
    }

    #[test]
    fn band_conditions_read_as_the_decision_prints_them() {
        let html = report_html(&sample(), &ReportOptions::default());
        assert!(html.contains("A Nhóm A: ≥ 90"), "{html}");
        assert!(html.contains("B Nhóm B: ≥ 80 và &lt; 90"));
        assert!(!html.contains("x &gt;="));
    }

    #[test]
    fn the_page_reads_on_a_phone_and_prints_without_an_empty_first_page() {
        let html = report_html(&sample(), &ReportOptions::default());
        // On a narrow screen charts keep their size (text stays 12 px of 760) and sections
        // scroll sideways instead of clipping the band column.
        assert!(html.contains("@media (max-width:760px)"));
        assert!(html.contains("svg.chart{width:760px;max-width:none}"));
        assert!(html.contains("section{overflow-x:auto}"));
        assert!(html.contains("svg text{font-size:12px"));
        // Sections may break across pages: a long ranking no longer leaves page 1 empty.
        assert!(!html.contains("break-inside:avoid-page"));
        assert!(html.contains("@page{size:A4;margin:12mm}"));
    }

    #[test]
    fn a_sensitivity_report_shows_its_indices() {
        let results = sample();
        let options = ReportOptions {
            rank_intervals: Some(RankIntervals {
                replications: 100,
                sources: vec!["appraisal".to_owned()],
                units: vec![
                    ("CAP-A".to_owned(), 1.0, 2.0, 2.0),
                    ("CAP-B".to_owned(), 1.0, 1.0, 2.0),
                ],
                indices: vec![SourceIndices {
                    source: "appraisal".to_owned(),
                    first_order: (0.9712, 0.95, 0.99),
                    total: (0.98, 0.96, 1.0),
                }],
            }),
            ..ReportOptions::default()
        };
        let html = report_html(&results, &options);
        assert!(html.contains("Chỉ số độ nhạy của thứ hạng"));
        assert!(html.contains(
            "<td>appraisal</td><td class=\"n\">0.971</td><td class=\"n\">0.950–0.990</td>"
        ));
    }
}
