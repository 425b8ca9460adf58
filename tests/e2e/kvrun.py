"""Runs kvimport the way corruption.sh and hostile.sh need it: under a timeout, with an
address-space limit (ulimit -v) and its peak RSS measured (wait4), and checks what a refusal must
say. Not a test itself (ctest runs tests/e2e/*.sh only).

Under sanitizers (scripts/sanitize: ASAN_OPTIONS set, or an instrumented kvimport) there is no
address-space limit (ASan reserves terabytes of shadow memory) and no RSS bound (ASan's own
memory counts): the cases still run, for crashes and their verdicts."""
import hashlib
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import threading
import time

BIN = os.environ["KVSNAP_BIN"]
SRC = os.environ["KVSNAP_SRC"]
KVIMPORT = os.path.join(BIN, "kvimport")


def _instrumented():
    with open(KVIMPORT, "rb") as f:
        data = f.read()
    return b"__asan_init" in data or b"__ubsan_handle" in data


SANITIZED = bool(os.environ.get("ASAN_OPTIONS")) or _instrumented()


class Result:
    def __init__(self, args, rc, out, err, rss_kb, seconds, timed_out):
        self.args, self.rc, self.out, self.err = args, rc, out, err
        self.rss_kb, self.seconds, self.timed_out = rss_kb, seconds, timed_out

    def describe(self):
        return (f"kvimport {' '.join(self.args)}: exit {self.rc}, {self.seconds:.2f} s, "
                f"peak RSS {self.rss_kb // 1024} MiB{' (TIMED OUT)' if self.timed_out else ''}\n"
                f"--- stderr\n{self.err[:1500]}\n--- stdout\n{self.out[:500]}")


def run(args, stdin=None, feed=None, timeout=60, vmem_mib=None, cwd=None, env=None):
    """kvimport ARGS. stdin: None, bytes, or an open file; feed: a function writing to a pipe on
    kvimport's standard input (from a thread: a generated input is streamed, never stored)."""
    def limits():
        if vmem_mib and not SANITIZED:
            b = vmem_mib << 20
            resource.setrlimit(resource.RLIMIT_AS, (b, b))

    out_f = open(_tmpfile("out"), "w+b")
    err_f = open(_tmpfile("err"), "w+b")
    if isinstance(stdin, bytes):
        in_f = open(_tmpfile("in"), "w+b")
        in_f.write(stdin)
        in_f.seek(0)
    elif feed is not None:
        in_f = subprocess.PIPE
    else:
        in_f = stdin if stdin is not None else subprocess.DEVNULL
    start = time.monotonic()
    p = subprocess.Popen([KVIMPORT] + list(args), stdin=in_f, stdout=out_f, stderr=err_f,
                         preexec_fn=limits, cwd=cwd, env=env)
    timed_out = [False]

    def kill():
        timed_out[0] = True
        p.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    writer = None
    if feed is not None:
        def write():
            try:
                feed(p.stdin)
            except (BrokenPipeError, ValueError, OSError):
                pass
            finally:
                try:
                    p.stdin.close()
                except OSError:
                    pass
        writer = threading.Thread(target=write, daemon=True)
        writer.start()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
    timer.cancel()
    seconds = time.monotonic() - start
    if writer:
        writer.join(timeout=5)
    out_f.seek(0)
    err_f.seek(0)
    res = Result(args, p.returncode, out_f.read().decode("utf-8", "replace"),
                 err_f.read().decode("utf-8", "replace"), usage.ru_maxrss, seconds, timed_out[0])
    for f in (out_f, err_f) + ((in_f,) if isinstance(stdin, bytes) else ()):
        f.close()
        os.remove(f.name)
    return res


_tmp_counter = [0]
_tmp_lock = threading.Lock()


def _tmpfile(kind):
    with _tmp_lock:
        _tmp_counter[0] += 1
        n = _tmp_counter[0]
    d = os.path.join(os.environ["KVRUN_TMP"], ".kvrun")
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, f"run-{n}.{kind}")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def refusal_problems(res, label, where=r"(byte|line|page|member) [^:]+"):
    """What is wrong with `res` as a refusal of input `label`: exit 2, and a message naming the
    input and the place ("LABEL: byte N: ...", where="" when the input is the place: a file of a
    folder), and saying nothing was imported. [] when right."""
    problems = []
    if res.timed_out:
        problems.append("timed out")
    if res.rc != 2:
        problems.append(f"exit status {res.rc}, expected 2")
    if not re.search(re.escape(label) + r": " + (where + r": " if where else ""), res.err):
        problems.append(f"the message does not name {label}" + (f" and a place ({where})" if where else ""))
    if "nothing was imported" not in res.err:
        problems.append("no 'nothing was imported'")
    return problems


def kv_digest(db_path, snapshot_name):
    """SHA-256 over the keys and values of one snapshot, in key order (what an import holds)."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        h = hashlib.sha256()
        n = 0
        for k, v in con.execute("SELECT key, value FROM kv WHERE snapshot_id = (SELECT id FROM snapshot WHERE "
                                "name = ?) ORDER BY key", (snapshot_name,)):
            k = k if isinstance(k, bytes) else k.encode()
            v = v if isinstance(v, bytes) else v.encode()
            h.update(len(k).to_bytes(8, "little") + k + len(v).to_bytes(8, "little") + v)
            n += 1
        return n, h.hexdigest()
    finally:
        con.close()


def snapshot_warnings(db_path, snapshot_name):
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT coalesce(warnings, '') FROM snapshot WHERE name = ?", (snapshot_name,)).fetchone()
        return row[0] if row else ""
    finally:
        con.close()


def copy(src, dst):
    shutil.copyfile(src, dst)
    return dst
