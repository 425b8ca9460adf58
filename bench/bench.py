#!/usr/bin/env python3
"""kvsnap's benchmark: builds the Release tools, generates a synthetic Cilium cluster with kvgen,
loads it into a real etcd for a snapshot file, measures kvimport, kvcheck and kvdiff against
baselines at N and 2N keys and prints the ratios with their aims, every command's medians and
the growth factor 2N/N of each.

A size's measured commands run round robin (A B C ... A B C ..., --runs rounds), so the two sides
of every ratio alternate. Medians of wall and CPU time (user+sys, from wait4); peak anonymous
memory (RssAnon sampled every ~10 ms) and VmHWM (with mapped file pages). Generation, the imports
that only prepare inputs and the etcd load are setup: timed and reported, not measured. Every
database is written fresh; inputs are read once first (warm page cache). Every run is checked:
the bench fails (exit 1) when kvcheck finds errors on the healthy cluster, kvdiff's counts differ
from kvgen's, kvimport --status differs from etcdctl's, or an import misses keys. Work files go
to a fresh folder under $TMPDIR (about 5 GB per million keys), removed at exit (also on Ctrl-C).

  bench/bench.py                        1,000,000 and 2,000,000 keys, 3 runs (roughly half an hour; idle machine)
  bench/bench.py --quick                20,000 keys, 1 run, no 2N: a smoke test (seconds)
  bench/bench.py --json b.json --write-docs   also write the figures and docs/benchmarks.md
  bench/bench.py --render-docs b.json   rewrite docs/benchmarks.md from earlier figures, measure nothing
"""

import argparse, contextlib, csv, datetime, json, os, re, resource, shlex, shutil, signal, sqlite3
import statistics, subprocess, sys, tempfile, time
from collections import namedtuple
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("kvimport", "kvcheck", "kvdiff", "kvquery", "kvgen")
CHANGE = ["--change-fraction", "0.01", "--change-seed", "7"]
KINDS = ("added", "removed", "changed")
GROWTH_AIM = 2.2
QUERIES = ("pods-per-node", "identities-per-namespace", "nodes", "snapshot-summary")
SLOWEST_CHECKS = 8
# Where an import's time goes (kvimport --timings), once each at N: (column title, kvimport arguments,
# needs the snapshot). Index builds under PROFILE_FOLD s in every column are summed into one row.
PROFILES = [("dump.json", ["dump.json"], False), ("snap.db --no-history", ["--no-history", "snap.db"], True),
            ("snap.db", ["snap.db"], True)]
PROFILE_FOLD = 0.02
MIB = 1 << 20

# One round of measured commands, in order. Names in TOOLS run the built tools; {now} is the
# cluster's heartbeat time. fresh: the database removed before each run; rc: the exit status it
# must have; snapshot: needs the etcd snapshot file; verify: the Size method checking its output.
Cmd = namedtuple("Cmd", "id argv fresh rc snapshot verify")
COMMANDS = [
    Cmd("sqlite_csv", ["sqlite3", "bare.db", "PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF",
                       "CREATE TABLE kv(key TEXT, value TEXT)", ".mode csv", ".import data.csv kv"],
        "bare.db", 0, False, "verify_bare"),
    Cmd("import_json", ["kvimport", "-d", "new.db", "dump.json"], "new.db", 0, False, "verify_import_json"),
    Cmd("check", ["kvcheck", "-d", "check.db", "--now", "{now}", "--fail-on", "never", "-o", "json"],
        None, 0, False, "verify_check"),
    Cmd("diff", ["kvdiff", "-d", "diff.db", "old", "new", "-o", "json"], None, 1, False, "verify_diff"),
    Cmd("diff_nofindings", ["kvdiff", "-d", "diff.db", "old", "new", "-o", "json", "--no-findings"],
        None, 1, False, "verify_diff"),
    Cmd("import_snap_nohist", ["kvimport", "--no-history", "-d", "new.db", "snap.db"], "new.db", 0, True,
        "verify_import_snap"),
    Cmd("import_snap", ["kvimport", "-d", "new.db", "snap.db"], "new.db", 0, True, "verify_import_snap"),
    Cmd("etcdctl_status", ["etcdctl", "snapshot", "status", "-w", "json", "snap.db"], None, 0, True,
        "verify_status"),
    Cmd("kvimport_status", ["kvimport", "--status", "-o", "json", "snap.db"], None, 0, True, "verify_status"),
]

# The ratios of issue 12: A / B of the median wall times, or (a is None) a figure of its own.
Ratio = namedtuple("Ratio", "id a b op aim what")
RATIOS = [
    Ratio("import_vs_sqlite", "import_json", "sqlite_csv", "<=", 1.0,
          "kvimport of the etcd-json dump / sqlite3 .import of the same key,value pairs (CSV) into a bare table"),
    Ratio("status_vs_etcdctl", "kvimport_status", "etcdctl_status", "<=", 0.7,
          "kvimport --status / etcdctl snapshot status of the same snapshot file (equal numbers)"),
    Ratio("snapshot_vs_dump", "import_snap_nohist", "import_json", "<=", 0.8,
          "kvimport --no-history of the etcd snapshot file / kvimport of the etcd-json dump of the same state"),
    Ratio("history_vs_nohistory", "import_snap", "import_snap_nohist", "<=", 1.1,
          "kvimport of the snapshot file with kv_history / with --no-history"),
    Ratio("check_vs_import", "check", "import_json", "<=", 0.2,
          "kvcheck, every check (0 errors on the healthy cluster) / the etcd-json import"),
    Ratio("diff_vs_import", "diff", "import_json", "<=", 0.5,
          "kvdiff of two snapshots ~1% apart, with findings / the etcd-json import"),
    Ratio("diff_nofindings_vs_import", "diff_nofindings", "import_json", "<=", 0.05,
          "kvdiff --no-findings of the same / the etcd-json import"),
    Ratio("db_size_vs_raw", None, None, "<=", 2.0,
          "size of the etcd-json import's database file / bytes of all keys and values"),
    Ratio("peak_anon_mb", None, None, "<", 200,
          "peak anonymous memory (RssAnon, MiB) of any measured kvsnap command"),
]


class BenchError(Exception):
    """A command or a correctness check failed: the bench stops with exit status 1."""


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def tail(path, limit=3000):  # the start of a command's stdout and stderr, for an error message
    parts = [p.read_bytes()[:limit].decode(errors="replace") for p in (Path(path), Path(f"{path}.err")) if p.exists()]
    return "".join(parts).strip()


