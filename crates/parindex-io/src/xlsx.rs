//! The results workbook, formatted for printing: ranking, one sheet per area, per-node detail
//! with explanations, stage differences and warnings.

use std::collections::{BTreeMap, HashSet};

use parindex_core::{NodeStatus, Results, StageScore};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use crate::error::IoError;
use crate::input::stage_label;
use crate::results::decimal;
use crate::summary::ranking_order;

/// The most rows a sheet holds, as Excel allows.
const MAX_ROWS: usize = 1_048_576;

/// The fixed creation time written into every workbook, so that the same results give the same
/// bytes.
pub(crate) fn fixed_properties(title: &str) -> Result<DocProperties, XlsxError> {
    let created = ExcelDateTime::from_ymd(2024, 1, 1)?;
    Ok(DocProperties::new()
        .set_title(title)
        .set_author("parindex")
        .set_creation_datetime(&created))
}

pub(crate) struct Styles {
    pub(crate) title: Format,
    pub(crate) header: Format,
    pub(crate) text: Format,
    pub(crate) wrap: Format,
    pub(crate) number: Format,
    pub(crate) index: Format,
    pub(crate) small: Format,
}

impl Styles {
    pub(crate) fn new() -> Self {
        let border = |f: Format| {
            f.set_border(FormatBorder::Thin)
                .set_border_color(Color::RGB(0xBFBFBF))
        };
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            header: border(
                Format::new()
                    .set_bold()
                    .set_text_wrap()
                    .set_align(FormatAlign::Center)
                    .set_align(FormatAlign::VerticalCenter)
                    .set_background_color(Color::RGB(0xDDEBF7)),
            ),
            text: border(Format::new()),
            wrap: border(Format::new().set_text_wrap().set_align(FormatAlign::Top)),
            // "General" shows 5 as 5 and 5.25 as 5.25; "0.###" would show 5 as "5.".
            number: border(Format::new().set_num_format("General")),
            index: border(Format::new().set_num_format("0.00")),
            small: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x595959)),
        }
    }
}

/// Writes a decimal as an Excel number, keeping it exact for display (Excel shows 15 digits).
pub(crate) fn number(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    x: Decimal,
    format: &Format,
) -> Result<(), XlsxError> {
    match x.to_f64() {
        Some(f) => ws.write_number_with_format(row, col, f, format)?,
        None => ws.write_string_with_format(row, col, decimal(x), format)?,
    };
    Ok(())
}

/// Landscape A4 pages with the header rows repeated and frozen; `fit_to_width` squeezes every
/// column onto one page's width (for sheets of a few columns; a sheet of many columns prints
/// on several readable pages instead).
pub(crate) fn print_setup(
    ws: &mut Worksheet,
    header_rows: u32,
    title: &str,
    fit_to_width: bool,
) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    if fit_to_width {
        ws.set_print_fit_to_pages(1, 0);
    }
    ws.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
    if header_rows > 0 {
        ws.set_repeat_rows(0, header_rows - 1)?;
        ws.set_freeze_panes(header_rows, 0)?;
        // Excel does not grow a row for wrapped text it did not type itself: give the header
        // row room for criterion names over three lines.
        ws.set_row_height(header_rows - 1, 45)?;
    }
    let safe_title = title.replace('&', "&&");
    ws.set_header(format!("&L{safe_title}"));
    ws.set_footer("&LTrang &P / &N&Rparindex");
    Ok(())
}

/// The width of an area sheet's column `k`: the area's total, then its rows.
fn column_width(k: usize) -> f64 {
    if k == 0 { 10.0 } else { 12.0 }
}

/// The height, in points, of a header row that shows each of its texts whole, wrapped at
/// spaces in a column `width` characters wide (bold capitals taking more room than one
/// character), at most Excel's 409 points.
pub(crate) fn wrapped_row_height<'a>(cells: impl IntoIterator<Item = (&'a str, f64)>) -> f64 {
    const LINE: f64 = 15.0;
    let lines = cells
        .into_iter()
        .map(|(text, width)| wrapped_lines(text, width))
        .max()
        .unwrap_or(1);
    (lines as f64 * LINE + 4.0).min(409.0)
}

