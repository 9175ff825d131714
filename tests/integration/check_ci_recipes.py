#!/usr/bin/python3
"""Checks the CI recipes (docs/ci/*.yml) for test_ci_recipes.sh.

Each file must load as YAML (Debian's python3-yaml) and have the shape its CI
reads: GitHub Actions (`on`, `jobs`, each job `runs-on` and `steps`) or GitLab CI
(each job a `script`). Every `loadgate ...` command in the shell text of `run:`,
`script:` and `before_script:` must name a subcommand `loadgate --help` lists and
only flags that subcommand's `--help` lists, with a value where the help gives
one; the files it runs or checks must exist and pass `loadgate check`, and the
environments and profiles it names must be in that suite. A JUnit report must be
the junit.xml of a loadgate --out folder of the same job, kept `when: always`; an
uploaded artifact must be that folder, uploaded `if: always()`. Only the official
actions/ actions are used. The exit codes the recipes branch on must be the ones
`loadgate --help` gives, with 0 promoting and exactly 1 and 3 rolling back.
A GitHub job running `loadgate run --segment K/N` (docs/distributed.md) must be
a matrix of N jobs that all run (fail-fast off) with K its matrix value 1 to N,
take --start-at from another job's output (one instant for all), upload its
--out as an artifact named by K, and be merged by a later job that downloads
those artifacts, runs `loadgate merge` over them, and runs when a segment failed.

usage: check_ci_recipes.py LOADGATE SOURCE_DIR RECIPE...
       check_ci_recipes.py --commands RECIPE   (prints each loadgate command)
Exit 0 when every recipe holds, 1 otherwise (each problem printed).
"""
import os
import re
import shlex
import subprocess
import sys

import yaml

# DESIGN.md section 1: the exit codes a pipeline branches on.
EXIT_CODES = {0: "pass", 1: "gate failed", 2: "invalid input", 3: "aborted", 4: "internal error"}
ACTIONS = {"actions/checkout", "actions/upload-artifact", "actions/download-artifact"}
GITLAB_RESERVED = {"stages", "variables", "default", "workflow", "include", "image", "services",
                   "before_script", "after_script", "cache", "pages"}
SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", "{", "}", ";;", "|&"}
PREFIXES = {"if", "then", "else", "elif", "while", "until", "do", "!", "time", "exec", "command"}

problems = []


def problem(where, msg):
    problems.append(f"{where}: {msg}".replace("\n", " "))  # one line per problem


def logical_lines(text):
    """Shell text as lines, backslash-newline continuations joined."""
    return re.sub(r"\\\n", " ", text).split("\n")