def query(db, sql):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def mib(kb):
    return round(kb / 1024, 1)


def median(xs):
    return round(statistics.median(xs), 3) if xs else None


# --- measuring one command -------------------------------------------------------------------------

Sample = namedtuple("Sample", "wall cpu anon_kb hwm_kb rc timed_out")  # seconds, KiB


def memory_kb(pid, exe):
    """(RssAnon, VmHWM) of a running child once it runs exe (before exec it is a copy of python)."""
    try:
        if os.readlink(f"/proc/{pid}/exe") != exe:
            return None
        with open(f"/proc/{pid}/status") as f:
            got = dict(re.findall(r"^(RssAnon|VmHWM):\s+(\d+) kB", f.read(), re.M))
    except OSError:
        return None
    return int(got.get("RssAnon", 0)), int(got.get("VmHWM", 0))


def measure(argv, out, cwd, timeout=None):
    """Runs argv with stdout to out and stderr to out.err, polls its memory (every ms at first,
    then every 10 ms), takes its CPU time from wait4, kills it past timeout seconds."""
    exe = os.path.realpath(shutil.which(argv[0]) or argv[0])
    with open(out, "wb") as fo, open(f"{out}.err", "wb") as fe:
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=fo, stderr=fe, cwd=cwd)
    anon = hwm = 0
    timed_out, pause = False, 0.001
    try:
        while not (reaped := os.wait4(proc.pid, os.WNOHANG))[0]:
            if mem := memory_kb(proc.pid, exe):
                anon, hwm = max(anon, mem[0]), max(hwm, mem[1])
            if timeout and not timed_out and time.monotonic() - start > timeout:
                os.kill(proc.pid, signal.SIGKILL)
                timed_out = True
            time.sleep(pause)
            pause = min(0.01, pause * 2)
    except BaseException:  # interrupted: take the child down too
        with contextlib.suppress(OSError):
            os.kill(proc.pid, signal.SIGKILL)
            os.waitpid(proc.pid, 0)
        proc.returncode = -9
        raise
    wall = time.monotonic() - start
    _, status, ru = reaped
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    # ru_maxrss also counts what the child had before exec (python's pages, with vfork): only
    # above python's own peak is it the program's.
    if ru.ru_maxrss > resource.getrusage(resource.RUSAGE_SELF).ru_maxrss:
        hwm = max(hwm, ru.ru_maxrss)
    return Sample(wall, ru.ru_utime + ru.ru_stime, anon, hwm, proc.returncode, timed_out)


def summarize(cid, cmd, samples):
    walls, cpus = [s.wall for s in samples], [s.cpu for s in samples]
    return {"id": cid, "cmd": cmd, "wall_median": median(walls), "cpu_median": median(cpus),
            "walls": [round(x, 3) for x in walls], "cpus": [round(x, 3) for x in cpus],
            "peak_anon_mb": mib(max((s.anon_kb for s in samples), default=0)),
            "peak_hwm_mb": mib(max((s.hwm_kb for s in samples), default=0))}


# --- an etcd on loopback ---------------------------------------------------------------------------