fn wrapped_lines(text: &str, width: f64) -> usize {
    let (mut lines, mut used) = (1, 0.0);
    for word in text.split_whitespace() {
        let mut w: f64 = word
            .chars()
            .map(|c| if c.is_uppercase() { 1.4 } else { 1.1 })
            .sum();
        if used > 0.0 && used + 1.0 + w <= width {
            used += 1.0 + w;
            continue;
        }
        if used > 0.0 {
            lines += 1;
        }
        // A word wider than the column is broken over as many lines as it takes.
        while w > width {
            lines += 1;
            w -= width;
        }
        used = w;
    }
    lines
}

/// A sheet name Excel accepts: at most 31 characters, without `[]:*?/\`, unique.
pub(crate) fn sheet_name(wanted: &str, used: &mut HashSet<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    let clean = clean.trim().trim_matches('\'');
    let mut name: String = clean.chars().take(31).collect();
    name = name.trim_end().to_owned();
    let mut n = 2;
    while used.contains(&name.to_lowercase()) || name.is_empty() {
        let suffix = format!(" ({n})");
        let base: String = clean.chars().take(31 - suffix.chars().count()).collect();
        name = format!("{}{suffix}", base.trim_end());
        n += 1;
    }
    if trips_reference_quoting(&name) {
        // A trailing space makes the writer quote the name before it reads it as a cell
        // reference; readers trim sheet names, so the sheet still names its stage.
        name.push(' ');
    }
    used.insert(name.to_lowercase());
    name
}

/// Whether rust_xlsxwriter 0.92 overflows quoting this sheet name when it saves the workbook (a
/// panic where overflow checks are on, as in tests): a name it takes for a cell reference, a
/// few letters then digits, whose letters include a `.`, such as a stage named `A.1` or
/// `II.5`. Found by the `input_xlsx_cells` fuzz target.
fn trips_reference_quoting(name: &str) -> bool {
    let Some(first_digit) = name.find(|c: char| c.is_ascii_digit()) else {
        return false;
    };
    let (letters, number) = name.split_at(first_digit);
    (1..=3).contains(&letters.len())
        && letters.contains('.')
        && !letters.starts_with('.')
        && number.chars().all(|c| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
}

fn status_vi(status: NodeStatus) -> &'static str {
    match status {
        NodeStatus::Scored => "đã chấm",
        NodeStatus::NotApplicable => "không áp dụng",
        NodeStatus::Missing => "thiếu số liệu",
        NodeStatus::NoEvidence => "thiếu tài liệu kiểm chứng",
    }
}

/// The results as an `.xlsx` workbook, ready to print.
///
/// Sheets: `Xếp hạng` (the ranking), one per area (the points of its criteria per unit),
/// `Lĩnh vực CCHC` (each unit's sub-index per reform area), `Chi tiết` (every node of every unit, with the explanation), `Chênh lệch giai đoạn` (where a
/// later stage changed a unit's points), `Cảnh báo` (warnings). The workbook's creation date is
/// fixed, so that the same results give the same file.
///
/// A sheet holds at most 1,048,576 rows; when the detail needs more ([`detail_sheets`]), it
/// runs over `Chi tiết 1`, `Chi tiết 2`, …, each unit whole on one sheet.
pub fn results_xlsx(
    results: &Results,
    names: &BTreeMap<String, String>,
) -> Result<Vec<u8>, IoError> {
    Ok(build(results, names)?.save_to_buffer()?)
}

/// Writes the workbook of [`results_xlsx`] into `writer` (a file), without holding the
/// packed workbook in memory: for a large round, hundreds of megabytes.
pub fn write_results_xlsx<W: std::io::Write + std::io::Seek + Send>(
    results: &Results,
    names: &BTreeMap<String, String>,
    writer: W,
) -> Result<(), IoError> {
    Ok(build(results, names)?.save_to_writer(writer)?)
}

/// How many sheets the detail of a results workbook runs over: one, unless the units times the
/// nodes of the set pass the rows a sheet holds.
///
/// ```
/// use parindex_core::{shipped, Batch, Plan};
/// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
/// let mut batch = Batch::new(&plan);
/// batch.add_unit("CAP-01", [])?;
/// assert_eq!(parindex_io::detail_sheets(&plan.score(&batch)?), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn detail_sheets(results: &Results) -> usize {
    let per_unit = results.set().nodes.len().max(1);
    let units_per_sheet = ((MAX_ROWS - 1) / per_unit).max(1);
    results.units.len().div_ceil(units_per_sheet).max(1)
}

