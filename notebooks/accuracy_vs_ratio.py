#!/usr/bin/env python3
"""Accuracy vs compression ratio from nnzip's outputs: a table and an SVG plot in one HTML page.

Usage: notebooks/accuracy_vs_ratio.py INPUT... [--out report.html]

Each INPUT is a zoo history file (DIR/_history.jsonl of `nnzip zoo`: one JSON object a line with name,
status ok|skipped|failed, reason, sourceDigest, recipeDigest, version, bytes, ratio, accuracy, seconds),
a `nnzip compress --json` output (its ratio, and test accuracies when it finetuned), or a folder holding
either (its _history.jsonl and *.json files). Titles come from the data. With nothing to report the
script says so on stderr and exits 1 without writing a page; a line it cannot read exits 3 naming it.
Standard library only.
"""
import glob, html, json, math, os, sys


class BadInput(Exception):
    pass


def model_name(output):
    base = os.path.basename(str(output).rstrip("/"))
    for suffix in (".nnz.safetensors", ".safetensors", ".nnz"):
        if base.endswith(suffix):
            return base[:-len(suffix)]
    return base


def history_rows(path):
    rows, runs = [], {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except ValueError as e:
                raise BadInput(f"{path}:{number}: not JSON ({str(e)[:100]})")
            if not isinstance(d, dict) or not isinstance(d.get("name"), str) or "status" not in d:
                raise BadInput(f"{path}:{number}: a history line needs name and status")
            runs[d["name"]] = runs.get(d["name"], 0) + 1  # lines are appended run after run
            rows.append(dict(model=d["name"], run=runs[d["name"]], status=d["status"], reason=d.get("reason"),
                             ratio=d.get("ratio"), accuracy=d.get("accuracy"), before=None, original=None,
                             bytes=d.get("bytes"), seconds=d.get("seconds"), version=d.get("version"),
                             source=path))
    return rows


def compress_row(path):
    text = open(path).read()
    start = text.find("{\n")  # tolerate stray log lines before the pretty-printed JSON
    try:
        d = json.loads(text[start:]) if start >= 0 else None
    except ValueError as e:
        raise BadInput(f"{path}: not JSON ({str(e)[:100]})")
    if not isinstance(d, dict) or "ratio" not in d or "output" not in d:
        return None  # another report (e.g. train --json): not a compress output
    ft = d.get("finetune") or {}
    return dict(model=model_name(d["output"]), run=1, status="ok", reason=None, ratio=d["ratio"],
                accuracy=ft.get("testAccuracyAfter"), before=ft.get("testAccuracyBefore"),
                original=ft.get("testAccuracyOriginal"), bytes=d.get("artifactBytes"), seconds=d.get("seconds"),
                version=(d.get("provenance") or {}).get("nnzipVersion"), source=path)


def load(inputs):
    rows = []
    for item in inputs:
        if os.path.isdir(item):
            files = sorted(glob.glob(os.path.join(item, "*.jsonl")) + glob.glob(os.path.join(item, "*.json")))
        elif os.path.isfile(item):
            files = [item]
        else:
            raise BadInput(f"{item}: no such file or folder")
        for f in files:
            if f.endswith(".jsonl"):
                rows += history_rows(f)
            else:
                row = compress_row(f)
                if row:
                    rows.append(row)
    return rows


def pct(v):
    return "-" if v is None else f"{100 * v:.2f}%"


def svg(points, w=640, h=400, pad=50):
    """Accuracy (y) against ratio (x, log scale): one circle per run with both, and its label."""
    xs = [math.log10(r["ratio"]) for r in points]
    ys = [100 * v for r in points for v in (r["accuracy"], r["before"]) if v is not None]
    x0, x1 = min(xs) - 0.05, max(xs) + 0.05
    y0, y1 = min(ys) - 1, max(ys) + 1
    px = lambda x: pad + (x - x0) / (x1 - x0) * (w - 2 * pad)
    py = lambda y: h - pad - (y - y0) / (y1 - y0) * (h - 2 * pad)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-size="11">',
             f'<rect x="{pad}" y="{pad}" width="{w-2*pad}" height="{h-2*pad}" fill="none" stroke="#999"/>',
             f'<text x="{w/2}" y="{h-10}" text-anchor="middle">compression ratio (log scale)</text>',
             f'<text x="12" y="{h/2}" transform="rotate(-90 12 {h/2})" text-anchor="middle">test accuracy %</text>']
    for r in points:
        x, label = px(math.log10(r["ratio"])), html.escape(f'{r["model"]} run {r["run"]}')
        ya = py(100 * r["accuracy"])
        if r["before"] is not None:
            yb = py(100 * r["before"])
            parts.append(f'<line x1="{x}" y1="{yb}" x2="{x}" y2="{ya}" stroke="#bbb"/>')
            parts.append(f'<circle class="before" cx="{x}" cy="{yb}" r="4" fill="#d62728"><title>{label} before finetune</title></circle>')
        parts.append(f'<circle class="point" cx="{x}" cy="{ya}" r="4" fill="#1f77b4"><title>{label}</title></circle>')
        parts.append(f'<text x="{x+6}" y="{ya-4}">{html.escape(r["model"])} ({r["ratio"]:.1f}x)</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def page(rows, inputs):
    models = sorted({r["model"] for r in rows})
    runs = max(r["run"] for r in rows)
    failed = [r for r in rows if r["status"] == "failed"]
    title = (f'nnzip: {len(models)} model{"s" * (len(models) != 1)} ({", ".join(models[:6])}'
             f'{", ..." if len(models) > 6 else ""}), {runs} run{"s" * (runs != 1)}, {len(failed)} failed')
    points = [r for r in rows if r["status"] != "failed" and r["ratio"] and r["accuracy"] is not None]
    if points:
        plot = "<h2>Accuracy vs compression ratio</h2>" + svg(points)
    else:
        plot = (f'<p class="no-plot"><b>No accuracy to plot:</b> none of the {len(rows)} rows has both a ratio and '
                f'a test accuracy (a zoo model needs <code>data</code> for its accuracy).</p>')
    table = ["<table border=1 cellpadding=4><tr><th>model</th><th>run</th><th>status</th><th>ratio</th>"
             "<th>accuracy</th><th>before finetune</th><th>original</th><th>bytes</th><th>seconds</th>"
             "<th>reason</th></tr>"]
    for r in rows:
        ratio = f'{r["ratio"]:.2f}x' if r["ratio"] else "-"
        table.append(f'<tr class="{html.escape(str(r["status"]))}"><td>{html.escape(r["model"])}</td><td>{r["run"]}</td>'
                     f'<td>{html.escape(str(r["status"]))}</td><td>{ratio}</td><td>{pct(r["accuracy"])}</td>'
                     f'<td>{pct(r["before"])}</td><td>{pct(r["original"])}</td><td>{r["bytes"] if r["bytes"] is not None else "-"}</td>'
                     f'<td>{r["seconds"] if r["seconds"] is not None else "-"}</td><td>{html.escape(r["reason"] or "")}</td></tr>')
    table.append("</table>")
    sources = ", ".join(html.escape(i) for i in inputs)
    return (f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
            f"<p>From {sources}.</p>" + plot + "\n".join(table))


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    out = "report.html"
    if "--out" in args:
        i = args.index("--out")
        if i + 1 >= len(args):
            print("accuracy_vs_ratio: --out needs a file name", file=sys.stderr)
            return 2
        out = args[i + 1]
        del args[i:i + 2]
    try:
        rows = load(args)
    except (BadInput, OSError) as e:
        print(f"accuracy_vs_ratio: {e}", file=sys.stderr)
        return 3
    if not rows:
        print(f"accuracy_vs_ratio: NO DATA: {', '.join(args)} hold no zoo history lines and no compress --json "
              "reports; no page written", file=sys.stderr)
        return 1
    with open(out, "w") as f:
        f.write(page(rows, args))
    for r in rows:
        ratio = f'{r["ratio"]:7.2f}x' if r["ratio"] else "      -"
        print(f'{r["model"]:16} run {r["run"]:<3} {r["status"]:8} {ratio}  {pct(r["accuracy"]):>7}  {r["reason"] or ""}')
    print("wrote", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
