#!/usr/bin/env bash
# The html reports in a real browser (Debian's chromium, headless): each page renders, its DOM
# holds the counts and pictures the JSON report says, its filters work (also from a link's
# #hide=...&q=...), and it makes no request at all (Chromium's own network log). Screenshots go to
# the build folder (screenshots/), from where the README's picture is copied.
source "$(dirname "$0")/lib.bash"
command -v chromium >/dev/null || fail "chromium is missing (scripts/setup installs Debian's chromium)"
shots=$BIN/screenshots
mkdir -p "$shots"
NOW=(--now 2025-03-10T08:15:30Z)
demo=$FIX/demo/kvstore.json

# requests NETLOG: the URLs the page itself asked for (Chromium's own background requests have no
# origin as initiator), besides its own file.
cat >"$TMP/requests.py" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
for e in log["events"]:
    p = e.get("params", {})
    if e["type"] == start and p.get("initiator") != "not an origin" and not p.get("url", "file:").startswith(("file:", "data:")):
        print(p["url"])
PY
# browse PAGE [HASH] [SCREENSHOT]: the DOM after its script ran into $TMP/dom.html, the network
# log into $TMP/net.json and the requests the page made into $TMP/requests; a screenshot when asked.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$TMP/profile" --virtual-time-budget=3000
       --enable-logging=stderr --v=0)
browse() {
  rm -rf "$TMP/profile"
  timeout 120 chromium "${flags[@]}" --log-net-log="$TMP/net.json" --dump-dom "file://$1${2:-}" >"$TMP/dom.html" 2>"$TMP/chromium.err" ||
    fail "chromium could not open $1: $(tail -3 "$TMP/chromium.err")"
  [ -s "$TMP/dom.html" ] || fail "chromium gave no DOM for $1"
  python3 "$TMP/requests.py" "$TMP/net.json" >"$TMP/requests"
}
# no_requests PAGE: the page asked for nothing, and tried nothing its Content-Security-Policy refused.
no_requests() {
  [ ! -s "$TMP/requests" ] || fail "$1 made requests: $(head -3 "$TMP/requests")"
  grep -q "Content Security Policy" "$TMP/chromium.err" && fail "$1 tried a request: $(grep -m1 "Content Security Policy" "$TMP/chromium.err")"
  return 0
}
shoot() {  # PAGE PNG
  rm -rf "$TMP/profile"
  timeout 120 chromium "${flags[@]}" --window-size=1280,1600 --screenshot="$2" "file://$1" >/dev/null 2>&1 ||
    fail "chromium could not take a screenshot of $1"
  [ -s "$2" ] || fail "no screenshot of $1"
}

# The request detector can fail: a page that loads an image from elsewhere is caught.
printf '<!doctype html><img src="http://127.0.0.1:9/x.png">' >"$TMP/control.html"
browse "$TMP/control.html"
grep -q "http://127.0.0.1:9/x.png" "$TMP/requests" || fail "the request detector missed a page's request"

