#!/usr/bin/env python3
"""The man page reachmap(1) and the bash and zsh completions, made from the
built binary's own help texts: `reachmap --help` names the commands, and
`reachmap CMD --help` of each one gives its usage, options and the values
the registries print (--format's renderers, the checks after "checks:").
Nothing here lists a command, an option or a value by hand, so a command
added to cli/main.c appears in all three by itself.

usage: helpdoc.py REACHMAP [--man FILE] [--man-gz FILE] [--bash FILE]
                  [--zsh FILE] [--date YYYY-MM-DD] [--file PATH=WHAT ...]

The help texts follow one layout (cli/*.c): "usage:" lines; paragraphs;
an "options...:" block of lines "  -x, --long ARG  text" whose text goes
on in lines indented further, a value table under a text ending in ":"
("  text   a verdict..."); "LABEL: a, b, c" lines. A help text this script
cannot read at all fails the build (exit 1) rather than yield a wrong
page; an option line it cannot read is a warning.
"""
import argparse
import gzip
import re
import subprocess
import sys

OPT_RE = re.compile(
    r"^ {1,6}(?:(-[A-Za-z0-9]), )?(--[a-z0-9][a-z0-9-]*)"
    r"(?: ([A-Z][A-Za-z0-9_:./=-]*(?:\.\.\.)?))?(?: +(.*))?$")
ROW_RE = re.compile(r"^ {8,}([a-z0-9][a-z0-9-]*) {2,}(\S.*)$")
CMD_RE = re.compile(r"^  ([a-z][a-z0-9-]*) +(\S.*)$")
LABEL_RE = re.compile(r"^([a-z][a-z ]{0,30}): (\S.*)$")
ENV_RE = re.compile(r"\[([A-Z][A-Z0-9_]+)(=[^],]*)?(?:, ([^]]*))?\]")
# Argument names whose values are files or directories.
FILE_ARGS = {"FILE", "F", "T", "OUT", "TOPOLOGY", "REPORT.json", "FILE..."}
DIR_ARGS = {"DIR"}


class HelpError(Exception):
    pass


class Option:
    def __init__(self, short, long, arg, text):
        self.short, self.long, self.arg = short, long, arg
        self.text = [text] if text else []
        self.rows = []  # (value, [text lines]) of a value table
        self.values = []  # what the argument can be, when the help says
        self.comma_list = False
        self.row_indent = 0

    def joined(self):
        return " ".join(self.text)

    def names(self):
        return [n for n in (self.long, self.short) if n]


class Help:
    """One help text, as blocks: ("usage", [lines]), ("options", header,
    [Option]), ("commands", header, [(name, summary)]), ("para", [lines])."""

    def __init__(self, text):
        self.text = text
        self.blocks = []
        self.options = []
        self.commands = []
        self.labels = {}
        self.usage = []
        for chunk in split_blocks(text):
            self.add(chunk)
        self.find_values()

    def add(self, lines):
        first = lines[0]
        if first.startswith("usage: "):
            self.usage = usage_forms(lines)
            self.blocks.append(("usage", lines))
        elif re.match(r"^options\b.*:$", first):
            opts = parse_options(lines[1:])
            self.options.extend(opts)
            self.blocks.append(("options", first, opts))
        elif first == "commands:":
            cmds = []
            for line in lines[1:]:
                m = CMD_RE.match(line)
                if not m:
                    raise HelpError("unreadable command line: %r" % line)
                cmds.append((m.group(1), m.group(2)))
            self.commands.extend(cmds)
            self.blocks.append(("commands", first, cmds))
        else:
            for line in lines:
                m = LABEL_RE.match(line)
                if m:
                    self.labels[m.group(1)] = m.group(2)
            self.blocks.append(("para", lines))

    def find_values(self):
        for o in self.options:
            if not o.arg:
                continue
            if o.rows:
                o.values = [v for v, _ in o.rows]
            else:
                o.values = enumeration(o.joined()) or []
            # "checks: icmp, tcp, ..." gives --checks its values.
            listed = self.labels.get(o.long[2:])
            if listed and not o.values:
                o.values = [v.strip() for v in listed.split(",")]
                o.comma_list = "comma-separated" in o.joined()

    def positional(self):
        """The usage's bare arguments (TOPOLOGY, FILE..., REPORT.json)."""
        args = {o.long: o.arg for o in self.options}
        args.update({o.short: o.arg for o in self.options if o.short})
        found = []
        for form in self.usage:
            words = re.findall(r"[^\s\[\]]+", form)[2:]
            skip = False
            for w in words:
                if skip:
                    skip = False
                elif w.startswith("-"):
                    skip = bool(args.get(w))
                elif w not in ("options", "...") and not w.startswith("-") and w[0].isupper():
                    found.append(w)
        return found


