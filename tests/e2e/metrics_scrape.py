#!/usr/bin/env python3
"""Scrape a Prometheus text endpoint for the e2e tests:
metrics_scrape.py URL [METHOD]. Prints one JSON object: "status" (HTTP),
"bad" (lines that are not valid exposition lines, or samples before their
family's TYPE), "types" {family: type}, "samples" {"name{labels}": value}."""
import json, re, sys, urllib.error, urllib.request

url = sys.argv[1]
method = sys.argv[2] if len(sys.argv) > 2 else 'GET'
out = {'status': 0, 'bad': [], 'types': {}, 'samples': {}}
try:
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as r:
        out['status'] = r.status
        out['content_type'] = r.headers.get('Content-Type', '')
        text = r.read().decode()
except urllib.error.HTTPError as e:
    out['status'] = e.code
    text = ''
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{' + LABEL + r'(?:,' + LABEL + r')*\})? '
                    r'(-?[0-9.]+(?:e[+-]?[0-9]+)?|[+-]Inf|NaN)$')
HELP = re.compile(r'^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$')
TYPE = re.compile(r'^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$')
if text and not text.endswith('\n'):
    out['bad'].append('no final newline')
for line in text.splitlines():
    if HELP.match(line):
        continue
    m = TYPE.match(line)
    if m:
        out['types'][m.group(1)] = m.group(2)
        continue
    m = SAMPLE.match(line)
    if not m:
        out['bad'].append(line)
        continue
    name = m.group(1)
    fam = re.sub(r'_(bucket|sum|count)$', '', name)
    if name not in out['types'] and not (fam in out['types'] and out['types'][fam] == 'histogram'):
        out['bad'].append('before its TYPE: ' + line)
    out['samples'][name + (m.group(2) or '')] = float(m.group(3))
print(json.dumps(out))
