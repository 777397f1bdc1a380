//! Input templates: an `.xlsx` workbook with one sheet per stage, and a `.csv` file.
//!
//! Both lay units out one per row and leaves one per column, under header rows giving each
//! leaf's name, maximum and how to write its value. The readers find the header row by its
//! `unit` cell, so the rows above it may be left as they are.

use std::collections::HashSet;

use parindex_core::{AttributeKind, CriteriaSet, InputShape, Rule, RuleKind};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format,
    FormatAlign, Workbook, XlsxError,
};

use crate::csv;
use crate::error::IoError;
use crate::input::{INSTRUCTIONS_SHEET, stage_label};
use crate::results::decimal;
use crate::xlsx::{Styles, fixed_properties, print_setup, sheet_name};

/// Rows of a template sheet prepared with data validation.
const TEMPLATE_ROWS: u32 = 500;
/// The 0-based row of the header (`unit`, `name`, codes) in an `.xlsx` template.
const HEADER_ROW: u32 = 4;

/// How to write a leaf's value, in Vietnamese, for the template's hint row.
fn hint(rule: &Rule) -> String {
    let shape = rule.input();
    match &shape {
        InputShape::Answer(answers) if rule.kind() == RuleKind::YesNo => {
            let keys: Vec<&str> = answers.iter().map(|a| a.key.as_ref()).collect();
            keys.join(" / ")
        }
        InputShape::Answer(answers) => {
            let keys: Vec<&str> = answers.iter().map(|a| a.key.as_ref()).collect();
            format!("một mức: {}", keys.join(" / "))
        }
        InputShape::Date { due, outcomes } => {
            let words: Vec<&str> = outcomes.iter().map(|a| a.key.as_ref()).collect();
            match due {
                Some(due) => format!(
                    "ngày dd/mm/yyyy (hạn {:02}/{:02}/{}) hoặc {}",
                    due.day(),
                    due.month(),
                    due.year(),
                    words.join(" / ")
                ),
                None => words.join(" / "),
            }
        }
        InputShape::Percent => {
            "tỷ lệ %: 87.5 hoặc 87.5% (tỷ lệ 45/50 nhập dạng văn bản)".to_owned()
        }
        InputShape::Count => "số lượng: số nguyên ≥ 0".to_owned(),
        InputShape::Number => "một số, dấu chấm thập phân: 12.5".to_owned(),
        InputShape::Survey => "tỷ lệ hài lòng 85% hoặc 17/20, hoặc số phiếu A=10 B=5".to_owned(),
        InputShape::Points { .. } => "điểm do người chấm cho".to_owned(),
        InputShape::ByCase => "giá trị theo trường hợp (xem Hướng dẫn)".to_owned(),
        InputShape::Trend => "năm trước → năm nay: 80 → 85".to_owned(),
    }
}

fn attribute_hint(kind: AttributeKind, values: &[String]) -> String {
    match kind {
        AttributeKind::Bool => "có / không".to_owned(),
        AttributeKind::Number => "một số".to_owned(),
        AttributeKind::Text if values.is_empty() => "văn bản".to_owned(),
        AttributeKind::Text => values.join(" / "),
    }
}

/// The attribute columns: the set's attributes, then `ranked`.
fn attribute_columns(set: &CriteriaSet) -> Vec<(String, String, String)> {
    let mut columns: Vec<(String, String, String)> = set
        .attributes
        .iter()
        .map(|a| {
            (
                a.name.clone(),
                a.label.clone().unwrap_or_else(|| a.name.clone()),
                attribute_hint(a.kind, &a.values),
            )
        })
        .collect();
    columns.push((
        "ranked".to_owned(),
        "Xếp hạng đơn vị này (để trống = có)".to_owned(),
        "có / không".to_owned(),
    ));
    columns
}

