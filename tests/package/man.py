#!/usr/bin/env python3
"""reachmap(1) as a user reads it: groff and man render it without a
warning; its DESCRIPTION says word for word what `reachmap --help` says,
and it has a section per command of that help saying word for word what
`reachmap CMD --help` says; the synopsis has every usage line; every
environment variable a help text names in brackets is under ENVIRONMENT.

usage: man.py REACHMAP PAGE_DIR   (PAGE_DIR holds reachmap.1 and .1.gz)
"""
import gzip
import os
import re
import shutil
import subprocess
import sys

bin_, pagedir = sys.argv[1], sys.argv[2]
page = os.path.join(pagedir, "reachmap.1")
fails = []


def check(ok, what, detail=""):
    print("ok   " + what if ok else "FAIL " + what + (": " + detail if detail else ""))
    if not ok:
        fails.append(what)


def run(*argv, env=None):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)


def words(text):
    return text.split()


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "word %d: man has %r, help has %r (...%s...)" % (
                i, x, y, " ".join(b[max(0, i - 6):i + 3]))
    return "man has %d words, help %d" % (len(a), len(b))


if shutil.which("groff") is None:
    print("SKIP: groff is not installed (apt-get install groff-base)")
    sys.exit(77)

# Rendered by groff itself with every warning on, and by man-db.
g = run("groff", "-man", "-Tutf8", "-ww", "-P-cbou", page)
check(g.returncode == 0 and g.stderr == "", "groff -man -Tutf8 -ww renders without a warning",
      g.stderr.strip())
text = g.stdout
with open(page, "rb") as f, gzip.open(page + ".gz") as z:
    check(f.read() == z.read(), "reachmap.1.gz is reachmap.1 gzipped")
if shutil.which("man"):
    env = dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat", LANG="C.UTF-8")
    m = run("man", "--warnings=w", "-l", page + ".gz", env=env)
    check(m.returncode == 0 and m.stderr == "" and "reachmap plan" in m.stdout,
          "man -l reachmap.1.gz renders without a warning", m.stderr.strip())
else:
    print("note: man-db is not installed; man -l not tried")

# The page's sections: a heading starts in column 0.
sections, name = {}, None
for ln in text.split("\n")[1:]:
    if ln and not ln[0].isspace() and not ln.startswith("reachmap 0") and "REACHMAP(1)" not in ln:
        name = ln.strip()
        sections[name] = []
    elif name and "REACHMAP(1)" not in ln:
        sections[name].append(ln)
sections = {k: "\n".join(v) for k, v in sections.items()}

top = run(bin_, "--help").stdout
commands = re.findall(r"^  ([a-z][a-z0-9-]*) ", top.split("commands:\n")[1].split("\n\n")[0],
                      re.M)
check(len(commands) >= 8, "reachmap --help lists the commands", str(commands))
want = ["NAME", "SYNOPSIS", "DESCRIPTION"] + ["reachmap " + c for c in commands]
got = [s for s in sections if s not in ("ENVIRONMENT", "FILES")]
check(got == want, "a section per command of reachmap --help, in its order",
      "got %s" % got)

# The top help without its usage line (the synopsis has it).
top_body = top.split("\n\n", 1)[1]
a, b = words(sections.get("DESCRIPTION", "")), words(top_body)
check(a == b, "DESCRIPTION is reachmap --help word for word", first_difference(a, b))

synopsis = " ".join(words(sections.get("SYNOPSIS", "")))
usage_forms = [re.sub(r"^usage: ", "", top.split("\n")[0])]
envs = set()
for c in commands:
    h = run(bin_, c, "--help")
    check(h.returncode == 0, "reachmap %s --help exits 0" % c)
    a, b = words(sections.get("reachmap " + c, "")), words(h.stdout)
    check(a == b, "section 'reachmap %s' is reachmap %s --help word for word" % (c, c),
          first_difference(a, b))
    usage = h.stdout.split("\n\n")[0]
    for form in re.split(r"\n(?=usage: |       reachmap )", usage):
        usage_forms.append(" ".join(words(re.sub(r"^usage: ", "", form))))
    envs |= set(re.findall(r"\[([A-Z][A-Z0-9_]+)[],=]", h.stdout))
for form in usage_forms:
    check(form in synopsis, "SYNOPSIS has '%s'" % form[:60])
env_section = sections.get("ENVIRONMENT", "")
for var in sorted(envs):
    check(re.search(r"^\s+%s\b" % var, env_section, re.M) is not None,
          "ENVIRONMENT has %s" % var)
check(len(envs) >= 5, "the help texts name their environment variables", str(envs))
files = sections.get("FILES", "")
for p in ("/share/reachmap/schema", "/share/reachmap/examples", "/share/doc/reachmap/README.md"):
    check(p in files, "FILES names %s" % p)

print("%d failed" % len(fails) if fails else "all passed")
sys.exit(1 if fails else 0)
