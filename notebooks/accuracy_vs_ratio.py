#!/usr/bin/env python3
"""Accuracy vs compression ratio from nnzip's --json outputs: a table and an SVG plot in one HTML page.

Usage: notebooks/accuracy_vs_ratio.py DIR [--out report.html]

DIR holds, per architecture A, `A-train.json` (nnzip train --json) and, per recipe R,
`A-R-ft.json` (nnzip compress --json with finetune.epochs > 0: ratio, test accuracy before and after
finetuning). /tmp/fig/run.sh-style layouts work as they are. Standard library only.
"""
import glob, html, json, math, os, sys


def load(path):
    text = open(path).read()
    start = text.find("{\n")  # tolerate stray log lines before the JSON
    return json.loads(text[start:]) if start >= 0 else None


def rows(directory):
    out = []
    for path in sorted(glob.glob(os.path.join(directory, "*-ft.json"))):
        name = os.path.basename(path)[:-len("-ft.json")]
        d = load(path)
        if not d or "finetune" not in d:
            continue
        arch = next((a for a in ("mlp-300-100", "lenet5", "vgg-small", "resnet20") if name.startswith(a + "-")), "?")
        base = load(os.path.join(directory, arch + "-train.json")) if arch != "?" else None
        out.append(dict(arch=arch, recipe=name[len(arch) + 1:], ratio=d["ratio"],
                        before=d["finetune"]["testAccuracyBefore"], after=d["finetune"]["testAccuracyAfter"],
                        base=d["finetune"].get("testAccuracyOriginal", base["testAccuracy"] if base else None)))
    return out


def svg(data, w=640, h=400, pad=50):
    if not data:
        return "<p>no data</p>"
    xs = [math.log10(r["ratio"]) for r in data]
    ys = [100 * v for r in data for v in (r["before"], r["after"])]
    x0, x1 = min(xs) - 0.05, max(xs) + 0.05
    y0, y1 = min(ys) - 1, max(ys) + 1
    px = lambda x: pad + (x - x0) / (x1 - x0) * (w - 2 * pad)
    py = lambda y: h - pad - (y - y0) / (y1 - y0) * (h - 2 * pad)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-size="11">',
             f'<rect x="{pad}" y="{pad}" width="{w-2*pad}" height="{h-2*pad}" fill="none" stroke="#999"/>',
             f'<text x="{w/2}" y="{h-10}" text-anchor="middle">compression ratio (log scale)</text>',
             f'<text x="12" y="{h/2}" transform="rotate(-90 12 {h/2})" text-anchor="middle">test accuracy %</text>']
    for r in data:
        x = px(math.log10(r["ratio"]))
        yb, ya = py(100 * r["before"]), py(100 * r["after"])
        parts.append(f'<line x1="{x}" y1="{yb}" x2="{x}" y2="{ya}" stroke="#bbb"/>')
        parts.append(f'<circle cx="{x}" cy="{yb}" r="4" fill="#d62728"><title>{html.escape(r["arch"] + " " + r["recipe"])} before</title></circle>')
        parts.append(f'<circle cx="{x}" cy="{ya}" r="4" fill="#1f77b4"><title>{html.escape(r["arch"] + " " + r["recipe"])} after</title></circle>')
        parts.append(f'<text x="{x+6}" y="{ya-4}">{html.escape(r["recipe"])} ({r["ratio"]:.1f}x)</text>')
    for r in {r["arch"]: r for r in data if r["base"]}.values():
        y = py(100 * r["base"])
        parts.append(f'<line x1="{pad}" y1="{y}" x2="{w-pad}" y2="{y}" stroke="#2ca02c" stroke-dasharray="4"/>')
        parts.append(f'<text x="{w-pad-4}" y="{y-4}" text-anchor="end">{html.escape(r["arch"])} fp32</text>')
    parts.append(f'<text x="{pad+4}" y="{pad+14}" fill="#d62728">● before finetune</text>')
    parts.append(f'<text x="{pad+110}" y="{pad+14}" fill="#1f77b4">● after finetune</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    out = args[args.index("--out") + 1] if "--out" in args else "report.html"
    data = rows(args[0])
    table = ["<table border=1 cellpadding=4><tr><th>model</th><th>recipe</th><th>ratio</th><th>fp32</th>"
             "<th>before finetune</th><th>after finetune</th></tr>"]
    for r in data:
        base = f'{100*r["base"]:.2f}%' if r["base"] else "-"
        table.append(f'<tr><td>{r["arch"]}</td><td>{r["recipe"]}</td><td>{r["ratio"]:.2f}x</td><td>{base}</td>'
                     f'<td>{100*r["before"]:.2f}%</td><td>{100*r["after"]:.2f}%</td></tr>')
    table.append("</table>")
    page = ("<!doctype html><meta charset=utf-8><title>nnzip: accuracy vs ratio</title>"
            "<h1>Accuracy vs compression ratio (Fashion-MNIST test set)</h1>" + svg(data) + "\n".join(table))
    open(out, "w").write(page)
    for r in data:
        print(f'{r["arch"]:12} {r["recipe"]:12} {r["ratio"]:7.2f}x  {100*r["before"]:6.2f}% -> {100*r["after"]:6.2f}%')
    print("wrote", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
