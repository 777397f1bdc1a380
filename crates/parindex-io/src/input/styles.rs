//! Which cells of an `.xlsx` sheet are formatted as percentages.
//!
//! Excel stores a cell typed `87.5%` as the number 0.875 with a percent format; the format is
//! the only thing that says the number is a fraction of 1. The workbook library does not
//! expose formats, so this module reads them from the package: the styles' number formats,
//! then the style index of each cell of a sheet. Only the cells whose style is a percent
//! format are kept.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};

use quick_xml::Reader;
use quick_xml::events::Event;
use zip::ZipArchive;

/// The cells of each sheet, by sheet name, whose format is a percentage: (row, column), 0-based.
#[derive(Debug, Default)]
pub(crate) struct PercentCells {
    by_sheet: HashMap<String, HashSet<(u32, u32)>>,
}

impl PercentCells {
    /// Whether a cell of a sheet is formatted as a percentage.
    pub(crate) fn contains(&self, sheet: &str, row: u32, column: u32) -> bool {
        self.by_sheet
            .get(sheet)
            .is_some_and(|cells| cells.contains(&(row, column)))
    }

    /// Reads the percent-formatted cells of every sheet of an `.xlsx` package. Anything that
    /// cannot be read gives no percent cells: the workbook reader reports the damage itself.
    pub(crate) fn read<R: Read + Seek>(package: R) -> PercentCells {
        let mut cells = PercentCells::default();
        let Ok(mut zip) = ZipArchive::new(package) else {
            return cells;
        };
        let styles = read_part(&mut zip, "xl/styles.xml")
            .map(|xml| percent_styles(&xml))
            .unwrap_or_default();
        if styles.is_empty() {
            return cells;
        }
        let targets = read_part(&mut zip, "xl/_rels/workbook.xml.rels")
            .map(|xml| relationships(&xml))
            .unwrap_or_default();
        let sheets = read_part(&mut zip, "xl/workbook.xml")
            .map(|xml| sheet_ids(&xml))
            .unwrap_or_default();
        for (name, id) in sheets {
            let Some(target) = targets.get(&id) else {
                continue;
            };
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_owned(),
                None => format!("xl/{target}"),
            };
            if let Some(xml) = read_part(&mut zip, &path) {
                cells.by_sheet.insert(name, styled_cells(&xml, &styles));
            }
        }
        cells
    }
}

/// The text of a part of the package, at most as large as an input may be.
fn read_part<R: Read + Seek>(zip: &mut ZipArchive<R>, name: &str) -> Option<String> {
    let file = zip.by_name(name).ok()?;
    let mut text = String::new();
    file.take(crate::limits::MAX_INPUT_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// The value of an attribute of an element, unescaped.
fn attribute(element: &quick_xml::events::BytesStart<'_>, key: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .and_then(|a| {
            let raw = std::str::from_utf8(&a.value).ok()?;
            quick_xml::escape::unescape(raw)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// Calls `visit` with every start or empty element of a document.
fn elements(xml: &str, mut visit: impl FnMut(&quick_xml::events::BytesStart<'_>, bool)) {
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => visit(&e, false),
            Ok(Event::Empty(e)) => visit(&e, true),
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

/// Whether a number format code shows a percentage: a `%` outside quotes and brackets.
fn is_percent_code(code: &str) -> bool {
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            '%' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

/// The positions, in `cellXfs`, of the cell styles whose number format is a percentage.
fn percent_styles(xml: &str) -> HashSet<usize> {
    // Built-in formats 9 (`0%`) and 10 (`0.00%`).
    let mut percent_formats: HashSet<u32> = [9, 10].into_iter().collect();
    let mut styles = HashSet::new();
    let (mut in_cell_xfs, mut position) = (false, 0usize);
    let mut reader = Reader::from_str(xml);
    loop {
        let (element, empty) = match reader.read_event() {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) if e.local_name().as_ref() == b"cellXfs" => {
                in_cell_xfs = false;
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        match element.local_name().as_ref() {
            b"numFmt" => {
                let id = attribute(&element, b"numFmtId").and_then(|i| i.parse().ok());
                let code = attribute(&element, b"formatCode").unwrap_or_default();
                if let Some(id) = id.filter(|_| is_percent_code(&code)) {
                    percent_formats.insert(id);
                }
            }
            b"cellXfs" => in_cell_xfs = !empty,
            b"xf" if in_cell_xfs => {
                let format = attribute(&element, b"numFmtId").and_then(|i| i.parse().ok());
                if format.is_some_and(|f| percent_formats.contains(&f)) {
                    styles.insert(position);
                }
                position += 1;
            }
            _ => {}
        }
    }
    styles
}

/// Relationship id → target, from the workbook's relationships.
fn relationships(xml: &str) -> HashMap<String, String> {
    let mut targets = HashMap::new();
    elements(xml, |e, _| {
        if e.local_name().as_ref() == b"Relationship" {
            if let (Some(id), Some(target)) = (attribute(e, b"Id"), attribute(e, b"Target")) {
                targets.insert(id, target);
            }
        }
    });
    targets
}

/// Sheet name → relationship id, from the workbook.
fn sheet_ids(xml: &str) -> Vec<(String, String)> {
    let mut sheets = Vec::new();
    elements(xml, |e, _| {
        if e.local_name().as_ref() == b"sheet" {
            if let (Some(name), Some(id)) = (attribute(e, b"name"), attribute(e, b"id")) {
                sheets.push((name, id));
            }
        }
    });
    sheets
}

/// The cells of a sheet whose style is one of `styles`.
fn styled_cells(xml: &str, styles: &HashSet<usize>) -> HashSet<(u32, u32)> {
    let mut cells = HashSet::new();
    elements(xml, |e, _| {
        if e.local_name().as_ref() != b"c" {
            return;
        }
        let style = attribute(e, b"s").and_then(|s| s.parse::<usize>().ok());
        if !style.is_some_and(|s| styles.contains(&s)) {
            return;
        }
        if let Some(position) = attribute(e, b"r").and_then(|r| cell_position(&r)) {
            cells.insert(position);
        }
    });
    cells
}

/// `B12` → (11, 1), within Excel's limits (XFD, 1,048,576).
fn cell_position(reference: &str) -> Option<(u32, u32)> {
    let split = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(split);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut column = 0u32;
    for c in letters.chars() {
        if !c.is_ascii_uppercase() {
            return None;
        }
        column = column * 26 + (c as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok()?;
    if column > 16_384 || row == 0 || row > 1_048_576 {
        return None;
    }
    Some((row - 1, column - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_codes() {
        assert!(is_percent_code("0.0%"));
        assert!(is_percent_code("0%;[Red]-0%"));
        assert!(!is_percent_code("0.0\"%\""));
        assert!(!is_percent_code("0.0\\%"));
        assert!(!is_percent_code("[$%-409]0.0"));
        assert!(!is_percent_code("dd/mm/yyyy"));
    }

    #[test]
    fn cell_references() {
        assert_eq!(cell_position("A1"), Some((0, 0)));
        assert_eq!(cell_position("B12"), Some((11, 1)));
        assert_eq!(cell_position("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_position("XFE1"), None);
        assert_eq!(cell_position("ZZZZZZZZZZZZ2"), None);
        assert_eq!(cell_position("A0"), None);
    }
}
