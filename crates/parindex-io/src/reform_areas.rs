//! Results by reform area: each unit's sub-index per reform area of the PAR programme
//! ([`parindex_core::ReformArea`]), as a terminal table and CSV for the command line, a sheet of
//! the workbook and the HTML report's profile chart.

// Each HTML fragment ends its own line; `writeln!` would hide that in long format strings.
#![allow(clippy::write_with_newline)]

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

use parindex_core::{ReformArea, ReformAreaScore, Results, Scorecard};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Workbook, XlsxError};

use crate::html::esc;
use crate::results::decimal;
use crate::summary::ranking_order;
use crate::xlsx::{Styles, number, print_setup, sheet_name};

/// The short Vietnamese name of a reform area, for column headers and chart labels.
pub(crate) fn short_vi(area: ReformArea) -> &'static str {
    match area {
        ReformArea::Direction => "Chỉ đạo, điều hành",
        ReformArea::Institutional => "Thể chế",
        ReformArea::Procedures => "Thủ tục hành chính",
        ReformArea::Organisation => "Tổ chức bộ máy",
        ReformArea::CivilService => "Công vụ, công chức",
        ReformArea::PublicFinance => "Tài chính công",
        ReformArea::Modernisation => "Hiện đại hóa",
        ReformArea::Impact => "Tác động",
    }
}

/// A reform area's name in a few letters, for the head of a narrow column.
fn column_vi(area: ReformArea) -> &'static str {
    match area {
        ReformArea::Direction => "Chỉ đạo",
        ReformArea::Institutional => "Thể chế",
        ReformArea::Procedures => "TTHC",
        ReformArea::Organisation => "Bộ máy",
        ReformArea::CivilService => "Công vụ",
        ReformArea::PublicFinance => "Tài chính",
        ReformArea::Modernisation => "Hiện đại hóa",
        ReformArea::Impact => "Tác động",
    }
}

/// The rows: rank, unit, name, index, then each reform area's reported sub-index.
fn rows(results: &Results, names: &BTreeMap<String, String>) -> (Vec<String>, Vec<Vec<String>>) {
    let areas = results.set().reform_areas();
    let mut header: Vec<String> = ["rank", "unit", "name", "index"].map(String::from).to_vec();
    header.extend(areas.iter().map(|a| a.as_str().to_owned()));
    let rows = ranking_order(results)
        .into_iter()
        .map(|u| {
            let mut row = vec![
                u.rank.map(|r| r.to_string()).unwrap_or_default(),
                u.unit.clone(),
                names.get(&u.unit).cloned().unwrap_or_default(),
                u.reported_index.map(|i| i.to_string()).unwrap_or_default(),
            ];
            row.extend(
                u.reform_areas()
                    .iter()
                    .map(|a| a.reported_index.map(|i| i.to_string()).unwrap_or_default()),
            );
            row
        })
        .collect();
    (header, rows)
}

/// Each unit's sub-index per reform area as CSV, in ranking order: `rank, unit, name, index`,
/// then one column per reform area of the set, named as in files (`procedures`), holding the
/// reported sub-index (empty when nothing in the area applies to the unit).
///
/// ```
/// use parindex_core::{shipped, Batch, Plan};
/// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
/// let mut batch = Batch::new(&plan);
/// let ward = batch.add_unit("CAP-01", [])?;
/// batch.set_text(ward, "2.1.1", None, "có")?;
/// let results = plan.score(&batch)?;
/// let csv = parindex_io::reform_area_csv(&results, &Default::default());
/// let mut lines = csv.lines();
/// assert_eq!(lines.next(), Some("rank,unit,name,index,direction,institutional,procedures,organisation,civil-service,modernisation,impact"));
/// assert_eq!(lines.next(), Some("1,CAP-01,,1.67,0.00,33.33,0.00,0.00,0.00,0.00,0.00"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reform_area_csv(results: &Results, names: &BTreeMap<String, String>) -> String {
    let (header, rows) = rows(results, names);
    let mut out = String::new();
    crate::csv::push_record(&mut out, &header);
    for row in rows {
        crate::csv::push_record(&mut out, &row);
    }
    out
}