/// A CSV template: a row of names, a row of maxima, then the header row `unit, name, stage`,
/// the attributes and the leaf codes. Units are added below, one row per unit and stage.
///
/// ```
/// let set = parindex_core::shipped::load("binh-thuan-police/commune/2024")?.set;
/// let csv = parindex_io::template_csv(&set);
/// assert!(csv.lines().nth(2).ok_or("no header")?.starts_with("unit,name,stage,ranked,1.1.1,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn template_csv(set: &CriteriaSet) -> String {
    let attributes = attribute_columns(set);
    let leaves: Vec<&parindex_core::Node> = set.leaves().collect();
    let mut out = String::new();
    let mut names = vec![
        "Tên tiêu chí (name)".to_owned(),
        String::new(),
        String::new(),
    ];
    names.extend(attributes.iter().map(|a| a.1.clone()));
    names.extend(leaves.iter().map(|n| n.name.clone()));
    csv::push_record(&mut out, &names);
    let mut maxima = vec!["Điểm tối đa (max)".to_owned(), String::new(), String::new()];
    maxima.extend(attributes.iter().map(|_| String::new()));
    maxima.extend(leaves.iter().map(|n| decimal(n.max)));
    csv::push_record(&mut out, &maxima);
    let mut header = vec!["unit".to_owned(), "name".to_owned(), "stage".to_owned()];
    header.extend(attributes.iter().map(|a| a.0.clone()));
    header.extend(leaves.iter().map(|n| n.code.clone()));
    csv::push_record(&mut out, &header);
    out
}

/// An `.xlsx` template: one sheet per stage (`Tự đánh giá`, `Thẩm định`, or the stage's name),
/// header rows with codes, names, maxima and how to write each value, data validation on the
/// first 500 rows, and an instructions sheet `Hướng dẫn` in Vietnamese.
pub fn template_xlsx(set: &CriteriaSet) -> Result<Vec<u8>, IoError> {
    Ok(build(set)?)
}