fn build(results: &Results, names: &BTreeMap<String, String>) -> Result<Workbook, XlsxError> {
    let set = results.set();
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(&fixed_properties(&set.info.title)?);
    let mut used = HashSet::new();
    let title = format!("{} ({})", set.info.title, set.info.id);
    let has_groups = results.units.iter().any(|u| u.group.is_some());
    let ordered = ranking_order(results);
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_default();

    // Ranking.
    {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet_name("Xếp hạng", &mut used))?;
        ws.write_string_with_format(0, 0, &set.info.title, &styles.title)?;
        ws.write_string_with_format(
            1,
            0,
            format!(
                "Bộ tiêu chí {} · mã băm {} · parindex {}",
                set.info.id,
                &set.content_hash.get(..12).unwrap_or(&set.content_hash),
                results.provenance.engine_version
            ),
            &styles.small,
        )?;
        let mut headers = vec!["Hạng", "Mã đơn vị", "Tên đơn vị"];
        if has_groups {
            headers.push("Nhóm");
        }
        headers.extend(["Điểm đạt", "Điểm tối đa", "Chỉ số", "Xếp loại"]);
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(3, c as u16, *h, &styles.header)?;
        }
        for (row, u) in (4u32..).zip(ordered.iter()) {
            let mut c = 0u16;
            match u.rank {
                Some(r) => ws.write_number_with_format(row, c, f64::from(r), &styles.text)?,
                None => ws.write_string_with_format(row, c, "–", &styles.text)?,
            };
            c += 1;
            ws.write_string_with_format(row, c, &u.unit, &styles.text)?;
            c += 1;
            ws.write_string_with_format(row, c, name_of(&u.unit), &styles.text)?;
            c += 1;
            if has_groups {
                ws.write_string_with_format(
                    row,
                    c,
                    u.group.clone().unwrap_or_default(),
                    &styles.text,
                )?;
                c += 1;
            }
            number(ws, row, c, u.total, &styles.number)?;
            number(ws, row, c + 1, u.max, &styles.number)?;
            match u.reported_index {
                Some(i) => number(ws, row, c + 2, i, &styles.index)?,
                None => {
                    ws.write_string_with_format(row, c + 2, "–", &styles.text)?;
                }
            }
            let band = match (
                &u.band,
                set.bands.iter().find(|b| Some(&b.name) == u.band.as_ref()),
            ) {
                (Some(name), Some(b)) => match &b.label {
                    Some(label) if label != name => format!("{name} – {label}"),
                    _ => name.clone(),
                },
                (Some(name), None) => name.clone(),
                _ => String::new(),
            };
            ws.write_string_with_format(row, c + 3, band, &styles.text)?;
        }
        let widths: Vec<f64> = if has_groups {
            vec![7.0, 18.0, 45.0, 12.0, 10.0, 10.0, 10.0, 30.0]
        } else {
            vec![7.0, 18.0, 45.0, 10.0, 10.0, 10.0, 30.0]
        };
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        print_setup(ws, 4, &title, true)?;
    }

    // One sheet per area.
    for (a, area) in set.areas_with_positions() {
        let members: Vec<usize> = set
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.code.starts_with(&format!("{}.", area.code)))
            .map(|(i, _)| i)
            .collect();
        // Written row by row to a temporary file, as the detail is: one row per unit. So the
        // header is written a row at a time, and the print set-up before the units' rows.
        let ws = workbook.add_worksheet_with_constant_memory();
        ws.set_name(sheet_name(
            &format!("{}. {}", area.code, area.name),
            &mut used,
        ))?;
        let mut columns = vec![a];
        columns.extend(members);
        let index_col = 2 + columns.len() as u16;
        for (c, w) in [(0, 16.0), (1, 36.0), (index_col, 12.0)] {
            ws.set_column_width(c, w)?;
        }
        for k in 0..columns.len() {
            ws.set_column_width(2 + k as u16, column_width(k))?;
        }
        ws.write_string_with_format(0, 0, format!("{}. {}", area.code, area.name), &styles.title)?;
        let header_row = |ws: &mut Worksheet,
                          row: u32,
                          first: &str,
                          second: &str,
                          cell: &dyn Fn(usize, &parindex_core::Node) -> String,
                          last: &str|
         -> Result<(), XlsxError> {
            ws.write_string_with_format(row, 0, first, &styles.header)?;
            ws.write_string_with_format(row, 1, second, &styles.header)?;
            for (k, &i) in columns.iter().enumerate() {
                ws.write_string_with_format(
                    row,
                    2 + k as u16,
                    cell(k, &set.nodes[i]),
                    &styles.header,
                )?;
            }
            ws.write_string_with_format(row, index_col, last, &styles.header)?;
            Ok(())
        };
        header_row(ws, 2, "Mã tiêu chí", "", &|_, n| n.code.clone(), "")?;
        header_row(
            ws,
            3,
            "Tên tiêu chí",
            "",
            &|_, n| n.name.clone(),
            "Chỉ số thành phần",
        )?;
        let names = columns
            .iter()
            .enumerate()
            .map(|(k, &i)| (set.nodes[i].name.as_str(), column_width(k)));
        ws.set_row_height(3, wrapped_row_height(names))?;
        ws.write_string_with_format(4, 0, "Điểm tối đa", &styles.header)?;
        ws.write_string_with_format(4, 1, "", &styles.header)?;
        for (k, &i) in columns.iter().enumerate() {
            number(ws, 4, 2 + k as u16, set.nodes[i].max, &styles.header)?;
        }
        ws.write_string_with_format(4, index_col, "", &styles.header)?;
        let label =
            |k: usize, _: &parindex_core::Node| if k == 0 { "Tổng" } else { "Điểm" }.to_owned();
        header_row(ws, 5, "Mã đơn vị", "Tên đơn vị", &label, "")?;
        print_setup(ws, 6, &title, true)?;
        ws.set_freeze_panes(6, 2)?;
        for (r, u) in ordered.iter().enumerate() {
            let row = 6 + r as u32;
            ws.write_string_with_format(row, 0, &u.unit, &styles.text)?;
            ws.write_string_with_format(row, 1, name_of(&u.unit), &styles.text)?;
            for (k, &i) in columns.iter().enumerate() {
                let Some(score) = u.node_at(i) else {
                    continue;
                };
                if score.status == NodeStatus::NotApplicable {
                    ws.write_string_with_format(row, 2 + k as u16, "KAD", &styles.text)?;
                } else {
                    number(ws, row, 2 + k as u16, score.points, &styles.number)?;
                }
            }
            match u.node_index(&area.code) {
                Some(i) => number(
                    ws,
                    row,
                    index_col,
                    set.policy.rounding.round(i, set.policy.decimals),
                    &styles.index,
                )?,
                None => {
                    ws.write_string_with_format(row, index_col, "–", &styles.text)?;
                }
            }
        }
    }

    crate::reform_areas::write_sheet(&mut workbook, results, names, &styles, &mut used, &title)?;

    // Per-node detail with explanations: on as many sheets as it takes, each unit whole on
    // one sheet, since a sheet holds at most MAX_ROWS rows.
    {
        let headers = [
            "Mã đơn vị",
            "Mã tiêu chí",
            "Tên tiêu chí",
            "Điểm đạt",
            "Điểm tối đa áp dụng",
            "Điểm mất",
            "Trạng thái",
            "Giai đoạn",
            "Số liệu",
            "Giải thích",
        ];
        let per_unit = set.nodes.len().max(1);
        let units_per_sheet = ((MAX_ROWS - 1) / per_unit).max(1);
        let chunks: Vec<&[parindex_core::Scorecard]> = if results.units.is_empty() {
            vec![&[]]
        } else {
            results.units.chunks(units_per_sheet).collect()
        };
        let several = chunks.len() > 1;
        for (n, chunk) in chunks.into_iter().enumerate() {
            // Written row by row to a temporary file: held in memory, the detail of 35,000
            // units took 8.8 GB. Rows are written in order, and the header row's height and
            // the print set-up before the rows below it.
            let ws = workbook.add_worksheet_with_constant_memory();
            let name = if several {
                format!("Chi tiết {}", n + 1)
            } else {
                "Chi tiết".to_owned()
            };
            ws.set_name(sheet_name(&name, &mut used))?;
            for (c, h) in headers.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, *h, &styles.header)?;
            }
            print_setup(ws, 1, &title, true)?;
            ws.set_freeze_panes(1, 2)?;
            let mut row = 1u32;
            for card in chunk {
                for line in card.explain().lines {
                    if row as usize >= MAX_ROWS {
                        break;
                    }
                    ws.write_string_with_format(row, 0, &card.unit, &styles.text)?;
                    ws.write_string_with_format(row, 1, &line.code, &styles.text)?;
                    let indent = "  ".repeat(line.depth);
                    ws.write_string_with_format(
                        row,
                        2,
                        format!("{indent}{}", line.name),
                        &styles.text,
                    )?;
                    number(ws, row, 3, line.points, &styles.number)?;
                    number(ws, row, 4, line.applicable_max, &styles.number)?;
                    number(ws, row, 5, line.lost, &styles.number)?;
                    ws.write_string_with_format(row, 6, status_vi(line.status), &styles.text)?;
                    ws.write_string_with_format(
                        row,
                        7,
                        line.stage.as_deref().map(stage_label).unwrap_or(""),
                        &styles.text,
                    )?;
                    ws.write_string_with_format(
                        row,
                        8,
                        line.seen.unwrap_or_default(),
                        &styles.text,
                    )?;
                    ws.write_string_with_format(row, 9, &line.reason, &styles.text)?;
                    row += 1;
                }
            }
            for (c, w) in [16.0, 10.0, 50.0, 9.0, 10.0, 9.0, 14.0, 12.0, 14.0, 50.0]
                .iter()
                .enumerate()
            {
                ws.set_column_width(c as u16, *w)?;
            }
            ws.autofilter(0, 0, row.saturating_sub(1).max(1), 9)?;
        }
    }

    // Stage differences.
    {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet_name("Chênh lệch giai đoạn", &mut used))?;
        let headers = [
            "Mã đơn vị",
            "Mã tiêu chí",
            "Tên tiêu chí",
            "Giai đoạn trước",
            "Điểm",
            "Giai đoạn sau",
            "Điểm",
            "Chênh lệch",
        ];
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &styles.header)?;
        }
        let mut row = 1u32;
        'cards: for card in &results.units {
            let stages: Vec<StageScore<'_>> = card.stages().collect();
            for pair in stages.windows(2) {
                let (before, after) = (&pair[0], &pair[1]);
                for (i, node) in set.nodes.iter().enumerate() {
                    let (Some(b), Some(a)) = (before.points(i), after.points(i)) else {
                        continue;
                    };
                    if b == a {
                        continue;
                    }
                    if row as usize >= MAX_ROWS {
                        break 'cards;
                    }
                    ws.write_string_with_format(row, 0, &card.unit, &styles.text)?;
                    ws.write_string_with_format(row, 1, &node.code, &styles.text)?;
                    ws.write_string_with_format(row, 2, &node.name, &styles.text)?;
                    ws.write_string_with_format(row, 3, stage_label(before.stage), &styles.text)?;
                    number(ws, row, 4, b, &styles.number)?;
                    ws.write_string_with_format(row, 5, stage_label(after.stage), &styles.text)?;
                    number(ws, row, 6, a, &styles.number)?;
                    number(ws, row, 7, a - b, &styles.number)?;
                    row += 1;
                }
            }
        }
        if row == 1 {
            ws.write_string_with_format(
                1,
                0,
                "Không có chênh lệch giữa các giai đoạn.",
                &styles.small,
            )?;
        }
        for (c, w) in [16.0, 10.0, 50.0, 14.0, 9.0, 14.0, 9.0, 11.0]
            .iter()
            .enumerate()
        {
            ws.set_column_width(c as u16, *w)?;
        }
        print_setup(ws, 1, &title, true)?;
    }

    // Warnings.
    {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet_name("Cảnh báo", &mut used))?;
        for (c, h) in ["Mã đơn vị", "Mã tiêu chí", "Cảnh báo"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &styles.header)?;
        }
        for (r, w) in results.warnings.iter().take(MAX_ROWS - 1).enumerate() {
            let row = 1 + r as u32;
            ws.write_string_with_format(row, 0, &w.unit, &styles.text)?;
            ws.write_string_with_format(row, 1, &w.code, &styles.text)?;
            let message = if w.message == "no input: scored 0" {
                "không có số liệu: tính 0 điểm (no input: scored 0)".to_owned()
            } else {
                w.message.clone()
            };
            ws.write_string_with_format(row, 2, message, &styles.text)?;
        }
        if results.warnings.is_empty() {
            ws.write_string_with_format(1, 0, "Không có cảnh báo.", &styles.small)?;
        }
        ws.set_column_width(0, 16.0)?;
        ws.set_column_width(1, 12.0)?;
        ws.set_column_width(2, 60.0)?;
        print_setup(ws, 1, &title, true)?;
    }
    let _ = &styles.wrap;
    Ok(workbook)
}
