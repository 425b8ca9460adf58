#!/usr/bin/env python3
"""The corruption corpus of corruption.sh, made at test time from the real fixtures: truncations,
single-byte flips and crafted structures of etcd snapshot files, JSON, protobuf and text dumps
and a sysdump. Each case has a verdict it must meet, and every run must finish within its
timeout and memory bound, and a refused import must leave the database byte for byte as it was.

Verdicts (what each case proves is printed with it when it fails):
  refused           exit 2, "FILE: <byte|line|page|member> N: ..." and "nothing was imported"
  trailer           refused, by the SHA-256 trailer of a snapshot file: a damage anywhere in the
                    pages is caught there, whatever it hit
  refused|same      refused, or imported exactly what the undamaged file holds (the damage hit
                    bytes nothing reads: free space, a page nothing reaches)
  refused|warned    refused, or imported with a warning on the snapshot (PATTERN)
  same(+warning)    imported exactly the undamaged file's keys and values (and the warning)
  any               exit 0 or a well-formed refusal: the damage hit content no checksum covers
                    (a value byte of a bbolt page without the trailer check, a base64 character,
                    a zip member name): no format can tell, the case shows it neither crashes,
                    hangs, nor grows without bound
"""
import base64
import concurrent.futures
import hashlib
import json
import os
import re
import struct
import sys

import kvrun

FIX = os.path.join(kvrun.SRC, "fixtures")
TMP = os.environ["KVRUN_TMP"]
CASES = os.path.join(TMP, "cases")
os.makedirs(CASES, exist_ok=True)
SAN = kvrun.SANITIZED
TIMEOUT = 120 if SAN else 20
VMEM_MIB = 512        # ulimit -v of each run: a 2 GiB allocation from a declared length fails loudly
RSS_MIB = 96          # peak RSS of each run (the fixtures are at most 180 KB)


class Case:
    def __init__(self, group, name, data, verdict, proves, args=(), suffix="", warning=None, base=None):
        self.group, self.name, self.data, self.verdict, self.proves = group, name, data, verdict, proves
        self.args, self.warning, self.base = list(args), warning, base
        # etcd db files also go through `kvimport --verify` (bbolt's checks, collecting problems
        # instead of stopping at the first): exit 0, 1 (problems listed) or 2 (unreadable).
        self.verify = group.endswith(".db") or group.endswith(".db-crafted")
        safe = re.sub(r"[^A-Za-z0-9_.+-]", "_", f"{group}-{name}")
        self.path = os.path.join(CASES, safe + suffix)


cases = []


def add(*a, **kw):
    cases.append(Case(*a, **kw))


def read(rel):
    with open(os.path.join(FIX, rel), "rb") as f:
        return f.read()


# ---------------------------------------------------------------- etcd db files (bbolt + MVCC)
MASK = (1 << 64) - 1


def fnv1a64(b):
    h = 0xCBF29CE484222325
    for c in b:
        h = ((h ^ c) * 0x100000001B3) & MASK
    return h


class Bolt:
    """Reads a bbolt file as bbolt does (meta pages, then the trees from the root) and notes where
    each reachable page, element header, key and value is."""

    def __init__(self, data):
        self.d = data
        self.ps = struct.unpack_from("<I", data, 24)[0]
        self.trailer = len(data) % 512 == 32
        metas = [self.meta(0), self.meta(self.ps)]
        m = max(metas, key=lambda m: m["txid"])
        self.root, self.hwm = m["root"], m["pgid"]
        self.kind = {}       # pgid -> branch | leaf | overflow
        self.elems = []      # dicts: page, kind, i, count, hdr, key, ksize, val, vsize, child, bucket_root_at
        self.tree(self.root, True)

    def meta(self, off):
        f = struct.unpack_from("<IIIIQQQQQQ", self.d, off + 16)
        return dict(zip(("magic", "version", "page_size", "flags", "root", "sequence", "freelist", "pgid", "txid",
                         "checksum"), f))

    def tree(self, pg, top):
        base = pg * self.ps
        _, flags, count, ov = struct.unpack_from("<QHHI", self.d, base)
        self.kind[pg] = "branch" if flags == 1 else "leaf"
        for k in range(1, ov + 1):
            self.kind[pg + k] = "overflow"
        for i in range(count):
            hdr = base + 16 + 16 * i
            if flags == 1:
                pos, ksize, child = struct.unpack_from("<IIQ", self.d, hdr)
                self.elems.append(dict(page=pg, kind="branch", i=i, count=count, hdr=hdr, key=hdr + pos,
                                       ksize=ksize, child=child))
                self.tree(child, top)
            else:
                fl, pos, ksize, vsize = struct.unpack_from("<IIII", self.d, hdr)
                e = dict(page=pg, kind="leaf", i=i, count=count, hdr=hdr, key=hdr + pos, ksize=ksize,
                         val=hdr + pos + ksize, vsize=vsize, top=top)
                self.elems.append(e)
                if fl & 1 and top:
                    root = struct.unpack_from("<Q", self.d, e["val"])[0]
                    e["bucket_root_at"] = e["val"]
                    if root:
                        self.tree(root, False)

    def first(self, **want):
        for e in self.elems:
            if all(e.get(k) == v for k, v in want.items()):
                return e
        return None


