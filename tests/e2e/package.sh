#!/usr/bin/env bash
# The .deb as a user meets it: scripts/package builds it (Release, Debian's hardening flags);
# lintian finds no error or warning; its dependencies are runtime libraries apt can resolve; it
# installs with dpkg into a scratch root (an empty dpkg database, nothing of this machine
# touched); every installed tool runs --version and --help; `man kvcheck` and the other pages
# render without a warning; and TAB completes check ids, saved queries, formats and options in
# bash (through bash-completion's own loader), zsh and fish from the installed files.
source "$(dirname "$0")/lib.bash"

pkgbuild=$BIN/package  # kept between runs: a rebuild is incremental
"$SRC/scripts/package" "$pkgbuild" >"$TMP/package.out" || fail "scripts/package failed"
deb=$(grep '\.deb$' "$TMP/package.out")
tgz=$(grep '\.tar\.gz$' "$TMP/package.out")
[ -f "$deb" ] && [ -f "$tgz" ] || fail "scripts/package printed no .deb and .tar.gz: $(cat "$TMP/package.out")"
version=$(kvcheck --version | awk '{print $3}')
case $deb in */kvsnap_"$version"-1_*.deb) ;; *) fail "package name $deb does not carry version $version" ;; esac

# lintian: no error, no warning (what is overridden is in packaging/lintian-overrides, with why).
lintian --fail-on error,warning "$deb" >"$TMP/lintian" 2>&1 || { cat "$TMP/lintian" >&2; fail "lintian"; }
if grep -E '^(E|W):' "$TMP/lintian"; then fail "lintian reported the above"; fi

# Dependencies: the runtime libraries (never -dev packages), resolvable by apt on this system.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libsqlite3-0 libboost-program-options libboost-json libfmt libzstd1 libarchive13 libssl3; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
[[ $depends != *-dev* ]] || fail "Depends names a -dev package: $depends"
apt-get install -s "$deb" >"$TMP/apt" 2>&1 || { cat "$TMP/apt" >&2; fail "apt cannot resolve the package's dependencies"; }

# Install into a scratch root with dpkg (its own empty database; dependencies are this machine's).
root=$TMP/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkg --root="$root" --force-depends --force-not-root --log=/dev/null -i "$deb" >"$TMP/dpkg" 2>&1 ||
  { cat "$TMP/dpkg" >&2; fail "dpkg -i into a scratch root"; }
dpkg --root="$root" -s kvsnap | grep -q '^Status: install ok installed' || fail "dpkg does not list kvsnap as installed"
tools=$(ls "$root/usr/bin")
expect_eq "$(echo $tools)" "kvcheck kvdiff kvimport kvquery" "installed tools (kvgen is the benchmark's, never installed)"
for t in $tools; do
  out=$("$root/usr/bin/$t" --version) || fail "$t --version"
  [[ $out =~ ^$t\ \(kvsnap\)\ $version\ \(commit\ [0-9a-f]{7,}(-dirty)?\)$ ]] || fail "$t --version: $out"
  "$root/usr/bin/$t" --help >"$TMP/help" || fail "$t --help"
  expect_in "$TMP/help" "Usage: $t "
  ldd "$root/usr/bin/$t" | grep -q 'not found' && fail "$t: a shared library is missing"
  # The man page: installed, rendered without a groff/man warning, and it is the tool's.
  MANWIDTH=100 man -M "$root/usr/share/man" "$t" >"$TMP/man" 2>"$TMP/man.err" || fail "man $t"
  [ ! -s "$TMP/man.err" ] || { cat "$TMP/man.err" >&2; fail "man $t wrote to stderr"; }
  expect_in "$TMP/man" "SYNOPSIS"
  expect_in "$TMP/man" "EXIT STATUS"
  LC_ALL=C.UTF-8 man --warnings -l "$root/usr/share/man/man1/$t.1.gz" 2>&1 >/dev/null | grep . && fail "man $t: warnings above"
  # Every option of --help is in the man page (both come from the same table).
  grep -oE '^  (-[a-z] \[ )?--[a-z-]+' "$TMP/help" | grep -oE -- '--[a-z-]+' | while read -r opt; do
    grep -qF -- "$opt" "$TMP/man" || fail "man $t lacks $opt, which --help lists"
  done
  # kvsnap(7) names every tool.
  zcat "$root/usr/share/man/man7/kvsnap.7.gz" | grep -q "^.BR $t (1)" || fail "kvsnap(7) does not name $t"
done
MANWIDTH=100 man -M "$root/usr/share/man" 7 kvsnap >"$TMP/man7" 2>&1 || fail "man 7 kvsnap"
expect_in "$TMP/man7" "offline diagnosis of a Cilium kvstore"
LC_ALL=C.UTF-8 man --warnings -l "$root/usr/share/man/man7/kvsnap.7.gz" 2>&1 >/dev/null | grep . && fail "kvsnap(7): warnings above"
MANWIDTH=100 man -M "$root/usr/share/man" kvcheck >"$TMP/man"
expect_in "$TMP/man" "node-cidr-overlap"  # the check ids, from the check table
checks=$(kvcheck --list-checks -o csv | tail -n +2 | cut -d, -f1 | sort)
node_c=$(grep '^node-c' <<<"$checks" | tr '\n' ' ')  # what "node-c<TAB>" must offer, from the check table