fn build(set: &CriteriaSet) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(&fixed_properties(&set.info.title)?);
    let mut used = HashSet::new();
    used.insert(INSTRUCTIONS_SHEET.to_lowercase());
    let attributes = attribute_columns(set);
    let leaves: Vec<&parindex_core::Node> = set.leaves().collect();
    let label_format = styles.header.clone().set_align(FormatAlign::Left);
    let text_cell = Format::new().set_num_format("@");
    let percent_cell = Format::new().set_num_format("0.0##");
    let date_cell = Format::new().set_num_format("dd/mm/yyyy");
    let title = format!("{} ({})", set.info.title, set.info.id);
    let first = HEADER_ROW + 1;
    let last = HEADER_ROW + TEMPLATE_ROWS;

    for stage in &set.policy.stages {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet_name(stage_label(stage), &mut used))?;
        ws.write_string_with_format(
            0,
            0,
            format!("{} – {}", stage_label(stage), set.info.title),
            &styles.title,
        )?;
        ws.write_string_with_format(1, 0, "Tên tiêu chí", &label_format)?;
        ws.write_string_with_format(2, 0, "Điểm tối đa", &label_format)?;
        ws.write_string_with_format(3, 0, "Cách nhập", &label_format)?;
        ws.write_string_with_format(1, 1, "", &label_format)?;
        ws.write_string_with_format(2, 1, "", &label_format)?;
        ws.write_string_with_format(3, 1, "", &label_format)?;
        ws.write_string_with_format(HEADER_ROW, 0, "unit", &styles.header)?;
        ws.write_string_with_format(HEADER_ROW, 1, "name", &styles.header)?;
        // Printed on pages of readable columns (not every column squeezed onto one page),
        // each repeating the unit's id and name.
        ws.set_repeat_columns(0, 1)?;
        ws.set_column_width(0, 16.0)?;
        ws.set_column_width(1, 32.0)?;
        ws.set_column_format(0, &text_cell)?;
        ws.set_column_format(1, &text_cell)?;
        let mut col: u16 = 2;
        for (name, label, how) in &attributes {
            ws.write_string_with_format(1, col, label, &styles.header)?;
            ws.write_string_with_format(2, col, "", &styles.header)?;
            ws.write_string_with_format(3, col, how, &styles.header)?;
            ws.write_string_with_format(HEADER_ROW, col, name, &styles.header)?;
            ws.set_column_width(col, 14.0)?;
            let kind = set.attribute(name).map_or(AttributeKind::Bool, |a| a.kind);
            let values = set
                .attribute(name)
                .map(|a| a.values.clone())
                .unwrap_or_default();
            let validation = match kind {
                AttributeKind::Bool => {
                    Some(DataValidation::new().allow_list_strings(&["có", "không"])?)
                }
                AttributeKind::Text if !values.is_empty() => {
                    Some(DataValidation::new().allow_list_strings(&values)?)
                }
                _ => None,
            };
            if let Some(v) = validation {
                ws.add_data_validation(first, col, last, col, &v)?;
            }
            col += 1;
        }
        for node in &leaves {
            let Some(rule) = &node.rule else { continue };
            ws.write_string_with_format(1, col, &node.name, &styles.header)?;
            match node.max.to_f64() {
                Some(m) => ws.write_number_with_format(2, col, m, &styles.header)?,
                None => ws.write_string_with_format(2, col, decimal(node.max), &styles.header)?,
            };
            ws.write_string_with_format(3, col, hint(rule), &styles.header)?;
            ws.write_string_with_format(HEADER_ROW, col, &node.code, &styles.header)?;
            ws.set_column_width(col, 14.0)?;
            let (validation, format) = validation_for(rule, node.max)?;
            if let Some(v) = validation {
                let v = v
                    .set_input_title(node.code.chars().take(32).collect::<String>())?
                    .set_input_message(hint(rule).chars().take(255).collect::<String>())?;
                ws.add_data_validation(first, col, last, col, &v)?;
            }
            match format {
                CellKind::Text => ws.set_column_format(col, &text_cell)?,
                CellKind::Percent => ws.set_column_format(col, &percent_cell)?,
                CellKind::Date => ws.set_column_format(col, &date_cell)?,
                CellKind::General => ws,
            };
            col += 1;
        }
        ws.set_row_height(1, 120.0)?;
        ws.set_row_height(3, 45.0)?;
        print_setup(ws, HEADER_ROW + 1, &title, false)?;
        ws.set_freeze_panes(HEADER_ROW + 1, 2)?;
    }

    let ws = workbook.add_worksheet();
    ws.set_name(INSTRUCTIONS_SHEET)?;
    let stages: Vec<String> = set
        .policy
        .stages
        .iter()
        .map(|s| format!("\"{}\"", stage_label(s)))
        .collect();
    let lines = [
        format!("Mẫu nhập số liệu – {}", set.info.title),
        format!("Bộ tiêu chí: {} · năm {} · mã băm {}", set.info.id, set.info.year, set.content_hash),
        String::new(),
        "1. Mỗi đơn vị ghi một dòng, bắt đầu từ dòng 6. Cột \"unit\" là mã đơn vị: bắt buộc, không trùng nhau. Cột \"name\" là tên đơn vị.".to_owned(),
        format!("2. Mỗi giai đoạn chấm điểm một trang: {}. Giai đoạn sau chỉ cần ghi những ô thay đổi so với giai đoạn trước; ô để trống giữ giá trị của giai đoạn trước.", stages.join(", ")),
        "3. Mỗi tiêu chí một cột, tiêu đề là mã tiêu chí (dòng 5). Không sửa, không xoá các dòng tiêu đề và không đổi tên các trang.".to_owned(),
        "4. Có/không: ghi \"có\" hoặc \"không\" (cũng nhận yes/no, 1/0).".to_owned(),
        "5. Tỷ lệ phần trăm: ghi 87.5 hoặc 87.5% – dùng dấu chấm thập phân, không dùng dấu phẩy. Tỷ lệ dạng 45/50 phải nhập dạng văn bản (gõ dấu nháy đơn trước: '45/50), nếu không Excel sẽ đổi thành ngày tháng.".to_owned(),
        "6. Ngày: dd/mm/yyyy, ví dụ 15/01/2024. Đúng hạn / trễ hạn / không: chọn trong danh sách.".to_owned(),
        "7. Không áp dụng: ghi N/A, KAD hoặc \"không áp dụng\" – tiêu chí và điểm tối đa của nó được loại khỏi mẫu số. Ô để trống là thiếu số liệu: tính 0 điểm và có cảnh báo.".to_owned(),
        "8. Cột \"ranked\": ghi \"không\" cho đơn vị được chấm điểm nhưng không xếp hạng; để trống là có xếp hạng.".to_owned(),
        format!("9. Chấm điểm: parindex score {} ten-tep.xlsx -o ket-qua.xlsx", set.info.id),
        String::new(),
        "Danh sách tiêu chí".to_owned(),
    ];
    for (r, line) in lines.iter().enumerate() {
        let format = if r == 0 || r == lines.len() - 1 {
            &styles.title
        } else {
            &styles.wrap
        };
        ws.write_string_with_format(r as u32, 0, line, format)?;
        if r > 0 && r < lines.len() - 1 {
            ws.merge_range(r as u32, 0, r as u32, 3, line, &styles.wrap)?;
            if line.chars().count() > 110 {
                ws.set_row_height(r as u32, 30.0)?;
            }
        }
    }
    let start = lines.len() as u32;
    for (c, h) in ["Mã", "Tên tiêu chí", "Điểm tối đa", "Cách nhập"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(start, c as u16, *h, &styles.header)?;
    }
    for (r, node) in set.nodes.iter().enumerate() {
        let row = start + 1 + r as u32;
        let indent = "   ".repeat(node.depth());
        ws.write_string_with_format(row, 0, &node.code, &styles.text)?;
        ws.write_string_with_format(row, 1, format!("{indent}{}", node.name), &styles.wrap)?;
        ws.write_string_with_format(row, 2, decimal(node.max), &styles.text)?;
        let how = match &node.rule {
            Some(rule) => hint(rule),
            None => "tổng các tiêu chí con".to_owned(),
        };
        ws.write_string_with_format(row, 3, how, &styles.wrap)?;
    }
    ws.set_column_width(0, 10.0)?;
    ws.set_column_width(1, 80.0)?;
    ws.set_column_width(2, 11.0)?;
    ws.set_column_width(3, 45.0)?;
    ws.set_portrait();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    workbook.save_to_buffer()
}

