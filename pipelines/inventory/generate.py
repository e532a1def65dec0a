#!/usr/bin/env python3
"""Writes a large inventory CSV for the pipeline: `generate.py ROWS [STORES] > big.csv`.
Every 50th row has a count of 0 (an alert each); store and item names are unique per row."""
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
stores = int(sys.argv[2]) if len(sys.argv) > 2 else 20
rng = random.Random(rows)
out = sys.stdout
out.write("store,item,count\n")
for i in range(rows):
    count = 0 if i % 50 == 49 else rng.randint(1, 500)
    out.write(f"Store {i % stores:03},Item {i:06},{count}\n")