/// Each unit's sub-index per reform area as a terminal table, in ranking order, under a line per
/// reform area saying which nodes it holds and their maximum.
pub fn reform_area_table(results: &Results, names: &BTreeMap<String, String>) -> String {
    let set = results.set();
    let mut out = format!(
        "{}: sub-index per reform area (0–{}); a blank is an area in which nothing applies\n",
        set.info.id,
        decimal(set.policy.scale)
    );
    let parts = set.reform_area_parts();
    if parts.is_empty() {
        out.push_str("the set declares no reform area (`reform_area` in criteria/FORMAT.md)\n");
        return out;
    }
    let width = parts
        .iter()
        .map(|(a, ..)| a.as_str().len())
        .max()
        .unwrap_or(0);
    for (area, nodes, max) in &parts {
        let _ = writeln!(
            out,
            "  {:width$}  max {:>5}  {}  ({})",
            area.as_str(),
            decimal(*max),
            area.name_en(),
            nodes.join(", ")
        );
    }
    let (header, rows) = rows(results, names);
    let mut table = crate::summary::Rows::new(header.len());
    for field in rows.iter().flatten() {
        table.push(field);
    }
    out.push_str(&crate::summary::aligned_table(&header, &[table], 30, |i| {
        i == 1 || i == 2
    }));
    out
}

/// The workbook's sheet `Lĩnh vực CCHC`: the reform areas with their nodes and maxima, then
/// one row per unit, in ranking order, with its sub-index in each.
pub(crate) fn write_sheet(
    workbook: &mut Workbook,
    results: &Results,
    names: &BTreeMap<String, String>,
    styles: &Styles,
    used: &mut HashSet<String>,
    title: &str,
) -> Result<(), XlsxError> {
    let set = results.set();
    let parts = set.reform_area_parts();
    let ws = workbook.add_worksheet();
    ws.set_name(sheet_name("Lĩnh vực CCHC", used))?;
    ws.write_string_with_format(
        0,
        0,
        "Chỉ số thành phần theo lĩnh vực cải cách hành chính",
        &styles.title,
    )?;
    if parts.is_empty() {
        ws.write_string_with_format(
            2,
            0,
            "Bộ tiêu chí chưa phân loại tiêu chí theo lĩnh vực cải cách hành chính (reform_area).",
            &styles.small,
        )?;
        return print_setup(ws, 0, title, true);
    }
    for (c, h) in ["Hạng", "Mã đơn vị", "Tên đơn vị", "Chỉ số"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(2, c as u16, *h, &styles.header)?;
        ws.write_string_with_format(3, c as u16, "", &styles.header)?;
        ws.write_string_with_format(4, c as u16, "", &styles.header)?;
    }
    ws.write_string_with_format(3, 3, "Điểm tối đa", &styles.header)?;
    ws.write_string_with_format(4, 3, "Tiêu chí", &styles.header)?;
    for (k, (area, nodes, max)) in parts.iter().enumerate() {
        let c = 4 + k as u16;
        ws.write_string_with_format(2, c, area.name_vi(), &styles.header)?;
        number(ws, 3, c, *max, &styles.header)?;
        ws.write_string_with_format(4, c, nodes.join(", "), &styles.header)?;
        ws.set_column_width(c, 16.0)?;
    }
    ws.set_row_height(2, 75.0)?;
    for (row, u) in (5u32..).zip(ranking_order(results)) {
        match u.rank {
            Some(r) => ws.write_number_with_format(row, 0, f64::from(r), &styles.text)?,
            None => ws.write_string_with_format(row, 0, "–", &styles.text)?,
        };
        ws.write_string_with_format(row, 1, &u.unit, &styles.text)?;
        let name = names.get(&u.unit).cloned().unwrap_or_default();
        ws.write_string_with_format(row, 2, name, &styles.text)?;
        match u.reported_index {
            Some(i) => number(ws, row, 3, i, &styles.index)?,
            None => {
                ws.write_string_with_format(row, 3, "–", &styles.text)?;
            }
        }
        for (k, area) in u.reform_areas().iter().enumerate() {
            let c = 4 + k as u16;
            match area.reported_index {
                Some(i) => number(ws, row, c, i, &styles.index)?,
                None => {
                    ws.write_string_with_format(row, c, "KAD", &styles.text)?;
                }
            }
        }
    }
    for (c, w) in [7.0, 18.0, 36.0, 10.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    print_setup(ws, 5, title, true)?;
    ws.set_freeze_panes(5, 2)?;
    Ok(())
}

fn f(x: Decimal) -> f64 {
    x.to_f64().unwrap_or(0.0)
}

/// The colour of a sub-index on the scale, as the report colours the areas' profiles.
fn colour(share: Option<f64>) -> &'static str {
    match share {
        Some(s) if s >= 0.9 => "#1a9850",
        Some(s) if s >= 0.8 => "#91cf60",
        Some(s) if s >= 0.7 => "#fdae61",
        Some(_) => "#d73027",
        None => "#7f7f7f",
    }
}