class Etcd:
    """scripts/etcd-harness.sh in a bash that waits on our pipe: closing it (or our death) makes it
    stop etcd by its pid; so does Ctrl-C (the harness's INT trap)."""

    def __init__(self, folder):
        script = 'source "$1"; etcd_start "$2" || exit 1; echo "$ETCD_ENDPOINT $ETCD_PID $ETCD_DATA_DIR"; read -r _'
        self.proc = subprocess.Popen(["bash", "-c", script, "bash", str(ROOT / "scripts/etcd-harness.sh"), str(folder)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 3:
            self.proc.wait()
            self.proc.stdout.close()
            raise BenchError("cannot start etcd (scripts/setup installs etcd-server and etcd-client)")
        self.endpoint, self.pid, self.data_dir = line[0], int(line[1]), Path(line[2])

    def ctl(self, *args, cwd=None, timeout="60s"):
        argv = ["etcdctl", "--endpoints", self.endpoint, f"--command-timeout={timeout}", *args]
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd)
        if done.returncode:
            raise BenchError(f"{shlex.join(argv)} failed: {done.stdout[-2000:]}")
        return done.stdout

    def load(self, argv, every, logfile):
        """Every `every`-th line of argv's output (kvgen -o load) into scripts/etcd-load.py."""
        with open(logfile, "wb") as lf:
            gen = subprocess.Popen(argv, stdout=subprocess.PIPE)
            loader = subprocess.Popen([sys.executable, str(ROOT / "scripts/etcd-load.py"), "--endpoint", self.endpoint],
                                      stdin=gen.stdout if every == 1 else subprocess.PIPE, stderr=lf)
            try:
                if every > 1:
                    for i, line in enumerate(gen.stdout, 1):
                        if i % every == 0:
                            loader.stdin.write(line)
                    loader.stdin.close()
                gen.stdout.close()
                failed = gen.wait() or loader.wait()
            except BaseException:
                gen.kill(), loader.kill(), gen.wait(), loader.wait()
                raise
        if failed:
            alarms = subprocess.run(["etcdctl", "--endpoints", self.endpoint, "--command-timeout=5s", "alarm", "list"],
                                    capture_output=True, text=True).stdout
            raise BenchError(f"loading etcd failed: {tail(logfile)} {alarms}(NOSPACE: the cluster outgrew etcd's "
                             "2 GiB backend quota)")
        return Path(logfile).read_text().strip().splitlines()[-1]

    def peak_mb(self):
        with contextlib.suppress(OSError, TypeError):
            return mib(int(re.search(r"^VmHWM:\s+(\d+)", Path(f"/proc/{self.pid}/status").read_text(), re.M)[1]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()  # the harness's EXIT trap stops etcd
            self.proc.wait()
        self.proc.stdout.close()


# --- one cluster size: setup, the rounds, the informational runs -----------------------------------

class Size:
    def __init__(self, bench, label, keys):
        self.b, self.label, self.keys = bench, label, keys
        self.dir = bench.work / label
        self.dir.mkdir()
        self.samples, self.shown = {}, {}  # command id -> [Sample], its command line
        self.peaks = []                    # (RssAnon, VmHWM, command line) of every measured kvsnap run
        self.setup = {"keys_requested": keys, "steps": [], "files": {}, "warmup": []}
        self.checks, self.queries = [], []

    def run(self, argv, out, ok=(0,), timeout=None, setup=None):
        """Runs argv (tool names, not paths) in the size's folder; fails unless its exit status is
        in ok. A setup run is a step of that name; others count for peak_anon_mb."""
        shown = shlex.join(argv)
        s = measure([self.b.bins.get(argv[0], argv[0]), *argv[1:]], self.dir / out, self.dir, timeout)
        if not s.timed_out and s.rc not in ok:
            raise BenchError(f"{shown} exited {s.rc}:\n{tail(self.dir / out)}")
        if setup:
            self.step(setup, f"{shown} > {out}" if argv[0] == "kvgen" else shown, s.wall, s.cpu)
        elif argv[0] in TOOLS:
            self.peaks.append((s.anon_kb, s.hwm_kb, shown))
        return s

    def step(self, name, cmd, wall, cpu=None):
        self.setup["steps"].append({"step": name, "cmd": cmd, "wall": round(wall, 2), "cpu": cpu and round(cpu, 2)})
        log(f"{self.label}: {name}: {wall:.1f} s")

    def key_count(self, db, name=None):
        rows = query(self.dir / db, "SELECT key_count FROM snapshot" + (f" WHERE name = '{name}'" if name else ""))
        return rows[0][0] if len(rows) == 1 else None

    def dump_count(self, name):  # the "count" etcdctl writes at the end of a dump
        with open(self.dir / name, "rb") as f:
            f.seek(max(0, f.seek(0, 2) - 64))
            if m := re.search(rb'"count":(\d+)\}\s*$', f.read()):
                return int(m[1])
        raise BenchError(f"no key count at the end of {name}")

    def prepare(self):
        k = str(self.keys)
        self.run(["kvgen", "--keys", k, "-o", "etcd-json"], "dump.json", setup="generate dump.json")
        self.run(["kvgen", "--keys", k, "-o", "csv"], "data.csv", setup="generate data.csv")
        self.run(["kvgen", "--keys", k, *CHANGE, "--stats", "-o", "etcd-json"], "new.json",
                 setup="generate new.json (1% changed)")
        self.n, new_n = self.dump_count("dump.json"), self.dump_count("new.json")
        with open(self.dir / "data.csv", "rb") as f:
            if (rows := sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(MIB), b""))) != self.n:
                raise BenchError(f"data.csv has {rows} rows, dump.json {self.n} keys")
        stats = (self.dir / "new.json.err").read_text()
        self.nodes = int(re.search(r"^nodes=(\d+)", stats, re.M)[1])
        self.expected = {e: dict(zip(KINDS, map(int, n))) for e, *n in
                         re.findall(r"^change (\S+) added=(\d+) removed=(\d+) changed=(\d+)$", stats, re.M)}
        if not (total := self.expected.pop("total", None)):
            raise BenchError(f"kvgen --stats printed no 'change total' line:\n{stats}")
        self.setup.update(keys=self.n, nodes=self.nodes, kvgen_changes=self.expected, changed_keys=sum(total.values()))

        self.run(["kvimport", "-d", "check.db", "dump.json"], "setup.out", setup="import check.db")
        self.run(["kvimport", "-d", "diff.db", "-n", "old", "dump.json"], "setup.out", setup="import diff.db old")
        self.run(["kvimport", "-d", "diff.db", "-n", "new", "new.json"], "setup.out", setup="import diff.db new")
        got = self.key_count("check.db"), self.key_count("diff.db", "old"), self.key_count("diff.db", "new")
        if got != (self.n, self.n, new_n):
            raise BenchError(f"the setup imports hold {got} keys, the dumps {(self.n, self.n, new_n)}")
        self.now = query(self.dir / "check.db", "SELECT value FROM heartbeat ORDER BY unix_time DESC LIMIT 1")[0][0]
        self.raw = query(self.dir / "check.db", "SELECT sum(length(key) + length(value)) FROM kv")[0][0]
        self.setup.update(now=self.now, raw_kv_bytes=self.raw)
        if self.b.snapshot:
            self.prepare_snapshot()
        for name in ("dump.json", "data.csv", "new.json", "check.db", "diff.db", "snap.db"):
            if (self.dir / name).exists():
                self.setup["files"][name] = (self.dir / name).stat().st_size
        (self.dir / "new.json").unlink()

    def prepare_snapshot(self):
        """etcd loaded with the same cluster, every 10th ipcache key put again (a new lease, as after
        an agent restart: older revisions in the key bucket), etcdctl snapshot save, etcd stopped."""
        kvgen, k = self.b.bins["kvgen"], str(self.keys)
        etcd = self.b.etcd = Etcd(self.dir / "etcd")
        try:
            t = time.monotonic()
            loaded = etcd.load([kvgen, "--keys", k, "-o", "load"], 1, self.dir / "load.log")
            self.step("etcd load", f"kvgen --keys {k} -o load | scripts/etcd-load.py", time.monotonic() - t)
            t = time.monotonic()
            done = etcd.load([kvgen, "--keys", k, "-o", "load", "--prefix", "cilium/state/ip/"], 10, self.dir / "load.log")
            self.step("etcd: every 10th ipcache key again", f"kvgen --keys {k} -o load --prefix cilium/state/ip/ | "
                      "every 10th line | scripts/etcd-load.py", time.monotonic() - t)
            if alarms := etcd.ctl("alarm", "list").strip():
                raise BenchError(f"etcd raised an alarm: {alarms}")
            live = json.loads(etcd.ctl("get", "", "--prefix", "--keys-only", "--limit", "1", "-w", "json"))["count"]
            t = time.monotonic()
            etcd.ctl("snapshot", "save", "snap.db", cwd=self.dir, timeout="1h")
            self.step("etcdctl snapshot save", "etcdctl snapshot save snap.db", time.monotonic() - t)
            self.setup["etcd"] = {"live_keys": live, "load": loaded,
                                  "reput_keys": int(re.match(r"etcd-load: (\d+) keys", done)[1]),
                                  "etcd_peak_hwm_mb": etcd.peak_mb(),
                                  "member_db_bytes": (etcd.data_dir / "member/snap/db").stat().st_size}
        finally:
            etcd.stop()
            self.b.etcd = None
            shutil.rmtree(self.dir / "etcd", ignore_errors=True)
        if live != self.n:
            raise BenchError(f"etcd holds {live} live keys, dump.json {self.n}")

    # Correctness of every measured run ----------------------------------------------------------------

    def report(self, out):
        text = (self.dir / out).read_text(errors="replace")
        try:
            return json.loads(text)
        except ValueError:
            raise BenchError(f"{out} is not a JSON report:\n{text[:2000]}") from None

    def verify_bare(self, cmd, out):
        if (self.dir / f"{out}.err").stat().st_size:
            raise BenchError(f"sqlite3 .import complained:\n{tail(self.dir / out)}")
        if (got := query(self.dir / "bare.db", "SELECT count(*) FROM kv")[0][0]) != self.n:
            raise BenchError(f"bare.db holds {got} rows, data.csv {self.n}")

    def verify_import_json(self, cmd, out):
        if self.key_count("new.db") != self.n:
            raise BenchError(f"kvimport of dump.json: snapshot.key_count is not {self.n}")
        self.db_bytes = (self.dir / "new.db").stat().st_size

    def verify_check(self, cmd, out):
        d = self.report(out)
        summary = d.get("summary", {})
        if summary.get("error") != 0:
            findings = {f"  {f.get('severity')} {f.get('check')}: {f.get('message', '')[:150]}"
                        for x in d.get("sections", []) if x["id"].startswith("check/") for f in x["rows"]}
            raise BenchError(f"kvcheck found errors on the healthy synthetic cluster ({summary}):\n"
                             + "\n".join(sorted(findings)[:40]))
        if (first := self.b.checks_run.setdefault("n", summary.get("checks_run"))) != summary.get("checks_run"):
            raise BenchError(f"kvcheck ran {summary.get('checks_run')} checks at {self.label}, {first} before")
        self.setup["checks_run"] = first

    def verify_diff(self, cmd, out):
        d = self.report(out)
        sections = {x["id"]: x for x in d.get("sections", [])}
        got = {r["entity"]: r for r in sections.get("summary", {}).get("rows", [])}
        bad = []
        for e in sorted(set(got) | set(self.expected)):
            counts, want = {k: got.get(e, {}).get(k, 0) for k in KINDS}, self.expected.get(e, dict.fromkeys(KINDS, 0))
            if counts != want or got.get(e, {}).get("moved", 0):
                bad.append(f"  {e}: kvdiff {got.get(e)}, kvgen {want}")
        total = sum(r.get(k, 0) for r in got.values() for k in (*KINDS, "moved"))
        listed = sum(len(x["rows"]) for i, x in sections.items() if i.startswith("changes/"))
        if bad or listed != total or d.get("differs") is not True:
            raise BenchError(f"{out}: kvdiff does not report what kvgen changed ({listed} changes listed, "
                             f"{total} counted, differs: {d.get('differs')}):\n" + "\n".join(bad))
        if not 0.005 * self.n <= total <= 0.02 * self.n:
            raise BenchError(f"kvdiff counts {total} changes, outside 0.5% to 2% of {self.n} keys")
        self.setup["kvdiff_changes"] = total

    def verify_import_snap(self, cmd, out):
        history = query(self.dir / "new.db", "SELECT count(*) FROM kv_history")[0][0]
        want = 0 if "--no-history" in cmd.argv else self.setup["etcd"]["history_records"]
        if (self.key_count("new.db"), history) != (self.n, want):
            raise BenchError(f"{shlex.join(cmd.argv)}: {self.key_count('new.db')} keys, {history} kv_history "
                             f"rows; expected {self.n} and {want}")

    def verify_status(self, cmd, out):
        d = self.report(out)
        numbers = {k: d.get(k) for k in ("hash", "revision", "totalKey", "totalSize")}
        if (first := self.setup["etcd"].setdefault("status", numbers)) != numbers:
            raise BenchError(f"{shlex.join(cmd.argv)} says {numbers}, the other status command {first}")
        if cmd.id == "kvimport_status":
            if d.get("liveKeys") != self.n:
                raise BenchError(f"kvimport --status counts {d.get('liveKeys')} live keys, etcd held {self.n}")
            self.setup["etcd"]["history_records"] = d["historyRecords"]

    # The measurements ------------------------------------------------------------------------------

    def measure(self):
        cmds = [c for c in COMMANDS if self.b.snapshot or not c.snapshot]
        for name in ("dump.json", "data.csv", "check.db", "diff.db", "snap.db"):  # into the page cache
            if (self.dir / name).exists():
                with open(self.dir / name, "rb") as f:
                    while f.read(MIB):
                        pass
        # Untimed first runs: warm-up, and checks of their own.
        s = self.run(["kvcheck", "-d", "check.db", "--now", self.now, "--fail-on", "never", "-o", "text"], "text.out")
        if not re.search(r"^result: +0 errors, ", (self.dir / "text.out").read_text(), re.M):
            raise BenchError(f"kvcheck -o text does not report 'result: 0 errors':\n{tail(self.dir / 'text.out')}")
        same = self.run(["kvdiff", "-d", "diff.db", "old", "old"], "same.out")  # exit 0: nothing differs
        self.setup["warmup"] = [{"cmd": "kvcheck -d check.db --now T --fail-on never -o text", "wall": round(s.wall, 2)},
                                {"cmd": "kvdiff -d diff.db old old (exit 0)", "wall": round(same.wall, 2)}]
        for c in cmds:
            if c.id.endswith("_status"):  # the numbers to compare, the history records to expect
                self.run(c.argv, f"{c.id}.out")
                self.verify_status(c, f"{c.id}.out")
        for r in range(1, self.b.runs + 1):
            for c in cmds:
                argv = [a.format(now=self.now) for a in c.argv]
                self.shown[c.id] = shlex.join(argv)
                if c.fresh:
                    for suffix in ("", "-journal", "-wal", "-shm"):
                        (self.dir / f"{c.fresh}{suffix}").unlink(missing_ok=True)
                s = self.run(argv, f"{c.id}.out", ok=(c.rc,))
                getattr(self, c.verify)(c, f"{c.id}.out")
                self.samples.setdefault(c.id, []).append(s)
                log(f"{self.label} run {r}/{self.b.runs}: {c.id} {s.wall:.2f} s, cpu {s.cpu:.2f} s, "
                    f"anon {mib(s.anon_kb)} MiB")

    def each_check(self):
        """Each check alone, once: which are slow, and the floor (decode-error) every run pays."""
        listed = subprocess.run([self.b.bins["kvcheck"], "--list-checks", "-o", "json"], capture_output=True, check=True)
        for cid in [c["id"] for c in json.loads(listed.stdout)]:
            s = self.run(["kvcheck", "-d", "check.db", "--now", self.now, "--fail-on", "never", "-o", "json",
                          "--check", cid], "one.out")
            if (summary := self.report("one.out").get("summary", {})).get("error") != 0:
                raise BenchError(f"check {cid} found errors on the healthy cluster:\n{tail(self.dir / 'one.out')}")
            self.checks.append({"id": cid, "wall": round(s.wall, 3), "cpu": round(s.cpu, 3),
                                "ran": summary.get("checks_run") == 1, "peak_anon_mb": mib(s.anon_kb),
                                "peak_hwm_mb": mib(s.hwm_kb)})
        self.checks.sort(key=lambda c: (-c["wall"], c["id"]))
        log(f"{self.label}: each of {len(self.checks)} checks alone: {sum(c['wall'] for c in self.checks):.1f} s")

    def profile(self):
        """One kvimport --timings of each PROFILES input: the phases of an import, for the docs."""
        self.profiles = []
        for title, args, snap in PROFILES:
            if snap and not self.b.snapshot:
                continue
            (self.dir / "profile.db").unlink(missing_ok=True)
            argv = ["kvimport", "--timings", "-o", "json", "-d", "profile.db", *args]
            s = self.run(argv, "profile.out")
            rows = next((x["rows"] for x in self.report("profile.out")["sections"] if x["id"] == "timings"), None)
            if not rows:
                raise BenchError(f"{shlex.join(argv)} printed no timings section:\n{tail(self.dir / 'profile.out')}")
            self.profiles.append({"title": title, "cmd": shlex.join(argv), "wall": round(s.wall, 2),
                                  "phases": [{"phase": r["phase"], "wall": r["wall_s"], "cpu": r["cpu_s"]} for r in rows]})
            log(f"{self.label}: {shlex.join(argv)}: {s.wall:.2f} s")
        (self.dir / "profile.db").unlink(missing_ok=True)

    def saved_queries(self):
        want = {"pods-per-node": self.nodes, "nodes": self.nodes, "snapshot-summary": 2}  # diff.db: 2 snapshots
        samples, rows, timed_out = {q: [] for q in QUERIES}, {}, set()
        for _ in range(self.b.runs):
            for q in (q for q in QUERIES if q not in timed_out):
                s = self.run(["kvquery", "-d", "diff.db", "-s", "new", "-q", q, "-o", "csv"], "query.out",
                             timeout=self.b.args.query_timeout)
                log(f"{self.label}: kvquery -q {q}: " + ("timed out" if s.timed_out else f"{s.wall:.2f} s"))
                if s.timed_out:
                    timed_out.add(q)
                    continue
                with open(self.dir / "query.out", newline="") as f:
                    rows[q] = sum(1 for _ in csv.reader(f)) - 1
                if rows[q] <= 0 or rows[q] != want.get(q, rows[q]):
                    raise BenchError(f"kvquery -q {q} printed {rows[q]} rows, expected {want.get(q, 'some')}")
                samples[q].append(s)
        self.queries = [{**summarize(q, f"kvquery -d diff.db -s new -q {q} -o csv", samples[q]),
                         "rows": rows.get(q), "timed_out": q in timed_out} for q in QUERIES]

    def ratios(self):
        stats = {c: summarize(c, self.shown[c], s) for c, s in self.samples.items()}
        anon, hwm, cmd = max(self.peaks)
        out = []
        for ratio in RATIOS:
            r = {"id": ratio.id, "what": ratio.what, "aim": {"op": ratio.op, "value": ratio.aim}, "size": self.label,
                 "keys": self.n, "value": None, "value_cpu": None, "met": None, "a": None, "b": None}
            if ratio.a and ratio.a not in stats:
                r["note"] = "not measured: needs the etcd snapshot (--no-snapshot)"
            elif ratio.a:
                a, b = stats[ratio.a], stats[ratio.b]
                r.update(a=a, b=b, value=round(a["wall_median"] / max(b["wall_median"], 0.001), 3),
                         value_cpu=round(a["cpu_median"] / max(b["cpu_median"], 0.001), 3))
            elif ratio.id == "db_size_vs_raw":
                r.update(value=round(self.db_bytes / self.raw, 3),
                         a={"what": "kvimport -d new.db dump.json: the size of new.db", "bytes": self.db_bytes},
                         b={"what": "sum(length(key) + length(value)) over kv", "bytes": self.raw})
            else:
                r.update(value=mib(anon), a={"cmd": cmd, "peak_anon_mb": mib(anon), "peak_hwm_mb": mib(hwm)},
                         b={"what": f"the largest of {len(self.peaks)} kvsnap runs at this size"})
            if r["value"] is not None:
                r["met"] = r["value"] <= ratio.aim if ratio.op == "<=" else r["value"] < ratio.aim
            out.append(r)
        return out


# --- the whole run ---------------------------------------------------------------------------------

def sh(*argv):
    with contextlib.suppress(OSError):
        return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return ""


def machine():
    model = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.M)
    mem = re.search(r"^MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text(), re.M)
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": model[1] if model else os.uname().machine,
            "mem_mb": int(mem[1]) // 1024, "kernel": f"{os.uname().sysname} {os.uname().release}",
            "loadavg_before": os.getloadavg()[0]}


