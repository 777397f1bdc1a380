"""Plain-Python baseline for the scoring benchmark.

What a user would otherwise write: read the criteria file with tomllib, hold each unit's inputs
already interpreted (as the Rust benchmark's batch does), and score with decimal.Decimal:
leaves, sums up the tree, index, rank and band. Same set, same number of units and leaves, same
kinds of input as benches/score.rs.

    python3 benches/baseline_score.py [units]
"""

from __future__ import annotations

import re
import sys
import time
import tomllib
from decimal import Decimal
from pathlib import Path

SET = Path(__file__).resolve().parent.parent / "criteria/2024/binh-thuan-police-division-procedures.toml"
CONDITION = re.compile(r"^\s*(?:(?P<lo>[\d.]+)\s*(?P<lop><=|<)\s*)?x\s*(?:(?P<op><=|>=|<|>|=)\s*(?P<hi>[\d.]+))?\s*$")


def parse_condition(text: str):
    m = CONDITION.match(text)
    lo = hi = None
    if m["lo"]:
        lo = (Decimal(m["lo"]), m["lop"] == "<=")
    if m["op"]:
        v = Decimal(m["hi"])
        if m["op"] in ("<=", "<"):
            hi = (v, m["op"] == "<=")
        elif m["op"] in (">=", ">"):
            lo = (v, m["op"] == ">=")
        else:
            lo = hi = (v, True)
    return lo, hi


def contains(cond, num: Decimal, den: Decimal) -> bool:
    # Exact: compare 100·num with bound·den.
    lo, hi = cond
    x = num * 100
    if lo and not (x > lo[0] * den or (lo[1] and x == lo[0] * den)):
        return False
    if hi and not (x < hi[0] * den or (hi[1] and x == hi[0] * den)):
        return False
    return True


class Lcg:
    def __init__(self, seed: int) -> None:
        self.state = seed

    def next(self) -> int:
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return self.state >> 33


def load():
    data = tomllib.loads(SET.read_text(encoding="utf-8"))
    nodes = data["node"]
    for node in nodes:
        node["max"] = Decimal(str(node["max"]))
        rule = node.get("rule")
        if rule is None:
            continue
        for level in rule.get("level", []):
            level["points"] = Decimal(str(level["points"]))
        for tier in rule.get("tier", []):
            tier["points"] = Decimal(str(tier["points"]))
            tier["cond"] = parse_condition(tier["when"])
        for key in ("yes", "no", "on_time", "late", "missing"):
            if key in rule:
                rule[key] = Decimal(str(rule[key]))
    return data, nodes


def synthetic_units(leaves, count: int):
    rng = Lcg(2024)
    units = []
    for _ in range(count):
        values = []
        for node in leaves:
            r = rng.next()
            kind = node["rule"]["kind"]
            if kind == "yes-no":
                values.append(r % 5 != 0)
            elif kind == "levels":
                values.append(r % len(node["rule"]["level"]))
            elif kind == "timeliness":
                values.append(r % 3)
            elif kind == "tiers" and node["rule"].get("measure") == "count":
                values.append((Decimal(r % 6), Decimal(1)))
            elif kind == "survey":
                values.append((Decimal(40 + r % 61), Decimal(100)))
            else:
                den = 10 + r % 40
                values.append((Decimal(den - (r >> 8) % (den // 2 + 1)), Decimal(den)))
        units.append(values)
    return units


def leaf_points(node, value) -> Decimal:
    rule = node["rule"]
    kind = rule["kind"]
    if kind == "yes-no":
        return rule.get("yes", node["max"]) if value else rule.get("no", Decimal(0))
    if kind == "levels":
        return rule["level"][value]["points"]
    if kind == "timeliness":
        return (rule["on_time"], rule["late"], rule.get("missing", Decimal(0)))[value]
    num, den = value
    if rule.get("measure") == "count":
        num, den = num, Decimal(100)  # a count compares as itself: 100·n/100 = n
    for tier in rule["tier"]:
        if contains(tier["cond"], num, den):
            return tier["points"]
    raise ValueError(f"{node['code']}: no tier matches")


def score(nodes, leaves, units, scale=Decimal(100)):
    children = {}
    for node in nodes:
        parent = node["code"].rsplit(".", 1)[0] if "." in node["code"] else None
        children.setdefault(parent, []).append(node["code"])
    by_code = {n["code"]: n for n in nodes}
    bottom_up = sorted((n["code"] for n in nodes if n["code"] in children), key=lambda c: -c.count("."))
    results = []
    for u, values in enumerate(units):
        points = {}
        for node, value in zip(leaves, values):
            points[node["code"]] = leaf_points(node, value)
        for code in bottom_up:
            points[code] = sum((points[c] for c in children[code]), Decimal(0))
        total = sum((points[a] for a in children[None]), Decimal(0))
        maximum = sum((by_code[a]["max"] for a in children[None]), Decimal(0))
        index = total * scale / maximum
        results.append([f"U{u:05}", total, index.quantize(Decimal("0.01")), points])
    results.sort(key=lambda r: (-r[2], r[0]))
    rank = 0
    for position, row in enumerate(results):
        if position == 0 or row[2] != results[position - 1][2]:
            rank = position + 1
        band = "A" if row[2] >= 90 else "B" if row[2] >= 80 else "C" if row[2] >= 70 else "D"
        row.extend([rank, band])
    return results


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    data, nodes = load()
    leaves = [n for n in nodes if "rule" in n]
    units = synthetic_units(leaves, count)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        score(nodes, leaves, units)
        timings.append(time.perf_counter() - start)
    best = min(timings)
    evaluations = count * len(leaves)
    print(f"plain Python, decimal.Decimal: {count} units × {len(leaves)} leaves")
    print(f"best of 5: {best * 1000:.1f} ms, {evaluations / best / 1e6:.3f} M leaf evaluations/s")


if __name__ == "__main__":
    main()