/// The report's section on reform areas: a profile chart of the batch (per reform area, the
/// lowest, mean and highest sub-index over the units) and a chart of each unit's profile, one
/// row per unit and one coloured cell per reform area. Empty for a set without reform areas.
pub(crate) fn html_section(
    results: &Results,
    ordered: &[&Scorecard],
    names: &BTreeMap<String, String>,
    most: usize,
) -> String {
    let set = results.set();
    let parts = set.reform_area_parts();
    if parts.is_empty() {
        return String::new();
    }
    let scale = f(set.policy.scale).max(1.0);
    let mut h = String::new();
    h.push_str("<section><h2>Hồ sơ theo lĩnh vực cải cách hành chính</h2>\n<p class=\"note\">Chỉ số thành phần của mỗi lĩnh vực: điểm các tiêu chí thuộc lĩnh vực ÷ điểm tối đa áp dụng × thang điểm, như mọi tiêu chí. Dải xám: thấp nhất – cao nhất; vạch đen: trung bình.</p>\n");
    h.push_str("<table class=\"areas\"><thead><tr><th>Lĩnh vực</th><th>Tiêu chí</th><th>Điểm tối đa</th></tr></thead><tbody>");
    for (area, nodes, max) in &parts {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            esc(area.name_vi()),
            esc(&nodes.join(", ")),
            decimal(*max)
        );
    }
    h.push_str("</tbody></table>\n");
    // Per reform area: the lowest, mean and highest sub-index over the units.
    let profiles: Vec<Vec<ReformAreaScore>> =
        results.units.iter().map(|u| u.reform_areas()).collect();
    let (left, width, row_h) = (190.0, 480.0, 24.0);
    let height = parts.len() as f64 * row_h + 26.0;
    let _ = write!(
        h,
        "<svg class=\"chart\" viewBox=\"0 0 {} {height:.0}\" role=\"img\" aria-label=\"Hồ sơ theo lĩnh vực cải cách hành chính\">\n",
        left + width + 70.0
    );
    for tick in [0.0, 0.5, 1.0] {
        let x = left + tick * width;
        let _ = write!(
            h,
            "<line x1=\"{x:.1}\" y1=\"0\" x2=\"{x:.1}\" y2=\"{:.1}\" class=\"edge\"/><text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\">{:.0}</text>\n",
            height - 18.0,
            height - 4.0,
            tick * scale
        );
    }
    for (k, (area, ..)) in parts.iter().enumerate() {
        let values: Vec<f64> = profiles
            .iter()
            .filter_map(|p| p.get(k).and_then(|a| a.index).map(f))
            .collect();
        let y = k as f64 * row_h + 4.0;
        let _ = write!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"label\">{}</text>",
            left - 6.0,
            y + row_h * 0.55,
            esc(short_vi(*area))
        );
        if values.is_empty() {
            let _ = write!(
                h,
                "<text x=\"{left}\" y=\"{:.1}\" class=\"value\">KAD</text>\n",
                y + row_h * 0.55
            );
            continue;
        }
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let x = |v: f64| left + (v / scale).clamp(0.0, 1.0) * width;
        let _ = write!(
            h,
            "<rect x=\"{left}\" y=\"{y:.1}\" width=\"{width}\" height=\"{:.1}\" class=\"track\"/><rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#c8d6e5\"><title>{}: {:.2}–{:.2}</title></rect><rect x=\"{:.1}\" y=\"{:.1}\" width=\"3\" height=\"{:.1}\" fill=\"#222\"><title>{}: trung bình {mean:.2} ({} đơn vị)</title></rect><text x=\"{:.1}\" y=\"{:.1}\" class=\"value\">{mean:.2}</text>\n",
            row_h - 8.0,
            x(low),
            (x(high) - x(low)).max(1.0),
            row_h - 8.0,
            esc(area.name_vi()),
            low,
            high,
            x(mean) - 1.5,
            y - 2.0,
            row_h - 4.0,
            esc(area.name_vi()),
            values.len(),
            left + width + 6.0,
            y + row_h * 0.55
        );
    }
    h.push_str("</svg>\n");
    // Each unit's profile: one row per unit, one cell per reform area.
    let shown: Vec<&&Scorecard> = ordered.iter().take(most).collect();
    let (left, cell, row_h, head) = (190.0, 72.0, 16.0, 34.0);
    let height = head + shown.len() as f64 * row_h + 4.0;
    let _ = write!(
        h,
        "<svg class=\"chart\" viewBox=\"0 0 {:.0} {height:.0}\" role=\"img\" aria-label=\"Chỉ số thành phần theo lĩnh vực của từng đơn vị\">\n",
        left + cell * parts.len() as f64 + 10.0
    );
    for (k, (area, ..)) in parts.iter().enumerate() {
        let x = left + cell * (k as f64 + 0.5);
        let _ = write!(
            h,
            "<text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\"><title>{}</title>{}</text>\n",
            head - 6.0,
            esc(area.name_vi()),
            esc(column_vi(*area))
        );
    }
    for (i, u) in shown.iter().enumerate() {
        let y = head + i as f64 * row_h;
        let label = match u.rank {
            Some(r) => format!("{r}. {}", u.unit),
            None => format!("– {}", u.unit),
        };
        let name = names.get(&u.unit).cloned().unwrap_or_default();
        let _ = write!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"label\"><title>{}</title>{}</text>",
            left - 6.0,
            y + row_h * 0.75,
            esc(&name),
            esc(&label)
        );
        for (k, area) in u.reform_areas().iter().enumerate() {
            let x = left + cell * k as f64;
            let share = area.index.map(|i| f(i) / scale);
            let shown = area
                .reported_index
                .map(|i| format!("{:.0}", f(i)))
                .unwrap_or_else(|| "KAD".into());
            let _ = write!(
                h,
                "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} – {}: {}/{}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" class=\"cell\">{shown}</text>",
                x + 1.0,
                cell - 2.0,
                row_h - 2.0,
                colour(share),
                esc(&u.unit),
                esc(area.area.name_vi()),
                decimal(area.points),
                decimal(area.max),
                x + cell / 2.0,
                y + row_h * 0.72
            );
        }
        h.push('\n');
    }
    h.push_str("</svg>\n");
    if ordered.len() > most {
        let _ = write!(
            h,
            "<p class=\"note\">Biểu đồ vẽ {most} đơn vị đứng đầu; tệp Excel và JSON có đủ {} đơn vị.</p>\n",
            ordered.len()
        );
    }
    h.push_str("</section>\n");
    h
}