class Bench:
    def __init__(self, args):
        self.args, self.runs, self.snapshot = args, args.runs, not args.no_snapshot
        self.work = self.etcd = None
        self.checks_run = {}

    def tools(self):
        """Builds build-release/ (unless --bin), finds the tools; their versions."""
        bindir = Path(self.args.bin or ROOT / "build-release").resolve()
        if not self.args.bin:
            log(f"building the Release tools in {bindir} ...")
            for argv in (["cmake", "-S", str(ROOT), "-B", str(bindir), "-DCMAKE_BUILD_TYPE=Release"],
                         ["cmake", "--build", str(bindir), f"-j{self.args.jobs}", "--target", *TOOLS]):
                if (done := subprocess.run(argv, capture_output=True, text=True)).returncode:
                    raise BenchError(f"{shlex.join(argv)} failed (scripts/setup installs what it needs):\n"
                                     + (done.stdout + done.stderr)[-4000:])
        self.bins = {}
        for tool in TOOLS:
            if not (found := [p for p in (bindir / tool, bindir / "bench" / tool) if os.access(p, os.X_OK)]):
                raise BenchError(f"no {tool} in {bindir} (nor in {bindir}/bench)")
            self.bins[tool] = str(found[0])
        if missing := [p for p in ["sqlite3"] + ["etcd", "etcdctl"] * self.snapshot if not shutil.which(p)]:
            raise BenchError(f"{', '.join(missing)} not found: run scripts/setup (or --no-snapshot)")
        cache = (bindir / "CMakeCache.txt").read_text() if (bindir / "CMakeCache.txt").exists() else ""
        get = lambda k: m[1] if (m := re.search(rf"^{k}:\w+=(.*)$", cache, re.M)) else ""  # noqa: E731
        return {"kvsnap": sh(self.bins["kvimport"], "--version"), "build_type": get("CMAKE_BUILD_TYPE"),
                "compiler": sh(get("CMAKE_CXX_COMPILER") or "c++", "--version").split("\n")[0],
                "sqlite3": sh("sqlite3", "--version").split(" ")[0], "python": sys.version.split()[0],
                "etcd": sh("etcd", "--version").split("\n")[0].removeprefix("etcd Version: ") if self.snapshot else None}

    def run(self):
        res = {"commit": sh("git", "rev-parse", "--short", "HEAD") or "unknown",
               "dirty": bool(sh("git", "status", "--porcelain", "--untracked-files=no")),
               "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "machine": machine(), "command": shlex.join(sys.argv), "keys": self.args.keys, "runs": self.runs,
               "snapshot": self.snapshot, "query_timeout": self.args.query_timeout}
        res["versions"] = self.tools()
        self.work = Path(tempfile.mkdtemp(prefix="kvsnap-bench."))
        log(f"work folder {self.work}")
        res.update(sizes=[], ratios=[], setup={})
        sizes = []
        for label, keys in [("N", self.args.keys)] + [("2N", 2 * self.args.keys)] * (not self.args.no_2n):
            size = Size(self, label, keys)
            size.prepare()
            size.measure()
            if label == "N":
                size.each_check()
                size.saved_queries()
                size.profile()
                res.update(checks=size.checks, queries=size.queries, profiles=size.profiles)
            res["ratios"] += size.ratios()
            res["setup"][label] = size.setup
            res["sizes"].append({"label": label, "keys_requested": keys, "keys": size.n})
            shutil.rmtree(size.dir)
            sizes.append(size)
        res["growth"] = growth(*sizes) if len(sizes) == 2 else []
        res["machine"]["loadavg_after"] = os.getloadavg()[0]
        return res

    def cleanup(self):
        if self.etcd:
            self.etcd.stop()
        if self.work:
            shutil.rmtree(self.work, ignore_errors=True)


