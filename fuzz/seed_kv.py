#!/usr/bin/env python3
"""Seeds of the cilium_decode target: every key-value pair of the given etcd-json
(`etcdctl get -w json`) and cilium-json (`cilium kvstore get -o json`) files, one
"<key>\\n<value>" file each (named by content hash, so duplicates collapse), into OUT_DIR.
Usage: seed_kv.py OUT_DIR FILE..."""
import base64, hashlib, json, os, sys


def pairs(path):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
        dec = json.JSONDecoder()
        i = 0
        while i < len(text):
            while i < len(text) and text[i].isspace():
                i += 1
            if i == len(text):
                break
            doc, i = dec.raw_decode(text, i)
            if isinstance(doc, dict) and "kvs" in doc:  # etcdctl -w json: base64 keys and values
                for kv in doc.get("kvs") or []:
                    yield base64.b64decode(kv["key"]), base64.b64decode(kv.get("value", ""))
            elif isinstance(doc, dict):  # cilium kvstore get -o json: {"key": {"Data": base64}}
                for k, v in doc.items():
                    if isinstance(v, dict) and isinstance(v.get("Data"), str):
                        yield k.encode(), base64.b64decode(v["Data"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return  # not a JSON dump: nothing to seed from


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for path in sys.argv[2:]:
    for k, v in pairs(path):
        data = k + b"\n" + v
        with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
