#!/usr/bin/env bash
# Hostile inputs, part 2 (tests/e2e/hostile.py): one 500 MB value streamed into kvimport (peak
# RSS at most twice the value plus 256 MiB), 100 MB values through every other reader, values
# past SQLite's 1 GB refused with their key and place, 10 million tiny keys on stdin (peak RSS
# that does not grow with the keys). Smaller under sanitizers (see hostile.py).
source "$(dirname "$0")/lib.bash"
export KVRUN_TMP=$TMP
python3 "$SRC/tests/e2e/hostile.py" large_values many_keys
echo "ok"