def fix_meta(d, off):
    struct.pack_into("<Q", d, off + 16 + 56, fnv1a64(bytes(d[off + 16:off + 16 + 56])))


def fix_trailer(d):
    if len(d) % 512 == 32:
        d[-32:] = hashlib.sha256(bytes(d[:-32])).digest()


def flipped(data, at, mask=0xFF):
    d = bytearray(data)
    d[at] ^= mask
    return bytes(d)


def db_cases(rel):
    data = read(rel)
    b = Bolt(data)
    g = os.path.basename(rel)
    pages_end = b.hwm * b.ps
    intact = dict(base=rel)
    # Truncation: inside both meta pages, and inside every kind of page the trees reach.
    cuts = {"meta0-header": 10, "meta0-magic": 18, "meta0-struct": 40, "meta0-checksum": 75, "meta0-end": b.ps - 1,
            "meta1-header": b.ps + 8, "meta1-struct": b.ps + 50}
    for kind in ("branch", "leaf", "overflow"):
        for pg in sorted(p for p, k in b.kind.items() if k == kind)[:2]:
            for where, off in (("header", 9), ("elements", 24), ("middle", b.ps // 2), ("last-byte", b.ps - 1)):
                cuts[f"{kind}{pg}-{where}"] = pg * b.ps + off
    cuts["before-last-page-end"] = pages_end - 1
    for name, at in sorted(cuts.items(), key=lambda kv: kv[1]):
        add(g, f"cut-{name}@{at}", data[:at], "refused",
            "a file cut inside its pages is refused (the meta page's page count is more than the file holds, "
            "or a meta page is missing), never read in part")
    if b.trailer:
        add(g, "cut-trailer-whole", data[:pages_end], "same", "without its trailer a snapshot is a member db: "
            "every page is there, the same keys import (snapshot.trailer = absent)", **intact)
        for n in (1, 31):
            add(g, f"cut-trailer-{n}", data[:len(data) - n], "same", "a cut trailer cannot be checked: the same "
                "keys import, with a warning that integrity is unchecked", warning="not a SHA-256 trailer",
                **intact)
    # Single-byte flips, in every kind of page: with the trailer check they are all caught there;
    # without it (--skip-hash-check, or a member db) by the structure where bbolt's format allows.
    flips = []
    for m, off in (("meta0", 0), ("meta1", b.ps)):
        for what, at in (("flags", 8), ("magic", 16), ("page-size", 24), ("root", 32), ("pgid", 56), ("txid", 64),
                         ("checksum", 72)):
            flips.append((f"{m}-{what}", off + at, "refused|warned", "meta page"))
        flips.append((f"{m}-unused", off + 1000, "same", None))
    for kind in ("branch", "leaf"):
        for pg in sorted(p for p, k in b.kind.items() if k == kind)[:2]:
            for what, at, mask in (("id", 0, 0x01), ("flags", 8, 0x01), ("count", 10, 0x01), ("count-high", 11, 0x01),
                                   ("overflow", 12, 0x01)):
                flips.append((f"{kind}{pg}-{what}", pg * b.ps + at, "refused|same", None, mask))
    for kind in ("branch", "leaf"):
        e = b.first(kind=kind, i=0)
        if e and e["count"] > 1:
            fields = (("pos", 4), ("ksize", 8)) if kind == "branch" else (("flags", 0), ("pos", 4), ("ksize", 8),
                                                                         ("vsize", 12))
            for what, at in fields:
                flips.append((f"{kind}{e['page']}-elem0-{what}", e["hdr"] + at, "refused", None, 0x01))
            flips.append((f"{kind}{e['page']}-elem0-key", e["key"] + e["ksize"] // 2, "any", None))
            if kind == "branch":
                flips.append((f"{kind}{e['page']}-elem0-child", e["hdr"] + 8, "any", None, 0x01))
    e = b.first(kind="leaf", top=False)
    if e:
        last = [x for x in b.elems if x["page"] == e["page"]][-1]
        flips.append((f"leaf{e['page']}-last-vsize", last["hdr"] + 12, "any", None, 0x01))
        flips.append((f"leaf{e['page']}-value", e["val"] + e["vsize"] // 2, "any", None))
        flips.append((f"leaf{e['page']}-value-varint", e["val"] + 1, "any", None))
    for pg in sorted(p for p, k in b.kind.items() if k == "overflow")[:1]:
        flips.append((f"overflow{pg}-data", pg * b.ps + b.ps // 2, "any", None))
    if b.trailer:
        flips.append(("trailer", len(data) - 5, "same", None))
    for f in flips:
        name, at, skip_verdict, warn = f[0], f[1], f[2], f[3]
        mask = f[4] if len(f) > 4 else 0xFF
        d = flipped(data, at, mask)
        if b.trailer:
            add(g, f"flip-{name}@{at}", d, "trailer", "the SHA-256 trailer covers every byte of the pages",
                **intact)
        args = ["--skip-hash-check"] if b.trailer else []
        proves = {"refused|warned": "a damaged meta page is refused by its checksum; bbolt then reads the other "
                                    "one, which the snapshot's warnings say",
                  "refused|same": "a damaged page header is refused, unless nothing reads what it hit",
                  "refused": "element headers must chain as bbolt writes them: a damaged one is refused",
                  "same": "bytes nothing reads change nothing",
                  "any": "content without a checksum (keys, values, child ids) may import changed; it never crashes "
                         "or hangs"}[skip_verdict]
        add(g, f"flip-{name}@{at}-unchecked", d, skip_verdict, proves, args=args,
            warning="meta page" if skip_verdict == "refused|warned" else None, **intact)
    return b


def struct_cases(rel):
    """Crafted structures with the checksums fixed (FNV-1a of the meta, SHA-256 trailer), so the
    check that must catch them is reached."""
    data = read(rel)
    b = Bolt(data)
    g = os.path.basename(rel) + "-crafted"

    def craft(name, verdict, proves, edits, metas=(), warning=None):
        d = bytearray(data)
        for fmt_, at, v in edits:
            struct.pack_into(fmt_, d, at, v)
        for off in metas:
            fix_meta(d, off)
        fix_trailer(d)
        add(g, name, bytes(d), verdict, proves, warning=warning, base=rel)

    both = (0, b.ps)
    for size, label in ((0, "0"), (1 << 30, "1GiB"), (1024, "1024")):
        craft(f"page-size-{label}-both-metas", "refused", f"a page size of {label} in both meta pages (checksums "
              "fixed) is refused", [("<I", m + 24, size) for m in both], metas=both)
    for size, label in ((0, "0"), (1 << 30, "1GiB")):
        craft(f"page-size-{label}-meta0", "refused|warned", f"a page size of {label} in meta page 0 only: bbolt "
              "reads meta page 1, and the warning says so", [("<I", 24, size)], metas=(0,), warning="meta page 0")
    craft("pgid-2^40", "refused", "a high-water mark past the end of the file is refused",
          [("<Q", m + 16 + 40, 1 << 40) for m in both], metas=both)
    craft("root-past-end", "refused", "a root page past the high-water mark is refused",
          [("<Q", m + 16 + 16, b.hwm + 1) for m in both], metas=both)
    d = bytearray(data)
    d[-1] ^= 1
    add(g, "trailer-byte", bytes(d), "trailer", "a wrong SHA-256 trailer is refused", base=rel)
    br = b.first(kind="branch")
    if br:
        craft(f"branch{br['page']}-child-past-end", "refused", "a child page id past the end is refused",
              [("<Q", br["hdr"] + 8, b.hwm + 7)])
        craft(f"branch{br['page']}-child-2^40", "refused", "a child page id far past the end is refused",
              [("<Q", br["hdr"] + 8, 1 << 40)])
        craft(f"branch{br['page']}-child-itself", "refused", "a branch pointing at itself is a page reached twice, "
              "not a loop", [("<Q", br["hdr"] + 8, br["page"])])
    bk = next((e for e in b.elems if e.get("bucket_root_at") and
               struct.unpack_from("<Q", data, e["bucket_root_at"])[0]), None)
    if bk:
        craft("bucket-root-2^40", "refused", "a bucket whose root page is far past the end is refused",
              [("<Q", bk["bucket_root_at"], 1 << 40)])
        craft("bucket-root-is-root-page", "refused", "a bucket whose root is the root page is a page reached "
              "twice", [("<Q", bk["bucket_root_at"], b.root)])
    lf = b.first(kind="leaf", top=False)
    if lf:
        craft(f"leaf{lf['page']}-overflow-2GiB", "refused", "an overflow count of 2^31 in a small file is refused "
              "from the header, before any page is read", [("<I", lf["page"] * b.ps + 12, 1 << 31)])
        craft(f"leaf{lf['page']}-vsize-2GiB", "refused", "a value size of 2^31 in a small file is refused",
              [("<I", lf["hdr"] + 12, 1 << 31)])


# ---------------------------------------------------------------- text formats: JSON, protobuf, lines
def cut_offsets(data, n):
    step = max(1, len(data) // n)
    return sorted(set(list(range(1, len(data), step)) + [len(data) - 2]))


def json_cases(rel, fmt_name):
    data = read(rel)
    g = os.path.basename(rel)
    s = data.decode()
    special = {}
    i = s.find('"value":"') if '"value":"' in s else s.find('"Data": "')
    special["inside-a-string"] = i + 12
    special["between-key-and-value"] = s.find(":", i) + 1
    special["inside-a-number"] = s.find('"mod_revision":') + 16 if '"mod_revision":' in s else s.find('"ModRevision": ') + 15
    special["before-last-brace"] = s.rstrip().rfind("}")
    for name, at in special.items():
        add(g, f"cut-{name}@{at}", data[:at], "refused", "a JSON dump cut anywhere is refused as truncated",
            args=["--format", fmt_name])
    for at in cut_offsets(data, 30):
        if at <= special["before-last-brace"]:
            add(g, f"cut@{at}", data[:at], "refused", "a JSON dump cut anywhere is refused as truncated",
                args=["--format", fmt_name])
    for name, at, verdict, proves in (
            ("brace", s.find("{", 1), "refused", "a structural character changed is a syntax error"),
            ("base64-char", i + 14, "any", "a base64 character changed may still be base64: JSON has no checksum"),
            ("quote", i + 8, "refused", "a quote changed breaks the document")):
        add(g, f"flip-{name}@{at}", flipped(data, at, 0x01), verdict, proves, args=["--format", fmt_name])


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def read_varint(d, i):
    v = shift = 0
    while True:
        b = d[i]
        v |= (b & 0x7F) << shift
        i += 1
        shift += 7
        if not b & 0x80:
            return v, i


def protobuf_cases(rel):
    data = read(rel)
    g = os.path.basename(rel)
    # The top-level fields: (tag offset, tag, length offset, body offset, end).
    fields, i = [], 0
    while i < len(data):
        tag, j = read_varint(data, i)
        if tag & 7 == 2:
            n, k = read_varint(data, j)
            fields.append((i, tag, j, k, k + n))
            i = k + n
        else:
            _, i = read_varint(data, j)
    kvs = [f for f in fields if f[1] >> 3 == 2]
    multi = next(f for f in kvs if f[3] - f[2] > 1)  # a length varint of 2+ bytes
    add(g, f"cut-inside-a-varint@{multi[2] + 1}", data[:multi[2] + 1], "refused",
        "a protobuf dump cut inside a varint is refused as truncated")
    add(g, f"cut-before-count@{kvs[-1][4]}", data[:kvs[-1][4]], "refused",
        "etcd writes the count after the kvs: a dump cut before it is refused")
    for at in cut_offsets(data, 30):
        add(g, f"cut@{at}", data[:at], "refused", "a protobuf dump cut anywhere is refused as truncated")
    # A 2 GiB declared length in a small file: of a KeyValue, and of a value inside one.
    t, tag, lo, bo, end = kvs[0]
    add(g, "kvs-length-2GiB", data[:lo] + varint(1 << 31) + data[bo:], "refused",
        "a KeyValue declaring 2 GiB is refused from its length, before anything is read into memory")
    body = data[bo:end]
    j, out = 0, bytearray()
    while j < len(body):
        ftag, k = read_varint(body, j)
        if ftag & 7 == 2:
            n, m = read_varint(body, k)
            out += varint(ftag) + (varint(1 << 31) if ftag >> 3 == 5 else varint(n)) + body[m:m + n]
            j = m + n
        else:
            _, m = read_varint(body, k)
            out += body[j:m]
            j = m
    add(g, "value-length-2GiB", data[:bo - (bo - lo)] + varint(len(out)) + bytes(out) + data[end:], "refused",
        "a value declaring 2 GiB inside a KeyValue is refused (it runs past its message)")
    add(g, "flip-tag", flipped(data, kvs[1][0], 0x07), "refused", "a wire type changed is refused")
    add(g, "flip-value-byte", flipped(data, kvs[1][4] - 3, 0x01), "any",
        "a value byte changed: protobuf has no checksum")


def lines_cases(rel, fmt_name, counted):
    data = read(rel)
    g = os.path.basename(rel)
    nl = [i for i, c in enumerate(data) if c == 10]
    for at in cut_offsets(data, 25):
        at_boundary = at > 0 and data[at - 1] == 10
        if at_boundary and not counted:
            verdict, proves = "any", ("a cut between two lines cannot be seen in this format (it has no count): "
                                      "the keys before it import, or the cut splits a key from its value")
        else:
            verdict, proves = "refused", ("a line cut in its middle has no newline: refused as truncated"
                                          if not at_boundary else "-w fields counts its kvs: a cut is refused")
        add(g, f"cut@{at}", data[:at], verdict, proves, args=["--format", fmt_name])
    mid = nl[len(nl) // 2]
    add(g, f"cut-mid-line@{mid - 3}", data[:mid - 3], "refused",
        "a line cut in its middle has no newline: refused as truncated", args=["--format", fmt_name])


# ---------------------------------------------------------------- sysdump
def sysdump_cases():
    rel = "cluster/cilium-sysdump-20250310-081500.zip"
    data = read(rel)
    g = "sysdump-zip"
    locals_ = [m.start() for m in re.finditer(rb"PK\x03\x04", data)]
    central = data.find(b"PK\x01\x02")
    for k, off in enumerate(locals_[1:4]):
        n = struct.unpack_from("<H", data, off + 26)[0]
        add(g, f"cut-in-member-{k}@{off + 30 + n + 10}", data[:off + 30 + n + 10], "refused",
            "a zip cut inside a member's data is refused", suffix=".zip")
        add(g, f"flip-member-data-{k}", flipped(data, off + 30 + n + 12), "refused",
            "a byte of a deflated member changed fails its inflate or its CRC-32: refused", suffix=".zip")
    for at in cut_offsets(data[:central], 12):
        add(g, f"cut@{at}", data[:at], "refused", "a zip cut before its central directory is refused",
            suffix=".zip")
    add(g, f"cut-central-directory@{central + 10}", data[:central + 10], "refused|same",
        "a zip read as a stream ends with its last member: a cut central directory is refused or changes "
        "nothing", suffix=".zip", base=rel)
    name_at = locals_[2] + 30 + 5
    add(g, "flip-member-name", flipped(data, name_at, 0x01), "any",
        "a zip has CRCs of member data, not of names: a changed name may hide a member from kvsnap", suffix=".zip")


def run_case(c, base_db):
    with open(c.path, "wb") as f:
        f.write(c.data)
    db = os.path.join(TMP, "db-" + os.path.basename(c.path) + ".db")
    kvrun.copy(base_db, db)
    before = kvrun.sha256_file(db)
    res = kvrun.run(["-d", db, "-n", "case"] + c.args + [c.path], timeout=TIMEOUT, vmem_mib=VMEM_MIB)
    problems = []
    if res.timed_out:
        problems.append(f"did not finish within {TIMEOUT} s")
    if not SAN and res.rss_kb > RSS_MIB * 1024:
        problems.append(f"peak RSS {res.rss_kb // 1024} MiB, bound {RSS_MIB} MiB")
    refusal = kvrun.refusal_problems(res, c.path)
    refused = not refusal
    imported = res.rc == 0
    if res.rc not in (0, 2):
        problems.append(f"exit status {res.rc} (a crash?)")
    if res.rc == 2 and not refused:
        problems.append("refused without naming the file and the place: " + "; ".join(refusal))
    if res.rc != 0:
        if kvrun.sha256_file(db) != before:
            problems.append("the database changed although the import failed")
        if os.path.exists(db + "-journal"):
            problems.append("a -journal file was left behind")
    same = warned = None
    if imported:
        warnings = kvrun.snapshot_warnings(db, "case")
        warned = bool(c.warning and c.warning in warnings)
        if c.base:
            same = kvrun.kv_digest(db, "case") == INTACT[c.base]
    v = c.verdict
    if v == "refused" and not refused:
        problems.append("expected a refusal: " + "; ".join(refusal))
    elif v == "trailer" and not (refused and "SHA-256 trailer" in res.err):
        problems.append("expected the SHA-256 trailer to refuse it")
    elif v == "refused|same" and not (refused or (imported and same)):
        problems.append("expected a refusal or the undamaged keys and values")
    elif v == "refused|warned" and not (refused or (imported and warned)):
        problems.append(f"expected a refusal or an import with the warning '{c.warning}'")
    elif v == "same" and not (imported and same and (warned or not c.warning)):
        problems.append("expected the undamaged keys and values" + (f" and the warning '{c.warning}'"
                                                                    if c.warning else ""))
    if c.verify and not c.args:
        v = kvrun.run(["--verify", c.path], timeout=TIMEOUT, vmem_mib=VMEM_MIB)
        if v.timed_out or v.rc not in (0, 1, 2) or (not SAN and v.rss_kb > RSS_MIB * 1024):
            problems.append(f"--verify: exit {v.rc}, {v.seconds:.1f} s, peak RSS {v.rss_kb // 1024} MiB")
        if v.rc == 2 and not re.search(re.escape(c.path) + r": (page|byte) \d+: ", v.err):
            problems.append("--verify refused it without naming the file and the place: " + v.err[:300])
        if c.verdict in ("trailer", "refused") and v.rc == 0:
            problems.append("--verify found nothing wrong in a file the import refuses")
    outcome = "refused" if refused else "imported" if imported else f"exit {res.rc}"
    os.remove(db)
    os.remove(c.path)
    return c, res, outcome, problems


INTACT = {}


def main():
    base_db = os.path.join(TMP, "base.db")
    r = kvrun.run(["-d", base_db, "-n", "base", os.path.join(FIX, "etcd-3.4/get-json.txt")])
    assert r.rc == 0, r.describe()
    dbs = ["etcd-3.4/snapshots/snap1.db", "etcd-3.4/snapshots/snap2-compacted.db", "etcd-3.4/snapshots/snap3-big.db",
           "etcd-3.4/snapshots/member-snap-db.db", "checks/lease-dangling.db"]
    for rel in dbs:
        db_cases(rel)
    struct_cases("etcd-3.4/snapshots/snap3-big.db")
    struct_cases("checks/lease-dangling.db")
    json_cases("cluster/get-json.txt", "etcd-json")
    json_cases("cluster/cilium-json.json", "cilium-json")
    protobuf_cases("cluster/get-protobuf.bin")
    lines_cases("cluster/get-simple.txt", "etcd-simple", False)
    lines_cases("cluster/get-hex.txt", "etcd-hex", False)
    lines_cases("cluster/get-fields.txt", "etcd-fields", True)
    lines_cases("cluster/cilium-text.txt", "cilium-text", False)
    sysdump_cases()
    # What the undamaged files hold, to compare "same" verdicts with.
    for rel in {c.base for c in cases if c.base}:
        db = os.path.join(TMP, "intact.db")
        r = kvrun.run(["-d", db, "-n", "case", os.path.join(FIX, rel)])
        assert r.rc == 0, r.describe()
        INTACT[rel] = kvrun.kv_digest(db, "case")
        os.remove(db)

    failures, outcomes, peak = [], {}, 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for c, res, outcome, problems in ex.map(lambda c: run_case(c, base_db), cases):
            key = (c.verdict, outcome)
            outcomes[key] = outcomes.get(key, 0) + 1
            peak = max(peak, res.rss_kb)
            if problems:
                failures.append((c, res, problems))
    print(f"{len(cases)} damaged inputs, peak RSS of any run {peak // 1024} MiB"
          f"{' (sanitizer build: no memory bound)' if SAN else f' (bound {RSS_MIB} MiB, ulimit -v {VMEM_MIB} MiB)'}")
    for (verdict, outcome), n in sorted(outcomes.items()):
        print(f"  verdict {verdict:<15} {outcome:<9} {n}")
    for c, res, problems in failures[:40]:
        print(f"FAIL {c.group} {c.name} [{c.verdict}]: {'; '.join(problems)}\n  proves: {c.proves}\n"
              f"  {res.describe()}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} of {len(cases)} cases failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
