#!/usr/bin/env python3
"""Compares a program's --help with its man page, for tests/dist/test_install.sh.

manpage_check.py options HELPFILE PAGE
    every --long and -x option of the help text appears in the page, and
    every --option the page defines (in a .TP tag) appears in the help text.
manpage_check.py verbs HELPFILE PAGE
    every verb of the help text (a line "  verb ...") is a .TP tag of the page.
manpage_check.py exit HELPFILE PAGE
    the exit codes of the help's "exit status:" line are the tags of the
    page's EXIT STATUS section, and nothing else.
manpage_check.py keys YAML PAGE
    every key of the YAML file (commented ones too) is named in the page.
Prints what is missing, one per line; exit 1 when anything is."""
import re, sys

what, src, page = sys.argv[1:4]
help_text = open(src).read()
roff = open(page).read()
# roff source to plain words: \- -> -, font escapes and quotes gone
plain = re.sub(r'\\f[BIRP]|\\fR|\\&|\\e', '', roff.replace('\\-', '-')).replace('"', ' ')
lines = plain.splitlines()
tags = [lines[i + 1] for i, l in enumerate(lines[:-1]) if l.strip() in ('.TP', '.TQ')]
missing = []


def words(text, pat):
    return sorted(set(re.findall(pat, text)))


LONG = r'(?<![\w-])(--[a-z][a-z0-9-]*[a-z0-9])'
SHORT = r'(?m)^\s+(-[a-zA-Z]),'
if what == 'options':
    for o in words(help_text, LONG) + words(help_text, SHORT):
        if not re.search(r'(?<![\w-])' + re.escape(o) + r'(?![\w-])', plain):
            missing.append('%s: %s is in --help, not in the page' % (page, o))
    for o in words('\n'.join(tags), LONG):
        if not re.search(r'(?<![\w-])' + re.escape(o) + r'(?![\w-])', help_text):
            missing.append('%s: %s is in the page, not in --help' % (page, o))
elif what == 'verbs':
    verbs = words(help_text, r'(?m)^  ([a-z]+)(?: |$)')
    tagwords = set(w for t in tags for w in re.findall(r'[a-z]+', t))
    for v in verbs:
        if v not in tagwords:
            missing.append('%s: verb %s is in --help, not a tag of the page' % (page, v))
elif what == 'exit':
    m = re.search(r'(?is)exit status:(.*?)(?:\n\n|\Z)', help_text)
    codes = set(re.findall(r'\b(\d+) [a-z]', m.group(1))) if m else set()
    sec = re.search(r'(?s)^\.SH EXIT STATUS\n(.*?)(?=^\.SH|\Z)', plain, re.M)
    if not sec:
        missing.append('%s: no EXIT STATUS section' % page)
    else:
        sl = sec.group(1).splitlines()
        got = set(re.sub(r'^\.B\s+', '', sl[i + 1]).strip()
                  for i, l in enumerate(sl[:-1]) if l.strip() == '.TP')
        if not codes:
            missing.append('%s: no "exit status:" line in --help' % src)
        elif codes != got:
            missing.append('%s: exit codes %s in --help, %s in the page'
                           % (page, sorted(codes), sorted(got)))
elif what == 'keys':
    keys = []
    for line in open(src):
        l = line.rstrip('\n')
        m = re.match(r'^\s*#\s*((- )?[a-z_]+:.*)$', l)
        if m:
            l = m.group(1)
        elif l.lstrip().startswith('#'):
            continue
        l = re.sub(r'\s#.*$', '', l)
        for k in re.findall(r'(?:^\s*|[{,]\s*|-\s+)([a-z_][a-z0-9_]*):(?=\s|$)', l):
            if k not in keys:
                keys.append(k)
    if len(keys) < 10:
        missing.append('%s: only %d keys found' % (src, len(keys)))
    for k in keys:
        if not re.search(r'(?<![\w-])' + re.escape(k) + r'(?![\w-])', plain):
            missing.append('%s: key %s of %s is not documented' % (page, k, src))
for m in missing:
    print(m)
if missing:
    print('fix: document it in man/%s (the source of the installed page)' % page.rsplit('/', 1)[-1])
sys.exit(1 if missing else 0)