def growth(n, n2):
    out = []
    for cid in n.samples:
        a, b = (summarize(cid, s.shown[cid], s.samples[cid]) for s in (n, n2))
        g, gc = (round(b[k] / max(a[k], 0.001), 2) for k in ("wall_median", "cpu_median"))
        out.append({"id": cid, "cmd": a["cmd"], "keys": [n.n, n2.n], "wall_median": [a["wall_median"], b["wall_median"]],
                    "cpu_median": [a["cpu_median"], b["cpu_median"]], "peak_anon_mb": [a["peak_anon_mb"], b["peak_anon_mb"]],
                    "wall_growth": g, "cpu_growth": gc, "aim": {"op": "<=", "value": GROWTH_AIM},
                    "met": g <= GROWTH_AIM, "met_cpu": gc <= GROWTH_AIM})
    return out


# --- rendering: the printed tables and docs/benchmarks.md, both from the JSON ----------------------

def num(x, digits=2):
    return "—" if x is None else f"{x:,.{digits}f}"


def met_text(met):
    return "not measured" if met is None else "met" if met else "NOT met"


def tables(res):
    """(title, headers, rows, notes) of every table. A column headed "what..." is for the docs only."""
    labels = [s["label"] for s in res["sizes"]]
    keys = {s["label"]: s["keys"] for s in res["sizes"]}
    out, rows, notes, cmds = [], [], [], {}
    for ratio in RATIOS:
        row = [ratio.id, f"{'≤' if ratio.op == '<=' else '<'} {ratio.aim}"]
        for r in (r for r in res["ratios"] if r["id"] == ratio.id):
            for side in (r["a"], r["b"]):
                if side and "walls" in side:
                    cmds.setdefault(side["id"], {})[r["size"]] = side
            if ratio.id == "peak_anon_mb":
                notes.append(f"peak_anon_mb at {r['size']}: `{r['a']['cmd']}` (its VmHWM, with mapped file pages: "
                             f"{r['a']['peak_hwm_mb']:.1f} MiB)")
            cpu = f" (cpu {num(r['value_cpu'])})" if r["value_cpu"] is not None else ""
            row += [num(r["value"], 1 if ratio.id == "peak_anon_mb" else 2) + cpu, met_text(r["met"])]
        rows.append(row + [ratio.what])
    out.append(("Ratios: medians of wall times (of CPU times in brackets)", ["ratio", "aim"]
                + [h for l in labels for h in (f"{l} = {keys[l]:,} keys", "")] + ["what"], rows, notes))

    growth = {g["id"]: g for g in res["growth"]}
    heads = ["command (in a work folder)", "wall s", "cpu s", "anon MiB", "HWM MiB"]
    if growth:
        heads = heads[:1] + [f"{h} {l}" for l in labels for h in heads[1:3]] + ["growth", "cpu growth",
                                                                                 f"aim ≤ {GROWTH_AIM}"] + heads[3:]
    rows = []
    for cid, by in sorted(cmds.items(), key=lambda c: [c.id for c in COMMANDS].index(c[0])):
        st, g = by["N"], growth.get(cid)
        row = [st["cmd"], num(st["wall_median"]), num(st["cpu_median"])]
        if g:
            row += [num(by["2N"]["wall_median"]), num(by["2N"]["cpu_median"]), num(g["wall_growth"]),
                    num(g["cpu_growth"]), met_text(g["met"]) + ("" if g["met"] == g["met_cpu"] else " (cpu: "
                                                                + met_text(g["met_cpu"]) + ")")]
        rows.append(row + [" / ".join(num(by[l]["peak_anon_mb"], 1) for l in labels if l in by),
                           " / ".join(num(by[l]["peak_hwm_mb"], 1) for l in labels if l in by)])
    out.append((f"Commands: medians of {res['runs']} run(s)" + (", memory at N / 2N" if growth else ""), heads, rows, []))

    if checks := res.get("checks"):
        shown = checks[:SLOWEST_CHECKS] + [c for c in checks[SLOWEST_CHECKS:] if c["id"] == "decode-error"]
        rows = [[c["id"] + (" (floor)" if c["id"] == "decode-error" else ""), num(c["wall"]), num(c["cpu"]),
                 num(c["peak_anon_mb"], 1), num(c["peak_hwm_mb"], 1), "" if c["ran"] else "skipped"] for c in shown]
        out.append((f"Each check alone at N: the {SLOWEST_CHECKS} slowest of {len(checks)}",
                    ["check", "wall s", "cpu s", "anon MiB", "HWM MiB", ""], rows,
                    [f"`kvcheck -d check.db --now T --fail-on never -o json --check ID`, once each; all {len(checks)} "
                     f"take {sum(c['wall'] for c in checks):.2f} s. The trivial decode-error check is the floor every "
                     "run pays: process start, opening the database, building the context."]))
    if res.get("queries"):
        rows = [[q["cmd"], num(q["rows"], 0), f"> {res['query_timeout']:g}" if q["timed_out"] else num(q["wall_median"]),
                 num(q["cpu_median"]), num(q["peak_anon_mb"], 1), num(q["peak_hwm_mb"], 1)] for q in res["queries"]]
        out.append(("Saved queries over the new snapshot at N", ["query", "rows", "wall s", "cpu s", "anon MiB",
                                                                  "HWM MiB"], rows,
                    [f"A run longer than {res['query_timeout']:g} s is stopped and the query's other runs skipped."]))

    if profiles := res.get("profiles"):
        out.append(profile_table(profiles, res))

    setup = [res["setup"][l] for l in labels]
    rows = [[st["step"]] + [num(s["steps"][i]["wall"]) if i < len(s["steps"]) else "—" for s in setup] + [st["cmd"]]
            for i, st in enumerate(setup[0]["steps"])]
    facts = [(f"{name} (MiB)", lambda s, n=name: s["files"].get(n, 0) / MIB, 1) for name in setup[0]["files"]]
    facts += [("keys and values (MiB)", lambda s: s["raw_kv_bytes"] / MIB, 1), ("keys", lambda s: s["keys"], 0),
              ("keys kvgen changed (1%)", lambda s: s["changed_keys"], 0)]
    if "etcd" in setup[0]:
        facts += [("snap.db: key bucket records", lambda s: s["etcd"]["history_records"], 0),
                  ("ipcache keys put again", lambda s: s["etcd"]["reput_keys"], 0),
                  ("etcd peak VmHWM (MiB)", lambda s: s["etcd"]["etcd_peak_hwm_mb"], 0)]
    rows += [[name] + [num(get(s), digits) for s in setup] + [""] for name, get, digits in facts]
    out.append(("Setup: timed, not measured (seconds)", ["setup"] + labels + ["what (at N)"], rows, []))
    return out