def simple_commands(line):
    """The simple commands of one shell line: lists of words, the command word first."""
    lex = shlex.shlex(line, posix=True, punctuation_chars=";&|(){}")
    lex.whitespace_split = True
    lex.commenters = "#"
    try:
        tokens = list(lex)
    except ValueError as e:
        raise ValueError(f"cannot split shell text {line!r}: {e}")
    cmd, out = [], []
    for t in tokens:
        if t in SEPARATORS:
            if cmd:
                out.append(cmd)
            cmd = []
        elif not cmd and (t in PREFIXES or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", t)):
            continue
        else:
            cmd.append(t)
    if cmd:
        out.append(cmd)
    return out


def loadgate_commands(text):
    """(argv after `loadgate`, the logical line) for each loadgate command in text."""
    for line in logical_lines(text):
        for cmd in simple_commands(line):
            if cmd[0] == "loadgate" or cmd[0].endswith("/loadgate"):
                yield cmd[1:], line.strip()


class Help:
    """What `loadgate --help` and `loadgate CMD --help` say."""

    def __init__(self, loadgate):
        self.loadgate = loadgate
        main = self._help()
        self.commands = set(re.findall(r"^  ([a-z]+)\b", main.split("commands:", 1)[1], re.M))
        m = re.search(r"^exit codes: (.*)$", main, re.M)
        self.exit_codes = {int(k): v.strip() for k, v in
                           (c.strip().split(" ", 1) for c in m.group(1).split(","))} if m else {}
        self.flags = {}
        self.checked = {}  # path: `loadgate check` run on it

    def _help(self, *cmd):
        return subprocess.run([self.loadgate, *cmd, "--help"], capture_output=True, text=True,
                              check=True).stdout

    def command_flags(self, cmd):
        """{flag: takes a value} for cmd, from its --help (option lines and usage line)."""
        if cmd not in self.flags:
            flags = {"--help": False, "-h": False}
            text = self._help(cmd)
            lines = [ln for ln in text.splitlines() if re.match(r"^\s+-", ln)]
            # the descriptions start in one column; what is left of it is the option
            # and its value (a long option may leave only one space before it)
            starts = [m.start(2) for m in (re.match(r"^(\s+-.*?\S)\s{2,}(\S)", ln) for ln in lines) if m]
            col = min(starts) if starts else 0
            for line in lines:
                spec = line[:col] if col else line
                m = re.match(r"^\s+(-[A-Za-z0-9])?,?\s*(--[a-z][a-z0-9-]*)?( [^ ]\S*)?\s*$", spec)
                if m and (m.group(1) or m.group(2)):
                    for f in (m.group(1), m.group(2)):
                        if f:
                            flags[f] = bool(m.group(3))
            for f, v in re.findall(r"\[(--?[a-z][a-z0-9-]*)( [^\]]+)?\]", text):
                flags[f] = bool(v)
            self.flags[cmd] = flags
        return self.flags[cmd]


def check_loadgate(where, argv, line, help_, src, outs, seen=None):
    """One loadgate command line: subcommand, flags, files. Records --out folders in
    outs and (subcommand, {flag: [values]}, words) in seen."""
    if not argv:
        return problem(where, f"`{line}`: no subcommand")
    cmd, args = argv[0], argv[1:]
    if seen is not None:
        seen.append((cmd, raw_opts(args), args))
    if cmd not in help_.commands:
        return problem(where, f"`{line}`: `{cmd}` is not a command `loadgate --help` lists "
                              f"({', '.join(sorted(help_.commands))})")
    flags = help_.command_flags(cmd)
    files, opts, i = [], {}, 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and a != "-":
            name, eq, val = a.partition("=")
            if name not in flags:
                problem(where, f"`{line}`: `loadgate {cmd} --help` lists no flag {name}")
            elif flags[name] and not eq:
                if i + 1 >= len(args) or args[i + 1].startswith("--"):
                    problem(where, f"`{line}`: {name} needs a value")
                    i += 1
                    continue
                val = args[i + 1]
                i += 1
            elif not flags[name] and eq:
                problem(where, f"`{line}`: {name} takes no value")
            opts.setdefault(name, []).append(val)
        else:
            files.append(a)
        i += 1
    if cmd in ("run", "check"):
        if not files:
            problem(where, f"`{line}`: no FILE")
        if cmd == "run" and len(files) > 1:
            problem(where, f"`{line}`: run takes one FILE, got {files}")
        for f in files:
            check_file(where, line, f, src, help_, opts)
    if "--out" in opts:
        outs.extend(o.rstrip("/") for o in opts["--out"])


def raw_opts(args):
    """{flag: [values]} of a command's words, a flag's value the next word or after =."""
    opts, i = {}, 0
    while i < len(args):
        name, eq, val = args[i].partition("=")
        if name.startswith("-"):
            if not eq and i + 1 < len(args) and not args[i + 1].startswith("-"):
                val = args[i + 1]
                i += 1
            opts.setdefault(name, []).append(val)
        i += 1
    return opts


def check_segments(name, jobs, seen):
    """The jobs that run `loadgate run --segment`: a matrix started together and merged."""
    for jname, cmds in seen.items():
        segs = [o for cmd, o, _ in cmds if cmd == "run" and "--segment" in o]
        if not segs:
            continue
        where = f"{name}: job {jname}"
        job = jobs[jname]
        strategy = job.get("strategy") or {}
        matrix = strategy.get("matrix") or {}
        if strategy.get("fail-fast", True) is not False:
            problem(where, "runs segments without `fail-fast: false`: one segment failing its "
                           "slice's thresholds would cancel the others")
        for opts in segs:
            seg = opts["--segment"][0]
            m = re.fullmatch(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}/(\d+|\$\{\{\s*strategy\.job-total\s*\}\})",
                             seg)
            if not m:
                problem(where, f"--segment {seg}: not ${{{{ matrix.K }}}}/N "
                               "(N a number or ${{ strategy.job-total }})")
                continue
            values = matrix.get(m.group(1))
            n = len(values) if isinstance(values, list) else 0
            if values != list(range(1, n + 1)) or len(matrix) != 1:
                problem(where, f"matrix {matrix}: --segment needs one dimension {m.group(1)} "
                               "holding 1 to N")
            elif m.group(2).isdigit() and int(m.group(2)) != n:
                problem(where, f"--segment {seg}: N is {m.group(2)}, the matrix has {n} jobs")
            start = (opts.get("--start-at") or [""])[0]
            envs = {**(job.get("env") or {}), **{k: v for st in job.get("steps", [])
                                                  for k, v in (st.get("env") or {}).items()}}
            ref = re.fullmatch(r"\$\{?(\w+)\}?", start)
            if ref:
                start = str(envs.get(ref.group(1), ""))
            so = re.fullmatch(r"\$\{\{\s*needs\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}", start)
            needs = [job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", [])
            if not so:
                problem(where, f"--start-at {opts.get('--start-at')}: not one instant for all "
                               "segments (an output of a job they need)")
            elif so.group(1) not in needs or so.group(2) not in (
                    (jobs.get(so.group(1)) or {}).get("outputs") or {}):
                problem(where, f"--start-at: {so.group(1)}.outputs.{so.group(2)} is not an "
                               "output of a job this one needs")
            uploads = [st for st in job.get("steps", []) if str(st.get("uses", "")).startswith(
                "actions/upload-artifact")]
            names = [str((st.get("with") or {}).get("name", "")) for st in uploads]
            key = f"matrix.{m.group(1)}"
            named = [x for x in names if key in x]
            if not named:
                problem(where, f"no artifact named by ${{{{ {key} }}}}: the segments' results "
                               "would overwrite each other")
                continue
            prefix = named[0].split("${{")[0]
            mergers = []
            for other, cmds2 in seen.items():
                oneeds = jobs[other].get("needs", [])
                oneeds = [oneeds] if isinstance(oneeds, str) else oneeds
                if jname in oneeds and any(c == "merge" for c, _, _ in cmds2):
                    mergers.append(other)
            if not mergers:
                problem(where, "no job that needs it runs `loadgate merge`")
            for other in mergers:
                ow = f"{name}: job {other}"
                oj = jobs[other]
                if not re.search(r"!\s*cancelled\(\)|always\(\)", str(oj.get("if", ""))):
                    problem(ow, "merges without `if: ${{ !cancelled() }}`: a failed segment job "
                                "would skip the merge, and nobody would be told which is missing")
                dl = [st.get("with") or {} for st in oj.get("steps", []) if str(st.get(
                    "uses", "")).startswith("actions/download-artifact")]
                pats = [str(d.get("pattern", "")) for d in dl if d.get("pattern")]
                if not any(p.rstrip("*") == prefix for p in pats):
                    problem(ow, f"downloads {pats or 'no pattern'}, not the segments' "
                                f"artifacts {prefix}*")
                for _, _, words in [c for c in seen[other] if c[0] == "merge"]:
                    files = [w for w in words if w.endswith(".json") and w not in
                             raw_opts(words).get("-o", [])]
                    if not any("*" in f for f in files):
                        problem(ow, f"merges {files}, not every downloaded segment")


def check_file(where, line, f, src, help_, opts):
    path = os.path.join(src, f)
    if "$" in f or not os.path.isfile(path):
        return problem(where, f"`{line}`: {f} is not a file in the repository")
    if path not in help_.checked:
        help_.checked[path] = subprocess.run([help_.loadgate, "check", path], capture_output=True,
                                             text=True)
    r = help_.checked[path]
    if r.returncode != 0:
        return problem(where, f"`{line}`: loadgate check {f} exits {r.returncode}: {r.stderr.strip()}")
    with open(path) as fh:
        doc = yaml.safe_load(fh)
    for flag, key in (("--env", "environments"), ("--profile", "profiles")):
        for name in opts.get(flag, []):
            if "$" in name:
                continue
            if name not in ((doc or {}).get(key) or {}):
                problem(where, f"`{line}`: {f} has no {key[:-1]} '{name}'")


def codes_in(expr):
    return {int(c) for c in re.findall(r"outputs\.code\s*==\s*'(\d+)'", expr)}


def check_case_codes(where, text, help_):
    """Codes in a shell `case` branch on an exit code: each one `loadgate --help` gives."""
    for pat in re.findall(r"^\s*([0-9|]+)\)", text, re.M):
        for c in pat.split("|"):
            if int(c) not in help_.exit_codes:
                problem(where, f"the shell branches on exit code {c}, which loadgate never gives")


def check_github(name, doc, help_, src):
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    if not on:
        problem(name, "no `on` (the events that start the workflow)")
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        return problem(name, "no `jobs`")
    branches = {}
    seen = {}
    for jname, job in jobs.items():
        where = f"{name}: job {jname}"
        if not isinstance(job, dict) or "runs-on" not in job:
            problem(where, "no `runs-on`")
            continue
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            problem(where, "no `steps`")
            continue
        for need in ([job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", [])):
            if need not in jobs:
                problem(where, f"needs `{need}`, which is not a job")
        outs = []
        for n, step in enumerate(steps):
            swhere = f"{where}, step {step.get('name', step.get('uses', n + 1))}"
            if ("run" in step) == ("uses" in step):
                problem(swhere, "a step has either `run` or `uses`")
            if "run" in step:
                try:
                    for argv, line in loadgate_commands(step["run"]):
                        check_loadgate(swhere, argv, line, help_, src, outs,
                                       seen.setdefault(jname, []))
                except ValueError as e:
                    problem(swhere, str(e))
                check_case_codes(swhere, step["run"], help_)
            if "uses" in step:
                action = step["uses"].split("@")[0]
                if action not in ACTIONS or "@" not in step["uses"]:
                    problem(swhere, f"uses {step['uses']}: only a pinned version of "
                                    f"{', '.join(sorted(ACTIONS))}")
                if action == "actions/upload-artifact" and outs:
                    path = str((step.get("with") or {}).get("path", "")).rstrip("/")
                    if path not in outs:
                        problem(swhere, f"uploads {path!r}, not the --out folder {outs}")
                    if "always()" not in str(step.get("if", "")):
                        problem(swhere, "uploads the reports without `if: always()`: a failed "
                                        "gate would lose them")
            if "if" in step and codes_in(str(step["if"])):
                branches.setdefault(step.get("name", ""), set()).update(codes_in(str(step["if"])))
    check_segments(name, jobs, seen)
    for sname, codes in branches.items():
        for c in codes:
            if c not in help_.exit_codes:
                problem(name, f"step {sname!r} branches on exit code {c}, which loadgate never gives")
        low = sname.lower()
        if "roll back" in low or "rollback" in low:
            if codes != {1, 3}:
                problem(name, f"step {sname!r} rolls back on {sorted(codes)}, not on exit 1 "
                              "(gate failed) and 3 (aborted)")
        elif "promote" in low and codes != {0}:
            problem(name, f"step {sname!r} promotes on {sorted(codes)}, not on exit 0 (pass) only")
    return branches


def check_gitlab(name, doc, help_, src):
    jobs = {k: v for k, v in doc.items() if k not in GITLAB_RESERVED and not str(k).startswith(".")}
    if not jobs:
        return problem(name, "no jobs")
    stages = doc.get("stages", ["build", "test", "deploy"])
    for jname, job in jobs.items():
        where = f"{name}: job {jname}"
        if not isinstance(job, dict):
            problem(where, "not a mapping")
            continue
        merged = dict(job)
        for base in ([job["extends"]] if isinstance(job.get("extends"), str) else job.get("extends", [])):
            if base not in doc:
                problem(where, f"extends `{base}`, which is not defined")
            else:
                merged = {**doc[base], **merged}
        script = merged.get("script")
        if not script:
            problem(where, "no `script`")
            continue
        if merged.get("stage", "test") not in stages:
            problem(where, f"stage {merged.get('stage')!r} is not in `stages`")
        outs = []
        for key in ("before_script", "script"):
            lines = merged.get(key) or []
            for text in ([lines] if isinstance(lines, str) else lines):
                try:
                    for argv, line in loadgate_commands(str(text)):
                        check_loadgate(f"{where}, {key}", argv, line, help_, src, outs)
                except ValueError as e:
                    problem(where, str(e))
        codes = ((merged.get("allow_failure") or {}) if isinstance(merged.get("allow_failure"), dict)
                 else {}).get("exit_codes", [])
        for c in [codes] if isinstance(codes, int) else codes:
            if c not in help_.exit_codes:
                problem(where, f"allow_failure on exit code {c}, which loadgate never gives")
        art = merged.get("artifacts") or {}
        junit = (art.get("reports") or {}).get("junit")
        if outs:
            if junit is None:
                problem(where, "runs loadgate with --out but reports no junit")
            elif junit not in [f"{o}/junit.xml" for o in outs]:
                problem(where, f"reports junit {junit!r}, not the junit.xml --out writes ({outs})")
            if art.get("when") != "always":
                problem(where, "artifacts without `when: always`: a failed gate would lose them")
            kept = [str(p).rstrip("/") for p in art.get("paths", [])]
            if not any(o in kept for o in outs):
                problem(where, f"keeps {kept}, not the --out folder {outs}")


def main(argv):
    if len(argv) == 3 and argv[1] == "--commands":
        with open(argv[2]) as fh:
            doc = yaml.safe_load(fh)
        texts = []
        for job in (doc.get("jobs") or {}).values() if "jobs" in doc else doc.values():
            if isinstance(job, dict):
                texts += [s["run"] for s in job.get("steps", []) if isinstance(s, dict) and "run" in s]
                for key in ("before_script", "script"):
                    v = job.get(key) or []
                    texts += [v] if isinstance(v, str) else [str(x) for x in v]
        for text in texts:
            for _, line in loadgate_commands(text):
                print(line)
        return 0
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    help_ = Help(argv[1])
    src = argv[2]
    if help_.exit_codes != EXIT_CODES:
        problem("loadgate --help", f"exit codes {help_.exit_codes}, DESIGN.md gives {EXIT_CODES}")
    for path in argv[3:]:
        inside = os.path.abspath(path).startswith(os.path.abspath(src) + os.sep)
        name = os.path.relpath(path, src) if inside else path
        try:
            with open(path) as fh:
                doc = yaml.safe_load(fh)
        except yaml.YAMLError as e:
            problem(name, f"not YAML: {e}")
            continue
        if not isinstance(doc, dict):
            problem(name, "not a YAML mapping")
            continue
        head = open(path).read().split("\n\n", 1)[0]
        if not re.search(r"0 pass, 1 gate failed, 2 invalid input, 3 aborted, 4 internal error", head) \
                and not all(re.search(rf"\b{c} {re.escape(v)}", head) for c, v in EXIT_CODES.items()):
            problem(name, "the opening comment does not give the exit codes a pipeline branches on")
        if "jobs" in doc or "on" in doc or True in doc:
            check_github(name, doc, help_, src)
        else:
            check_gitlab(name, doc, help_, src)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