# kvcheck: the findings, the clock, the pictures, the filters.
kvcheck "${NOW[@]}" -o json "$demo" >"$TMP/report.json" || true
expect_status 1 kvcheck "${NOW[@]}" -o html "$demo"
cp "$TMP/out" "$TMP/kvcheck.html"
LC_ALL=C grep -qiE '(src|href)="(https?:)?//' "$TMP/kvcheck.html" && fail "the page links outside itself"
browse "$TMP/kvcheck.html"
no_requests kvcheck.html
shoot "$TMP/kvcheck.html" "$shots/kvcheck-demo.png"
python3 - "$TMP/dom.html" "$TMP/report.json" <<'PY' || fail "kvcheck's html page"
import json, sys, kvdoc
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.figures, self.svgs, self.facts, self.overlap, self.marks, self.bars = [], [], 0, {}, 0, 0, 0
        self.stack, self.text = [], {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "part" in a.get("class", ""):
            self.parts.append(a)
        if tag == "figure":
            self.figures.append(a["id"])
        if tag == "svg":
            self.svgs += 1
        if tag == "tr" and "data-fact" in a:
            self.fact = a["data-fact"]
        if tag == "rect" and a.get("data-coverage") == "2":
            self.overlap += 1
        if tag == "path" and a.get("class") == "mark":
            self.marks += 1
        if tag == "g" and a.get("class") == "bar":
            self.bars += 1
        if tag == "span" and a.get("id") == "shown":
            self.stack.append("shown")
    def handle_data(self, data):
        if self.stack:
            self.text[self.stack.pop()] = data
        if getattr(self, "fact", None):
            self.facts.setdefault(self.fact, "")
            self.facts[self.fact] += data

dom = Dom()
dom.feed(open(sys.argv[1]).read())
report = json.load(open(sys.argv[2]))
findings = kvdoc.rows(report, "check/")
checks = [p for p in dom.parts if p["id"].startswith("check/")]
assert sum(int(p["data-rows"]) for p in checks) == len(findings) == 8, (checks, len(findings))
assert {p["data-tag"] for p in checks} == {"error", "warning"}, checks
assert dom.figures == ["cidr-map-v4", "identities-per-namespace", "identities-per-cluster-range", "endpoints-per-node"], dom.figures
assert dom.svgs == 4 and dom.overlap >= 1 and dom.marks >= 1 and dom.bars >= 6, (dom.svgs, dom.overlap, dom.marks, dom.bars)
assert "2025-03-10T08:15:30Z" in dom.facts["reference"], dom.facts
assert dom.text.get("shown") == str(len(dom.parts)), dom.text  # the script ran
PY
# A link that hides the errors and searches: the warning and the counts (which name it) stay.
browse "$TMP/kvcheck.html" "#hide=error&q=outside"
python3 - "$TMP/dom.html" <<'PY' || fail "filters from the link"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    shown = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "part" in a.get("class", "") and "hidden" not in a:
            self.shown.append(a["id"])
p = P()
p.feed(open(sys.argv[1]).read())
assert p.shown == ["counts", "check/ip-outside-node-cidr"], p.shown  # the counts name the check too
PY

# kvdiff: the chart of changes and every change.
expect_status 1 kvdiff -o html "$FIX/cluster/get-json.txt" "$demo"
cp "$TMP/out" "$TMP/kvdiff.html"
browse "$TMP/kvdiff.html"
no_requests kvdiff.html
shoot "$TMP/kvdiff.html" "$shots/kvdiff-demo.png"
grep -q 'id="changes-per-entity"' "$TMP/dom.html" || fail "kvdiff's page has no chart"
grep -q 'data-label="ipcache"' "$TMP/dom.html" || fail "kvdiff's chart has no ipcache bar"
grep -q 'id="changes/ipcache"' "$TMP/dom.html" || fail "kvdiff's page has no ipcache changes"
grep -q 'pod default/indexer-hvx7qvnckz-gsqn5' "$TMP/dom.html" || fail "an added ipcache entry does not say its pod"

# kvquery: any result as a table.
expect_status 0 kvquery -d "$demo" -o html -q nodes
cp "$TMP/out" "$TMP/kvquery.html"
browse "$TMP/kvquery.html"
no_requests kvquery.html
expect_eq "$(grep -o '<tr>' "$TMP/dom.html" | wc -l)" 6 "rows of kvquery's table (header and 5 nodes)"

# A large snapshot: the pictures aggregate, so the page stays small and renders.
kvgen --nodes 1500 --identities 600 --pods-per-node 8 --services 20 --seed 9 >"$TMP/big.json"
kvcheck "${NOW[@]}" -o html "$TMP/big.json" >"$TMP/big.html" || true
size=$(stat -c %s "$TMP/big.html")
[ "$size" -lt 1000000 ] || fail "the page of a 1,500-node cluster is $size bytes"
browse "$TMP/big.html"
no_requests big.html
grep -q 'other nodes' "$TMP/dom.html" || fail "endpoints per node does not fold the tail into 'other nodes'"
echo "ok"
