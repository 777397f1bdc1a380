//! The HTML targets page: a programme's targets in a year, by reform area, each with its
//! status, the value measured and where it came from. One self-contained page in the report's
//! style (inline CSS and SVG, no script, no network request).

// Each HTML fragment ends its own line; `writeln!` would hide that in long format strings.
#![allow(clippy::write_with_newline)]

use std::collections::BTreeMap;
use std::fmt::Write;

use parindex_core::programme::{Programme, TargetReport, TargetStatus};

use crate::html::esc;
use crate::reform_areas::short_vi;
use crate::targets::by_area;

/// A status's colour and its words on the page.
fn badge(status: TargetStatus) -> (&'static str, &'static str) {
    match status {
        TargetStatus::Met => ("#1a9850", "Đạt"),
        TargetStatus::OnTrack => ("#91cf60", "Đúng tiến độ"),
        TargetStatus::Behind => ("#d73027", "Chậm tiến độ"),
        TargetStatus::NoData => ("#7f7f7f", "Chưa có số liệu"),
    }
}

/// The page: a summary chart of the statuses per reform area, then one table per reform area.
///
/// ```
/// use parindex_core::programme::{Measured, Observation, Programme};
/// let programme = Programme::from_toml(r#"
/// format = 1
/// [programme]
/// id = "example/2021-2025"
/// title = "Example <programme>"
/// authority = "Example province"
/// period = "2021-2025"
/// source = "made up for this example"
/// [[target]]
/// id = "T1"
/// area = "impact"
/// indicator = "Citizen satisfaction"
/// comparator = ">"
/// value = 60
/// unit = "percent"
/// population = "citizens"
/// "#, "programme.toml")?;
/// let seen = Observation {
///     target: "T1".into(), year: 2023, unit: None, value: Measured::Number(72.into()),
///     from: "survey 2023".into(),
/// };
/// let reports = programme.report(2023, &[seen]);
/// let page = parindex_io::targets_html(&programme, 2023, &reports);
/// assert!(page.contains("Example &lt;programme&gt;"));
/// assert!(page.contains(">Đạt<"));
/// assert!(!page.contains("http://") && !page.contains("https://"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn targets_html(programme: &Programme, year: i32, reports: &[TargetReport]) -> String {
    let by_id: BTreeMap<&str, &TargetReport> =
        reports.iter().map(|r| (r.target.as_str(), r)).collect();
    let mut h = String::with_capacity(32 * 1024);
    let title = format!("{} – chỉ tiêu năm {year}", programme.title);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{}{EXTRA_CSS}</style>\n</head>\n<body>\n",
        esc(&title),
        crate::html::CSS
    );
    let issued = programme
        .issued
        .map(|d| format!(" ngày {d}"))
        .unwrap_or_default();
    let decision = programme
        .decision
        .as_deref()
        .map(|d| format!(" · {}{issued}", esc(d)))
        .unwrap_or_default();
    let _ = write!(
        h,
        "<header><h1>{}</h1><p class=\"meta\">{}{decision} · giai đoạn {}–{} · <b>năm báo cáo {year}</b> · <code>{}</code> · {} chỉ tiêu</p><p class=\"note\">Nguồn: {}</p></header>\n",
        esc(&programme.title),
        esc(&programme.authority),
        programme.period.0,
        programme.period.1,
        esc(&programme.id),
        programme.targets.len(),
        esc(&programme.source)
    );
    let mut counts: BTreeMap<TargetStatus, usize> = BTreeMap::new();
    for r in reports {
        *counts.entry(r.status).or_default() += 1;
    }
    h.push_str("<p class=\"legend\">");
    for status in TargetStatus::ALL {
        let (colour, words) = badge(*status);
        let _ = write!(
            h,
            "<span><i style=\"background:{colour}\"></i>{words} ({}): {}</span>",
            status.as_str(),
            counts.get(status).copied().unwrap_or(0)
        );
    }
    h.push_str("</p>\n");
    let areas = by_area(programme);
    // Per reform area: its targets by status, as one stacked bar.
    h.push_str("<section><h2>Theo lĩnh vực cải cách hành chính</h2>\n");
    let (left, width, row_h) = (160.0, 420.0, 22.0);
    let most = areas.iter().map(|(_, t)| t.len()).max().unwrap_or(1).max(1) as f64;
    let height = areas.len() as f64 * row_h + 6.0;
    let _ = write!(
        h,
        "<svg class=\"chart\" viewBox=\"0 0 {} {height:.0}\" role=\"img\" aria-label=\"Tình trạng chỉ tiêu theo lĩnh vực\">\n",
        left + width + 40.0
    );
    for (k, (area, targets)) in areas.iter().enumerate() {
        let y = k as f64 * row_h + 3.0;
        let _ = write!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"label\">{}</text>",
            left - 6.0,
            y + row_h * 0.6,
            esc(short_vi(*area))
        );
        let mut x = left;
        for status in TargetStatus::ALL {
            let n = targets
                .iter()
                .filter(|t| by_id.get(t.id.as_str()).map(|r| r.status) == Some(*status))
                .count();
            if n == 0 {
                continue;
            }
            let w = n as f64 / most * width;
            let (colour, words) = badge(*status);
            let _ = write!(
                h,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}: {n} {words}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" class=\"cell\">{n}</text>",
                row_h - 6.0,
                esc(area.name_vi()),
                x + w / 2.0,
                y + row_h * 0.55
            );
            x += w;
        }
        h.push('\n');
    }
    h.push_str("</svg>\n</section>\n");
    for (area, targets) in &areas {
        let _ = write!(
            h,
            "<section><h2>{}</h2>\n<table class=\"targets\"><thead><tr><th>Mã</th><th>Chỉ tiêu</th><th>Mục tiêu</th><th>Hạn</th><th>Đối tượng</th><th>Tình trạng</th><th>Kết quả đo</th><th>Nguồn số liệu</th></tr></thead><tbody>\n",
            esc(area.name_vi())
        );
        for t in targets {
            let Some(r) = by_id.get(t.id.as_str()) else {
                continue;
            };
            let (colour, words) = badge(r.status);
            let due = t
                .due(programme)
                .map_or("hằng năm".to_owned(), |y| y.to_string());
            let english = t
                .indicator_en
                .as_deref()
                .map(|e| format!("<br><small>{}</small>", esc(e)))
                .unwrap_or_default();
            let share = match r.units {
                Some((meeting, count)) if count > 0 => {
                    let w = meeting as f64 / count as f64 * 80.0;
                    format!(
                        "<br><svg class=\"share\" viewBox=\"0 0 82 8\" role=\"img\" aria-label=\"{meeting}/{count}\"><rect x=\"1\" y=\"1\" width=\"80\" height=\"6\" class=\"track\"/><rect x=\"1\" y=\"1\" width=\"{w:.1}\" height=\"6\" fill=\"{colour}\"/></svg>"
                    )
                }
                _ => String::new(),
            };
            let expected = r
                .expected
                .map(|e| format!("<br><small>cần đạt {} theo lộ trình</small>", e))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}{english}</td><td>{} {} {}</td><td class=\"n\">{due}</td><td>{}</td><td><span class=\"band\" style=\"background:{colour}\" title=\"{}\">{words}</span></td><td>{}{share}{expected}</td><td><small>{}</small></td></tr>\n",
                esc(&t.id),
                esc(&t.indicator),
                esc(t.comparator.as_str()),
                esc(&t.value.to_string()),
                esc(t.unit.as_str()),
                esc(&t.population),
                esc(&r.reason),
                if r.shown.is_empty() {
                    "–".to_owned()
                } else {
                    esc(&r.shown)
                },
                esc(&r.from.join("; "))
            );
        }
        h.push_str("</tbody></table></section>\n");
    }
    h.push_str("<footer>Tạo bởi parindex. Đạt: kết quả đo đáp ứng mục tiêu; đúng tiến độ: chưa đạt nhưng chưa đến hạn và không thấp hơn lộ trình đều từ mốc ban đầu đến mục tiêu; chậm tiến độ: đã đến hạn mà chưa đạt, hoặc thấp hơn lộ trình; chưa có số liệu: không có kết quả đo cho năm báo cáo.</footer>\n</body>\n</html>\n");
    h
}

const EXTRA_CSS: &str = "svg .cell{text-anchor:middle;font-size:10px;fill:#fff}table.targets td{vertical-align:top}table.targets small{color:#555}svg.share{width:82px;height:8px}";
