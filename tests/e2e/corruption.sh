#!/usr/bin/env bash
# The corruption corpus: every fixture kind (etcd snapshot and member db files, JSON, protobuf,
# text dumps, a sysdump zip) truncated inside every kind of page and structure, single bytes
# flipped in every kind of page, crafted page ids, cycles, 2 GiB declared lengths and bad page
# sizes with their checksums fixed. Each case must meet its verdict (tests/e2e/corruption.py says
# what each proves), within a timeout, an address-space limit and a peak-RSS bound, and a failed
# import must leave the database byte for byte as it was.
source "$(dirname "$0")/lib.bash"
export KVRUN_TMP=$TMP
python3 "$SRC/tests/e2e/corruption.py"
echo "ok"