SERIAL = ("- writer: SQLite inserts (busy)", "planner statistics (ANALYZE)", "commit and close the database",
          "write the new file to disk (fsync), move it into place")  # with every "build index": one at a time
BEFORE_LOAD = ("read the file", "walk the b+tree pages", "sort the key bucket's records by key",
               "wait for the SHA-256 of the file")  # an etcd db file's reading before its first key


def profile_table(profiles, res):
    """The phases of each profiled import side by side, in the order they happen, and what the phases
    that run one after the other on the SQLite connection add up to against the import ratios' aims."""
    order = []  # phase names: each profile's in its order, a new one after the phase before it
    for p in profiles:
        at = 0
        for ph in p["phases"]:
            if ph["phase"] in order:
                at = order.index(ph["phase"]) + 1
            else:
                order.insert(at, ph["phase"])
                at += 1
    by = [{ph["phase"]: ph for ph in p["phases"]} for p in profiles]
    builds = [n for n in order if n.startswith("build index ")]
    small = [n for n in builds if all(b.get(n, {}).get("wall", 0) < PROFILE_FOLD for b in by)]
    rows = []
    for name in order:
        if name not in small:
            rows.append([name] + [num(b[name][k]) if name in b else "—" for b in by for k in ("wall", "cpu")])
        if small and name == builds[-1]:  # the small ones in one row, after the last build
            cells = [sum(b[n][k] for n in small if n in b) for b in by for k in ("wall", "cpu")]
            rows.append([f"build the other {len(small)} indexes (each < {PROFILE_FOLD} s)"] + [num(c) for c in cells])
    heads = ["phase"] + [h for p in profiles for h in (f"{p['title']} wall s", "cpu s")]
    notes = ["`" + "`, `".join(p["cmd"] for p in profiles) + "`. cpu s counts every thread of the process; the two "
             "rows starting with \"-\" are the two threads of the load, each while busy (not waiting for the other): "
             "the one whose busy time is close to the load's wall time sets the pace"]
    medians = {r["id"]: r for r in res["ratios"] if r["size"] == "N" and r["a"] and "wall_median" in r["a"]}
    serial = [sum(ph["wall"] for ph in p["phases"] if ph["phase"] in SERIAL or ph["phase"].startswith("build index "))
              for p in profiles]
    if (ratio := medians.get("import_vs_sqlite")) and profiles[0]["title"] == "dump.json":
        floor = serial[0] / ratio["b"]["wall_median"]
        notes.append(f"The SQLite connection runs one statement at a time: in the import of dump.json, the writer's "
                     f"busy time, the index builds, ANALYZE, the commit and the fsync add up to {serial[0]:.2f} s, "
                     f"{floor:.2f} times the median of sqlite3's whole .import ({ratio['b']['wall_median']:.2f} s): "
                     f"import_vs_sqlite stays above that however fast the parsing, unless SQLite does less")
    if (ratio := medians.get("snapshot_vs_dump")) and len(profiles) > 1 and profiles[1]["title"].endswith("--no-history"):
        before = sum(ph["wall"] for ph in profiles[1]["phases"] if ph["phase"] in BEFORE_LOAD)
        total = before + serial[1]
        notes.append(f"In the import of snap.db --no-history the file's walk and sort ({before:.2f} s) come before "
                     f"the first key, then the same serial SQLite work ({serial[1]:.2f} s): {total:.2f} s, "
                     f"{total / ratio['b']['wall_median']:.2f} times the median of the dump.json import "
                     f"({ratio['b']['wall_median']:.2f} s): about the least snapshot_vs_dump can be unless SQLite does "
                     f"less or the walk and the sort get faster")
    return ("Where an import's time goes at N: kvimport --timings, one run each", heads, rows, notes)