def split_blocks(text):
    blocks, cur = [], []
    for line in text.rstrip("\n").split("\n"):
        if line.strip():
            cur.append(line.rstrip())
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks


def usage_forms(lines):
    """The usage's forms, each joined from its wrapped lines."""
    forms = []
    for line in lines:
        s = line[len("usage: "):] if line.startswith("usage: ") else line.strip()
        if s.startswith("reachmap ") or not forms:
            forms.append(s)
        else:
            forms[-1] += " " + s
    return forms


def parse_options(lines):
    opts = []
    for line in lines:
        m = OPT_RE.match(line)
        if m:
            opts.append(Option(m.group(1), m.group(2), m.group(3), m.group(4)))
            continue
        if not opts:
            raise HelpError("an options block that starts with %r" % line)
        if not line.startswith("        "):
            # Kept, as text of the option before, so that the page still
            # says all the help says; the completions miss it (the
            # package.*-completion tests say which).
            print("helpdoc: warning: not an option line: %r" % line, file=sys.stderr)
        o = opts[-1]
        r = ROW_RE.match(line)
        if r and ((o.text and o.text[-1].endswith(":")) or o.rows) and not (
                o.rows and len(line) - len(line.lstrip()) > o.row_indent):
            o.rows.append((r.group(1), [r.group(2)]))
            o.row_indent = len(line) - len(line.lstrip())
        elif o.rows:
            o.rows[-1][1].append(line.strip())
        else:
            o.text.append(line.strip())
    return opts


WORD_RE = re.compile(r"[a-z][a-z0-9-]*")


def skip_aside(text, i):
    """i past a " (...)" at i, nested parentheses included; -1 when they
    do not close."""
    if not text.startswith(" (", i):
        return i
    depth, i = 0, i + 1
    while i < len(text):
        c, i = text[i], i + 1
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def enumeration(text):
    """The words of "a (x), b or c (y)" at the start of an option's text,
    as help texts offer a choice; None when the text does not start so."""
    i, vals = 0, []
    while True:
        m = WORD_RE.match(text, i)
        if not m:
            return None
        vals.append(m.group(0))
        i = skip_aside(text, m.end())
        if i < 0:
            return None
        if text.startswith(", ", i):
            i += 2
        elif text.startswith(" or ", i):
            m = WORD_RE.match(text, i + 4)
            if not m:
                return None
            vals.append(m.group(0))
            i = skip_aside(text, m.end())
            if i == len(text) or (i > 0 and text[i] in ":;."):
                return vals
            return None
        else:
            return None


