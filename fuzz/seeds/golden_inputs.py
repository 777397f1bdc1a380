"""Writes seed inputs for the input fuzz targets from the golden vectors and the samples.

Run from the repository root: python3 fuzz/seeds/golden_inputs.py OUT_DIR
Writes OUT_DIR/input_csv (wide CSV per golden file), OUT_DIR/input_long_json (long CSV and JSON
per golden file, and the samples in the long layout).
"""

import csv
import io
import json
import pathlib
import sys
import tomllib

root = pathlib.Path(".")
out = pathlib.Path(sys.argv[1])
(out / "input_csv").mkdir(parents=True, exist_ok=True)
(out / "input_long_json").mkdir(parents=True, exist_ok=True)


def text(value):
    if isinstance(value, bool):
        return "có" if value else "không"
    return str(value)


def write_csv(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


for path in sorted(root.glob("tests/golden/*/*/*/units.toml")):
    name = "-".join(path.parent.relative_to(root / "tests/golden").parts)
    units = tomllib.loads(path.read_text(encoding="utf-8"))["unit"]
    # Wide: one row per unit at its first stage, attributes as columns.
    codes = sorted({c for u in units for c in u.get("values", {})})
    attributes = sorted({a for u in units for a in u.get("attributes", {})})
    rows = [["unit", *attributes, *codes]]
    for u in units:
        a = u.get("attributes", {})
        v = u.get("values", {})
        rows.append([u["id"], *(text(a[k]) if k in a else "" for k in attributes),
                     *(text(v[c]) if c in v else "" for c in codes)])
    (out / "input_csv" / f"golden-{name}.csv").write_text(write_csv(rows), encoding="utf-8")
    # Long: unit, code, value, stage, evidence, note; attributes as codes.
    rows = [["unit", "code", "value", "stage", "evidence", "note"]]
    for u in units:
        for k, value in u.get("attributes", {}).items():
            rows.append([u["id"], k, text(value), "", "", ""])
        for c, value in u.get("values", {}).items():
            rows.append([u["id"], c, text(value), "", "yes", ""])
        for stage, values in u.get("stages", {}).items():
            for c, value in values.items():
                rows.append([u["id"], c, text(value), stage, "", "golden"])
    (out / "input_long_json" / f"golden-{name}-long.csv").write_text(write_csv(rows), encoding="utf-8")
    # JSON: the object form with the set id, and the bare array form.
    set_id = "/".join(path.parent.relative_to(root / "tests/golden").parts)
    document = []
    for u in units:
        entry = {"unit": u["id"], "values": u.get("values", {})}
        if u.get("attributes"):
            entry["attributes"] = u["attributes"]
        if u.get("stages"):
            entry["stages"] = u["stages"]
        entry["evidence"] = {c: True for c in list(u.get("values", {}))[:3]}
        document.append(entry)
    (out / "input_long_json" / f"golden-{name}.json").write_text(
        json.dumps({"set": set_id, "units": document}, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "input_long_json" / f"golden-{name}-array.json").write_text(
        json.dumps(document[:3], ensure_ascii=False), encoding="utf-8")

for path in sorted(root.glob("criteria/samples/*.csv")):
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [["unit", "code", "value", "stage", "evidence", "note"]]
        for record in list(reader)[:6]:
            for code, value in zip(header[2:], record[2:]):
                if value:
                    rows.append([record[0], code, value, "self", "", ""])
    (out / "input_long_json" / f"sample-{path.stem}-long.csv").write_text(write_csv(rows), encoding="utf-8")