def render_text(res):
    m, v = res["machine"], res["versions"]
    lines = [f"kvsnap bench at {res['commit']}{'+dirty' if res['dirty'] else ''}, {res['date']}, {m['nproc']} CPUs "
             f"({m['cpu']}), {m['mem_mb']:,} MiB; load {m['loadavg_before']:.2f} before, {m['loadavg_after']:.2f} after",
             f"{v['kvsnap']}, {v['build_type'] or '?'} build; sqlite3 {v['sqlite3']}"
             + (f"; etcd {v['etcd']}" if v.get("etcd") else "")]
    for title, heads, rows, notes in tables(res):
        keep = [i for i, h in enumerate(heads) if not h.startswith("what")]
        cells = [[heads[i] for i in keep]] + [[str(r[i]) for i in keep] for r in rows]
        cells = [[c if len(c) <= 80 else c[:40] + " … " + c[-37:] for c in r] for r in cells]
        widths = [max(len(r[i]) for r in cells) for i in range(len(keep))]
        lines += ["", f"== {title}"] + ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w)
                                                   in enumerate(zip(r, widths))).rstrip() for r in cells]
        lines += [n.replace("`", "") for n in notes]
    return "\n".join(lines)


def render_markdown(res):
    m, v = res["machine"], res["versions"]
    commit = f"`{res['commit']}{'+dirty' if res['dirty'] else ''}`"
    lines = ["# Benchmarks", "", "<!-- Generated by bench/bench.py --write-docs (or --render-docs FILE.json): do not "
             "edit; rerun the bench. -->", "",
             f"Generated by `bench/bench.py --write-docs` from one run's figures; do not edit. Every number below was "
             f"measured at commit {commit} on {res['date']} by", "", f"    {res['command']}", "",
             f"on {m['nproc']} CPUs ({m['cpu']}) with {m['mem_mb']:,} MiB of memory, {m['kernel']}; load average "
             f"{m['loadavg_before']:.2f} before, {m['loadavg_after']:.2f} after. Tools: {v['kvsnap']} "
             f"({v['build_type'] or 'unknown'} build, {v['compiler']}), sqlite3 {v['sqlite3']}"
             + (f", etcd {v['etcd']}" if v.get("etcd") else "") + f", Python {v['python']}."]
    if res["dirty"]:
        lines += ["", "`+dirty`: the working tree had uncommitted changes to tracked files; the figures are not exactly "
                  f"those of {res['commit']}."]
    if res["commit"] not in v["kvsnap"]:
        lines += ["", f"The tools were built from another commit than {res['commit']} (`--bin`): see their version above."]
    if res["keys"] < 1_000_000 or res["runs"] < 3 or v["build_type"] != "Release":
        lines += ["", f"> **Not the reference figures:** {res['keys']:,} keys, {res['runs']} run(s), "
                  f"{v['build_type'] or 'unknown'} build. The reference run is `bench/bench.py --json bench.json "
                  "--write-docs` (1,000,000 and 2,000,000 keys, 3 runs, Release) on an otherwise idle machine."]
    lines += ["", "A size's measured commands run round robin, so the two sides of every ratio alternate; every "
              "database is written fresh and inputs come from the page cache. Times are medians of wall and CPU "
              "(user+sys) time; memory is the peak RssAnon sampled every ~10 ms (anon), VmHWM adds mapped file "
              "pages (HWM). Generation, the setup imports and the etcd load are setup, not measured. Every run is "
              "checked: kvcheck reports 0 errors on the healthy generated cluster, kvdiff's counts equal kvgen's "
              "per entity and kind (and `kvdiff old old` exits 0), `kvimport --status` equals `etcdctl snapshot "
              "status`, every import holds every key."]
    for title, heads, rows, notes in tables(res):
        lines += ["", f"## {title}", "", "| " + " | ".join(heads) + " |",
                  "|" + "|".join(":--" if i == 0 or h.startswith("what") else "--:" for i, h in enumerate(heads)) + "|"]
        lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
        for n in notes:  # a paragraph each
            lines += ["", n.rstrip(".") + "."]
    return "\n".join(lines) + "\n"


