"""Rewrite the figure tables of annotations/README.md (the data card) from the gold files.

    python scripts/update_data_card.py

The prose of the card is left alone; only the blocks between the ``<!-- figures -->`` markers
are regenerated, so the card never drifts from `python -m pipeline stats`.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pipeline.corpus import load_documents
from pipeline.stats import corpus_stats

ROOT = Path(__file__).resolve().parent.parent
CARD = ROOT / "annotations" / "README.md"
LABELS = ("MONEY", "PERCENT", "INDICATOR", "PROJECT")
ROLES = ("target", "actual", "change", "other")


def tables() -> str:
    docs = load_documents(ROOT / "annotations")
    stats = corpus_stats(docs, segmenters=())
    meta = {d.id: d.meta for d in docs}
    out = ["| id | origin | sector | department | year | kind | layout | chars | M | P | I | Pr | r:ind | r:proj |",
           "| --- | --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in stats["documents"]:
        m = meta[row["id"]]
        out.append(f"| `{row['id']}` | {row['origin']} | {m.get('sector', '')} | {m.get('department', '')} | "
                   f"{m.get('fiscal_year', '')} | {m.get('report_kind', '')} | {m.get('layout', '')} | {row['chars']:,} | "
                   + " | ".join(str(row["spans"][lab]) for lab in LABELS)
                   + f" | {row['relations']['indicator']} | {row['relations']['project']} |")
    out += ["", "### Totals", "",
            "| group | docs | chars | MONEY | PERCENT | INDICATOR | PROJECT | spans | r:indicator | r:project | relations |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for group, t in stats["totals"].items():
        spans, rels = t["spans"], t["relations"]
        out.append(f"| {group} | {t['documents']} | {t['chars']:,} | " + " | ".join(f"{spans[lab]:,}" for lab in LABELS)
                   + f" | {sum(spans.values()):,} | {rels['indicator']:,} | {rels['project']:,} | "
                   f"{sum(rels.values()):,} |")
    out += ["", "### Value roles", "", "| origin | label | target | actual | change | other | total |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for origin in ("real", "authored"):
        for label in ("MONEY", "PERCENT"):
            c = Counter(s.role for d in docs if d.meta.get("origin") == origin for s in d.spans if s.label == label)
            out.append(f"| {origin} | {label} | " + " | ".join(str(c[r]) for r in ROLES) + f" | {sum(c.values())} |")
    return "\n".join(out)


def main() -> int:
    card = CARD.read_text(encoding="utf-8")
    block = f"<!-- figures -->\n{tables()}\n<!-- /figures -->"
    card, n = re.subn(r"<!-- figures -->.*?<!-- /figures -->", lambda _: block, card, flags=re.S)
    if n != 1:
        raise SystemExit(f"{CARD}: needs one <!-- figures --> … <!-- /figures --> block")
    CARD.write_text(card, encoding="utf-8")
    print(f"updated {CARD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
