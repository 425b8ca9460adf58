#!/usr/bin/env bash
# Hostile inputs, part 1 (tests/e2e/hostile.py): decompression bombs (.zst, .gz, a sysdump .zip
# member, each 20 GiB decompressed and under 25 MB on disk; a .tar.gz member of 8 GiB; a zstd
# frame asking for a 1 GiB window), archive members with ../ and absolute paths, links out of a
# sysdump folder, 40 KB cilium-config lines, JSON nested 100,000 deep.
# Refused with exit 2 or imported within their memory bounds; nothing written outside the -d
# databases and $TMPDIR. (hostile_large.sh: the large values and the 10 million keys.)
source "$(dirname "$0")/lib.bash"
export KVRUN_TMP=$TMP
python3 "$SRC/tests/e2e/hostile.py" bombs escaping_members sysdump_folders deep_json
echo "ok"