# bash: bash-completion's loader finds the installed file through XDG_DATA_DIRS, as on a system.
bash_complete() {  # bash_complete WORD...: what TAB offers for the last word
  XDG_DATA_DIRS=$root/usr/share bash --norc --noprofile -c '
    source /usr/share/bash-completion/bash_completion
    _completion_loader "$1"  # returns 124 ("loaded, complete again"), as bash expects of it
    complete -p "$1" >/dev/null || { echo "bash-completion found no completion for $1" >&2; exit 1; }
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    func=$(complete -p "$1" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
    "$func" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' bash "$@"
}
expect_eq "$(bash_complete kvcheck --check '' | sort)" "$checks" "bash: kvcheck --check <TAB>"
expect_eq "$(bash_complete kvcheck --check node-c | tr '\n' ' ')" "$node_c" "bash: kvcheck --check node-c<TAB>"
expect_eq "$(bash_complete kvcheck --skip = ip-identity-m | tr '\n' ' ')" "ip-identity-missing " "bash: kvcheck --skip=ip-identity-m<TAB>"
expect_eq "$(bash_complete kvcheck -o j | tr '\n' ' ')" "json junit " "bash: kvcheck -o j<TAB>"
expect_eq "$(bash_complete kvquery -q pods | tr '\n' ' ')" "pods-per-node " "bash: kvquery -q pods<TAB>"
expect_eq "$(bash_complete kvdiff --entity ip | tr '\n' ' ')" "ipcache " "bash: kvdiff --entity ip<TAB>"
expect_eq "$(bash_complete kvimport --format etcd-j | tr '\n' ' ')" "etcd-json " "bash: kvimport --format etcd-j<TAB>"
expect_eq "$(bash_complete kvcheck --fail | tr '\n' ' ')" "--fail-on " "bash: kvcheck --fail<TAB>"
expect_eq "$(bash_complete kvquery -o s | tr -d "\n")" "" "bash: kvquery -o s<TAB> (sarif is kvcheck's only)"

# zsh: a real interactive zsh with the installed vendor-completions folder in fpath.
zsh_complete() { zsh -f "$SRC/tests/e2e/zsh_complete.zsh" "$root/usr/share/zsh/vendor-completions" "$1"; }
for t in $tools; do zsh -n "$root/usr/share/zsh/vendor-completions/_$t" || fail "zsh: _$t does not parse"; done
expect_eq "$(zsh_complete "kvcheck --check node-c" | sort | tr '\n' ' ')" "$node_c" "zsh: kvcheck --check node-c<TAB>"
expect_eq "$(zsh_complete "kvcheck --check " | sort)" "$checks" "zsh: kvcheck --check <TAB>"
expect_eq "$(zsh_complete "kvcheck -o ju" | tr '\n' ' ')" "junit " "zsh: kvcheck -o ju<TAB>"
expect_eq "$(zsh_complete "kvquery --query=snap" | tr '\n' ' ')" "snapshot-summary " "zsh: kvquery --query=snap<TAB>"

# fish: vendor completions found through XDG_DATA_DIRS, as fish does on a system (fish loads a
# command's completions when the command is on PATH; HOME keeps this user's fish config out).
mkdir -p "$TMP/home"
fish_complete() {
  HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home XDG_DATA_DIRS=$root/usr/share PATH=$root/usr/bin:$PATH \
    fish -c "complete -C '$*'" | cut -f1
}
expect_eq "$(fish_complete kvcheck --check node-c | tr '\n' ' ')" "$node_c" "fish: kvcheck --check node-c<TAB>"
expect_eq "$(fish_complete kvcheck --check '' | sort)" "$checks" "fish: kvcheck --check <TAB>"
expect_eq "$(fish_complete kvdiff --entity ide | tr '\n' ' ')" "identity identity_ref " "fish: kvdiff --entity ide<TAB>"
expect_eq "$(fish_complete kvimport --list-f | tr '\n' ' ')" "--list-formats " "fish: kvimport --list-f<TAB>"

# The tarball holds the same tree.
tar tzf "$tgz" >"$TMP/tgz"
grep -q '^kvsnap-[^/]*/bin/kvcheck$' "$TMP/tgz" || fail "the .tar.gz has no bin/kvcheck at its top"
grep -q '^kvsnap-[^/]*/share/man/man1/kvcheck.1.gz$' "$TMP/tgz" || fail "the .tar.gz has no man page"
echo "ok: $(basename "$deb") $(du -k "$deb" | cut -f1) KiB: lintian clean, installed, man pages and bash/zsh/fish completions work"