def run_help(binary, *args):
    p = subprocess.run([binary, *args, "--help"], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise HelpError("%s %s --help exited %d: %s" % (binary, " ".join(args), p.returncode,
                                                        p.stderr.strip()))
    return p.stdout


# ---- the man page ------------------------------------------------------

def esc(s):
    """Text for roff: backslashes, minus signs (copyable options), quotes
    that stay ASCII; a line never starts with a control character."""
    s = s.replace("\\", "\\e").replace("-", "\\-").replace("'", "\\(aq").replace("`", "\\(ga")
    return s


def line(s):
    return "\\&" + s if s[:1] in (".", "'") else s


def usage_roff(form, head=""):
    """One usage form, its words in brackets kept on one line."""
    words = form.split(" ", 2)
    rest, depth = "", 0
    for c in " " + words[2] if len(words) > 2 else "":
        depth += {"[": 1, "]": -1}.get(c, 0)
        rest += "\\ " if c == " " and depth > 0 else esc(c)
    return [".in +4n", ".ti -4n",
            line(esc(head) + "\\fB" + esc(" ".join(words[:2])) + "\\fR" + rest), ".in"]


def man_usage(lines):
    out = []
    for i, form in enumerate(usage_forms(lines)):
        out += [".PP"] + usage_roff(form, "usage: " if i == 0 else "")
    return out


def man_term(o):
    parts = []
    if o.short:
        parts.append("\\fB%s\\fR," % esc(o.short))
    parts.append("\\fB%s\\fR" % esc(o.long))
    if o.arg:
        parts.append("\\fI%s\\fR" % esc(o.arg))
    return " ".join(parts)


def man_para(lines):
    """A paragraph of a help text, filled; a line of its own where the help
    starts one after a sentence or with a label ("exit codes: ..."), an
    indented run (a list) set in apart."""
    out, indented = [".PP"], False
    prev = ""
    for raw in lines:
        ind = raw.startswith("  ")
        if ind != indented:
            out.append(".RS 2" if ind else ".RE")
            indented = ind
        elif prev and (LABEL_RE.match(raw) or (prev.endswith(".") and raw[:1].isupper())):
            out.append(".br")
        s = raw.strip()
        m = LABEL_RE.match(raw)
        if m:
            out.append(line("\\fB%s:\\fR %s" % (esc(m.group(1)), esc(m.group(2)))))
        else:
            out.append(line(esc(s)))
        prev = raw
    if indented:
        out.append(".RE")
    return out


def man_help(h, skip_usage=False):
    out = []
    for b in h.blocks:
        if b[0] == "usage":
            out += [] if skip_usage else man_usage(b[1])
        elif b[0] == "para":
            out += man_para(b[1])
        elif b[0] == "commands":
            out += [".PP", line("\\fB%s\\fR" % esc(b[1]))]
            for name, summary in b[2]:
                out += [".TP 10", "\\fB%s\\fR" % esc(name), line(esc(summary))]
        else:
            out += [".PP", line("\\fB%s\\fR" % esc(b[1]))]
            for o in b[2]:
                out += [".TP", man_term(o)]
                out += [line(esc(t)) for t in o.text]
                if o.rows:
                    # A value table, a line each as in the help.
                    out += [".RS", ".PD 0"]
                    for v, text in o.rows:
                        out += [".TP 8", "\\fB%s\\fR" % esc(v)]
                        out += [line(esc(t)) for t in text]
                    out += [".PD", ".RE"]
    return out


def man_page(top, cmds, version, date, files):
    desc = top_description(top)
    out = [
        ".\\\" reachmap(1), made by packaging/helpdoc.py from the help texts of",
        ".\\\" reachmap %s: edit those (cli/*.c), not this file." % version,
        '.TH REACHMAP 1 "%s" "reachmap %s" "User Commands"' % (date, version),
        ".nh", ".ad l",
        ".SH NAME",
        "reachmap \\- " + esc(desc[0].lower() + desc[1:].rstrip(".")),
        ".SH SYNOPSIS",
    ]
    for form in top.usage + [f for _, h in cmds for f in h.usage]:
        out += [".PP"] + usage_roff(form)
    # The synopsis has the usage line already.
    out.append(".SH DESCRIPTION")
    out += man_help(top, skip_usage=True)
    for name, h in cmds:
        out.append('.SH "reachmap %s"' % name)
        out += man_help(h)
    env = environment(cmds)
    if env:
        out.append(".SH ENVIRONMENT")
        for var, uses in env.items():
            out += [".TP", "\\fB%s\\fR" % esc(var), line(esc("; ".join(uses)))]
    if files:
        out.append(".SH FILES")
        for path, what in files:
            out += [".TP", "\\fI%s\\fR" % esc(path), line(esc(what))]
    return "\n".join(out) + "\n"


def top_description(top):
    for b in top.blocks:
        if b[0] == "para":
            text = " ".join(s.strip() for s in b[1])
            return text.split(". ")[0]
    raise HelpError("reachmap --help has no description paragraph")


def environment(cmds):
    env = {}
    for name, h in cmds:
        for o in h.options:
            for m in ENV_RE.finditer(o.joined()):
                var = m.group(1)
                how = "reachmap %s %s, when not given" % (name, o.long)
                if m.group(2):
                    how = "reachmap %s %s, when set to %s" % (name, o.long, m.group(2)[1:])
                if m.group(3):
                    how += " (%s)" % m.group(3)
                env.setdefault(var, []).append(how)
    return env


# ---- completions -------------------------------------------------------

def shq(s):
    return "'" + sq(s) + "'"


def value_kind(o):
    if o.values:
        return "list" if o.comma_list else "words"
    if o.arg in FILE_ARGS:
        return "file"
    if o.arg in DIR_ARGS:
        return "dir"
    return "none"


def bash_completion(top, cmds):
    names = " ".join(n for n, _ in cmds)
    top_opts = " ".join(n for o in top.options for n in o.names())
    out = [
        "# bash completion for reachmap(1), made by packaging/helpdoc.py from",
        "# reachmap's own help texts (commands, options, the registries' values).",
        "",
        "# Completes a comma-separated list: the values not yet in it.",
        "_reachmap_list()",
        "{",
        "    local have=${cur%${cur##*,}} v",
        "    local -a left=()",
        "    for v in $1; do",
        "        [[ ,$have == *,$v,* ]] || left+=(\"$v\")",
        "    done",
        "    COMPREPLY=($(compgen -P \"$have\" -W \"${left[*]}\" -- \"${cur##*,}\"))",
        "    compopt -o nospace 2>/dev/null",
        "}",
        "",
        "_reachmap()",
        "{",
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= words= i",
        "    (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}",
        "    COMPREPLY=()",
        "    # --opt=value: bash makes '=' a word of its own.",
        "    if [[ $cur == = ]]; then",
        "        cur=",
        "    elif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then",
        "        prev=${COMP_WORDS[COMP_CWORD-2]}",
        "    fi",
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        "        case ${COMP_WORDS[i]} in",
        "        -*) ;;",
        "        *) cmd=${COMP_WORDS[i]}; break ;;",
        "        esac",
        "    done",
        "    if [[ -z $cmd ]]; then",
        "        if [[ $cur == -* ]]; then",
        "            COMPREPLY=($(compgen -W %s -- \"$cur\"))" % shq(top_opts),
        "        else",
        "            COMPREPLY=($(compgen -W %s -- \"$cur\"))" % shq(names),
        "        fi",
        "        return 0",
        "    fi",
        "    case \"$cmd $prev\" in",
    ]
    for name, h in cmds:
        for o in h.options:
            if not o.arg:
                continue
            pat = "|".join(shq("%s %s" % (name, n)) for n in o.names())
            kind = value_kind(o)
            if kind == "words":
                act = "COMPREPLY=($(compgen -W %s -- \"$cur\"))" % shq(" ".join(o.values))
            elif kind == "list":
                act = "_reachmap_list %s" % shq(" ".join(o.values))
            elif kind == "file":
                act = "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))"
            elif kind == "dir":
                act = "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\"))"
            else:
                act = ":"
            out.append("    %s) %s; return 0 ;;" % (pat, act))
    out += ["    esac", "    case $cmd in"]
    for name, h in cmds:
        longs = " ".join(o.long for o in h.options)
        shorts = " ".join(o.short for o in h.options if o.short)
        pos = h.positional()
        out.append("    %s)" % shq(name))
        out.append("        words=%s" % shq(longs))
        if pos:
            out += ["        if [[ $cur != -* ]]; then",
                    "            compopt -o filenames 2>/dev/null",
                    "            COMPREPLY=($(compgen -f -- \"$cur\"))",
                    "            return 0",
                    "        fi"]
        # The short options only once a '-' is typed: fewer to read.
        out.append("        [[ $cur == -* ]] && words+=%s" % shq(" " + shorts))
        out.append("        COMPREPLY=($(compgen -W \"$words\" -- \"$cur\")) ;;")
    out += ["    esac", "    return 0", "}", "complete -F _reachmap reachmap", ""]
    return "\n".join(out)


def sq(s):
    """s inside single quotes of a shell word."""
    return s.replace("'", "'\\''")


def zq(s):
    """A description for _arguments and _describe: one clause, no
    brackets or colons that would end it early."""
    s = s.replace("[", "(").replace("]", ")").replace(":", "\\:")
    return s


def short_text(o):
    t = o.joined()
    t = re.split(r"(?<=[;:])\s|, e\.g\.", t)[0].rstrip(":;")
    return t if len(t) <= 70 else t[:67].rsplit(" ", 1)[0] + "..."


def zsh_spec(o):
    """An _arguments spec; the caller puts it in single quotes."""
    kind = value_kind(o)
    desc = "[%s]" % sq(zq(short_text(o)))
    if o.arg:
        msg = zq(o.arg)
        act = {"words": "(%s)" % " ".join(o.values),
               "list": "_sequence compadd - %s" % " ".join(o.values),
               "file": "_files", "dir": "_files -/", "none": " "}[kind]
        tail = sq(":%s:%s" % (msg, act))
    else:
        tail = ""
    rep = "*" if re.search(r"\brepeat\b", o.joined()) else ""
    if o.short:
        excl = "" if rep else "(%s %s)" % (o.short, o.long)
        suffix = ("+", "=") if o.arg else ("", "")
        return "%s%s'{%s%s,%s%s}'%s%s" % (
            excl, rep, o.short, suffix[0], o.long, suffix[1], desc, tail)
    return "%s%s%s%s%s" % (rep, o.long, "=" if o.arg else "", desc, tail)


def zsh_completion(top, cmds):
    out = [
        "#compdef reachmap",
        "# zsh completion for reachmap(1), made by packaging/helpdoc.py from",
        "# reachmap's own help texts (commands, options, the registries' values).",
        "",
        "_reachmap() {",
        "  local curcontext=$curcontext state state_descr line ret=1",
        "  typeset -A opt_args",
        "  local -a commands",
        "  commands=(",
    ]
    for name, summary in top.commands:
        out.append("    %s" % shq(zq(name) + ":" + zq(summary)))
    out += ["  )", "  _arguments -C \\"]
    for o in top.options:
        # Either of these ends the command line: nothing after them.
        names = "{%s,%s}" % (o.short, o.long) if o.short else o.long
        out.append("    '(- *)'%s'[%s]' \\" % (names, sq(zq(short_text(o)))))
    out += [
        "    '1: :->command' \\",
        "    '*:: :->args' && ret=0",
        "  case $state in",
        "  command)",
        "    _describe -t commands 'reachmap command' commands && ret=0",
        "    ;;",
        "  args)",
        "    curcontext=${curcontext%:*:*}:reachmap-$words[1]:",
        "    case $words[1] in",
    ]
    for name, h in cmds:
        out.append("    %s)" % shq(name))
        out.append("      _arguments -s -S \\")
        for o in h.options:
            spec = zsh_spec(o)
            out.append("        '%s' \\" % spec)
        pos = h.positional()
        if pos:
            out.append("        '*:%s:_files' \\" % sq(zq(pos[0])))
        out[-1] = out[-1][:-2] + " && ret=0"
        out.append("      ;;")
    out += ["    esac", "    ;;", "  esac", "  return ret", "}", "", '_reachmap "$@"', ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("reachmap")
    ap.add_argument("--man")
    ap.add_argument("--man-gz")
    ap.add_argument("--bash")
    ap.add_argument("--zsh")
    ap.add_argument("--date", default="")
    ap.add_argument("--file", action="append", default=[], metavar="PATH=WHAT")
    a = ap.parse_args()
    try:
        top = Help(run_help(a.reachmap))
        if not top.commands:
            raise HelpError("reachmap --help lists no commands")
        cmds = [(name, Help(run_help(a.reachmap, name))) for name, _ in top.commands]
        for name, h in cmds:
            if not h.usage or not h.options:
                raise HelpError("reachmap %s --help: no usage or no options block" % name)
        version = subprocess.run([a.reachmap, "--version"], capture_output=True, text=True,
                                 check=True, timeout=30).stdout.split()[-1]
    except (HelpError, subprocess.SubprocessError, OSError) as e:
        print("helpdoc: %s" % e, file=sys.stderr)
        return 1
    files = [tuple(f.split("=", 1)) for f in a.file]
    page = man_page(top, cmds, version, a.date, files)
    for path, text in ((a.man, page), (a.bash, bash_completion(top, cmds) if a.bash else ""),
                       (a.zsh, zsh_completion(top, cmds) if a.zsh else "")):
        if path:
            with open(path, "w") as f:
                f.write(text)
    if a.man_gz:
        # Debian's way: gzip -9n, no name or time inside, so builds repeat.
        with open(a.man_gz, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9,
                               mtime=0) as z:
                z.write(page.encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
