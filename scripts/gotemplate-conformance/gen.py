# Writes test/agent/gotemplate/conformance.json from the row lists beside this file.
# Run: python3 scripts/gotemplate-conformance/gen.py
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
out = []
for mod in ("rows_lang", "rows_consul"):
    try:
        m = __import__(mod)
    except ModuleNotFoundError:
        continue
    for row in m.rows:
        row.setdefault("source", getattr(m, "SOURCE", "go"))
        out.append(row)
dest = os.path.join(here, "..", "..", "test", "agent", "gotemplate", "conformance.json")
with open(dest, "w") as f:
    json.dump({"about": "Template conformance rows: template, data (JSON text, parsed with lossless-json) or js (plain values), options, and the expected output or error text. source: go = Go's text/template behaviour; consul-template = its documented functions; go1.22+/go1.23+ = later Go features.", "rows": out}, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(len(out), "rows")
