#!/usr/bin/env python3
"""Writes a wide CSV of synthetic units for timing `parindex score`.

    python3 benches/make_units.py 10000 > /tmp/units-10k.csv
    parindex score binh-thuan-police/division-procedures/2024 /tmp/units-10k.csv -o /tmp/out.json

A second argument numbers the units from there, so that files made apart can be scored together
(a million units in 20 files of 50,000: `make_units.py 50000 950000` makes the last).

The columns are those of criteria/samples/binh-thuan-police-division-procedures-2024.csv (the
set binh-thuan-police/division-procedures/2024, 92 leaves); each unit's value for a leaf is
drawn, with a fixed seed, from the values the sample batch gives for that leaf, so every value
is one the set accepts. Plain python3, no dependencies. The figures are invented.
"""

import csv
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "criteria", "samples",
                      "binh-thuan-police-division-procedures-2024.csv")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    rng = random.Random(2024 + first)
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, sample = rows[0], rows[1:]
    leaves = header[2:]
    choices = [[row[2 + i] for row in sample] for i in range(len(leaves))]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(header)
    for n in range(first, first + count):
        values = [rng.choice(options) for options in choices]
        out.writerow([f"U{n:05d}", f"Đơn vị thử nghiệm {n}", *values])


if __name__ == "__main__":
    main()