def write_docs(res, path):
    Path(path).write_text(render_markdown(res))
    log(f"wrote {path}")


# --- command line ----------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keys", type=int, default=1_000_000, metavar="N", help="about N keys, and 2N (default 1000000)")
    ap.add_argument("--runs", type=int, default=3, metavar="R", help="runs of each measured command (default 3)")
    ap.add_argument("--no-2n", action="store_true", help="skip the doubled size (no growth factors)")
    ap.add_argument("--quick", action="store_true", help="--keys 20000 --runs 1 --no-2n")
    ap.add_argument("--no-snapshot", action="store_true", help="no etcd: the ratios needing it are 'not measured'")
    ap.add_argument("--bin", metavar="DIR", help="the tools built in DIR (kvgen in DIR or DIR/bench) instead of "
                    "building build-release/")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="build jobs (default 2)")
    ap.add_argument("--query-timeout", type=float, default=120, metavar="S", help="stop a kvquery run after S s")
    ap.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    ap.add_argument("--write-docs", action="store_true", help="also (re)write the docs page from this run")
    ap.add_argument("--render-docs", metavar="JSON", help="(re)write the docs page from earlier figures; measure nothing")
    ap.add_argument("--docs", metavar="FILE", default=str(ROOT / "docs/benchmarks.md"),
                    help="the docs page (default docs/benchmarks.md)")
    args = ap.parse_args()
    if args.quick:
        args.keys, args.runs, args.no_2n = 20_000, 1, True
    if args.render_docs:
        write_docs(json.loads(Path(args.render_docs).read_text()), args.docs)
        return 0
    if args.keys < 1000 or args.runs < 1:
        ap.error("--keys wants at least 1000, --runs at least 1")
    for out in filter(None, (args.json, args.write_docs and args.docs)):
        if not os.access(Path(out).resolve().parent, os.W_OK):
            ap.error(f"cannot write {out}")

    def stop(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    bench = Bench(args)
    try:
        res = bench.run()
    except BenchError as e:
        print(f"bench: FAILED: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        bench.cleanup()
    print(render_text(res))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1) + "\n")
        log(f"wrote {args.json}")
    if args.write_docs:
        write_docs(res, args.docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