enum CellKind {
    General,
    Text,
    Percent,
    Date,
}

/// The data validation and cell format for a leaf's column.
fn validation_for(
    rule: &Rule,
    max: rust_decimal::Decimal,
) -> Result<(Option<DataValidation>, CellKind), XlsxError> {
    let warn = |v: DataValidation| {
        v.set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title("Giá trị chưa đúng")
    };
    let list = |items: Vec<String>| -> Result<DataValidation, XlsxError> {
        let mut items = items;
        items.push("N/A".to_owned());
        let v = DataValidation::new().allow_list_strings(&items)?;
        Ok(v.set_error_style(DataValidationErrorStyle::Warning))
    };
    let result = match rule.input() {
        InputShape::Answer(answers) => {
            let keys: Vec<String> = answers.iter().map(|a| a.key.to_string()).collect();
            let total: usize = keys.iter().map(|k| k.chars().count() + 1).sum();
            let validation = if total < 250 { Some(list(keys)?) } else { None };
            (validation, CellKind::Text)
        }
        InputShape::Date { due: Some(_), .. } => {
            let from = ExcelDateTime::from_ymd(2000, 1, 1)?;
            let to = ExcelDateTime::from_ymd(2100, 12, 31)?;
            (
                Some(warn(
                    DataValidation::new().allow_date(DataValidationRule::Between(from, to)),
                )?),
                CellKind::Date,
            )
        }
        InputShape::Date {
            due: None,
            outcomes,
        } => (
            Some(list(outcomes.iter().map(|a| a.key.to_string()).collect())?),
            CellKind::Text,
        ),
        InputShape::Percent => (
            Some(warn(DataValidation::new().allow_decimal_number(
                DataValidationRule::Between(0.0, 100.0),
            ))?),
            CellKind::Percent,
        ),
        InputShape::Count => (
            Some(warn(DataValidation::new().allow_whole_number(
                DataValidationRule::GreaterThanOrEqualTo(0),
            ))?),
            CellKind::General,
        ),
        InputShape::Points { min, .. } => {
            let low = min.to_f64().unwrap_or(0.0);
            let high = max.to_f64().unwrap_or(0.0).max(low);
            (
                Some(warn(DataValidation::new().allow_decimal_number(
                    DataValidationRule::Between(low, high),
                ))?),
                CellKind::General,
            )
        }
        InputShape::Survey | InputShape::ByCase | InputShape::Trend => (None, CellKind::Text),
        InputShape::Number => (None, CellKind::General),
    };
    Ok(result)
}
