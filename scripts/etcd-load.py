#!/usr/bin/env python3
"""Load `kvgen -o load` output into a running etcd through its grpc-gateway JSON API.

Input (stdin), one key per line:  <base64 key> <base64 value> <lease group>
Lease group 0 means "no lease"; every other group gets one lease (granted on first use with
--ttl seconds) and all keys of the group are attached to it, the way each Cilium agent attaches
its keys to its own session lease.

Keys are written with POST /v3/kv/txn, --ops-per-txn puts per transaction (etcd's default
--max-txn-ops is 128). All puts of one transaction share one revision; use --ops-per-txn 1 to
give every key its own revision (what Cilium does: one put per key), which makes etcd's
revisions equal kvgen's when the input is in kvgen's default (revision) order and the etcd is
fresh.

Only the Python standard library is used.
"""

import argparse
import base64
import json
import os
import sys
import time
import urllib.error
import urllib.request


class EtcdError(RuntimeError):
    pass


def post(endpoint, path, body, timeout):
    data = json.dumps(body, separators=(",", ":")).encode()
    req = urllib.request.Request(
        endpoint.rstrip("/") + path, data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            out = json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace")
        raise EtcdError(f"POST {path}: HTTP {e.code}: {detail}") from None
    except urllib.error.URLError as e:
        raise EtcdError(f"POST {path}: {e.reason}") from None
    if "error" in out or ("code" in out and "message" in out):
        raise EtcdError(f"POST {path}: {out}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", default=os.environ.get("ETCD_ENDPOINT"),
                    help="etcd client URL (default: $ETCD_ENDPOINT)")
    ap.add_argument("--ttl", type=int, default=3600, help="lease TTL in seconds (default 3600)")
    ap.add_argument("--ops-per-txn", type=int, default=128,
                    help="puts per transaction, 1..128 (default 128)")
    ap.add_argument("--lease-id-base", type=int, default=None,
                    help="request lease id BASE+group-1 for each group instead of letting etcd "
                         "choose (kvgen's ids: 7587861234567890433)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per HTTP request")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()
    if not args.endpoint:
        ap.error("no --endpoint and ETCD_ENDPOINT is not set")
    if not 1 <= args.ops_per_txn <= 128:
        ap.error("--ops-per-txn must be 1..128")

    leases = {}  # group -> lease id (decimal string)
    ops = []
    stats = {"keys": 0, "txns": 0, "revision": None}
    started = time.monotonic()

    def lease_for(group):
        if group not in leases:
            body = {"TTL": args.ttl}
            if args.lease_id_base is not None:
                body["ID"] = str(args.lease_id_base + group - 1)
            out = post(args.endpoint, "/v3/lease/grant", body, args.timeout)
            if not out.get("ID"):
                raise EtcdError(f"lease grant returned no ID: {out}")
            leases[group] = str(out["ID"])
        return leases[group]

    def flush():
        if not ops:
            return
        out = post(args.endpoint, "/v3/kv/txn", {"success": ops}, args.timeout)
        if out.get("succeeded") is not True:
            raise EtcdError(f"txn did not succeed: {out}")
        stats["txns"] += 1
        stats["revision"] = out.get("header", {}).get("revision")
        ops.clear()

    for lineno, line in enumerate(sys.stdin.buffer, 1):
        line = line.strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 3:
            raise SystemExit(f"etcd-load: line {lineno}: want '<b64 key> <b64 value> <group>'")
        key, value, group = parts[0].decode(), parts[1].decode(), int(parts[2])
        try:
            base64.b64decode(key, validate=True)
            base64.b64decode(value, validate=True)
        except ValueError:
            raise SystemExit(f"etcd-load: line {lineno}: invalid base64") from None
        put = {"key": key, "value": value}
        if group != 0:
            put["lease"] = lease_for(group)
        ops.append({"request_put": put})
        stats["keys"] += 1
        if len(ops) >= args.ops_per_txn:
            flush()
    flush()
    if not args.quiet:
        secs = time.monotonic() - started
        print(f"etcd-load: {stats['keys']} keys in {stats['txns']} txns, {len(leases)} leases, "
              f"store revision {stats['revision']}, {secs:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except EtcdError as e:
        print(f"etcd-load: {e}", file=sys.stderr)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(1)
